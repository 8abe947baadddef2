/// The text of the element being read, gathered from the parser's byte runs (an element's text can
/// arrive in several: around entities, across chunks) and turned into one String when it ends.
///
/// Plain memory rather than `[UInt8]`: it is appended to and emptied for every field of every row, and
/// an array's uniqueness and capacity checks showed in profiles. The owner calls `deallocate()`.
public struct XMLTextBuffer {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    public private(set) var count = 0

    public init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { grow(to: count + bytes.count) }
        UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    public mutating func removeAll() { count = 0 }

    /// The bytes as a String (ill-formed UTF-8, which libxml2 does not pass on, would be repaired).
    public var string: String {
        String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
    }

    public func deallocate() { base.deallocate() }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
