extension String {
    /// The text librdkafka wrote into a fixed-size error buffer, up to its NUL.
    init(errorBuffer buffer: [CChar]) {
        self = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
