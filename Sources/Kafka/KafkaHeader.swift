import Foundation

/// A record header. A `nil` value is a header with a null value, which Kafka distinguishes from empty.
public struct KafkaHeader: Hashable, Sendable {
    public var name: String
    public var value: Data?

    public init(name: String, value: Data?) {
        self.name = name
        self.value = value
    }

    /// A header whose value is UTF-8 text, the common case (e.g. a tombstone's reason).
    public init(name: String, string: String) {
        self.init(name: name, value: Data(string.utf8))
    }
}
