import Catalog

/// A record that cannot become a row of its table: a value that does not parse as its column's type.
/// Permanent for this version of the record (dead-letter it); a mapping fix plus a replay recovers it.
public struct RowConversionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `<company>/<entity>/<OBJECT>/<RECORDNO>`.
    public var recordKey: String
    public var field: String
    public var value: String
    public var expected: IntacctFieldType
    public var reason: String

    public init(recordKey: String, field: String, value: String, expected: IntacctFieldType, reason: String) {
        self.recordKey = recordKey
        self.field = field
        self.value = value
        self.expected = expected
        self.reason = reason
    }

    public var description: String {
        "record \(recordKey): field \(field) value \"\(value.prefix(80))\" is not a valid \(expected.rawValue) (\(reason))"
    }
}
