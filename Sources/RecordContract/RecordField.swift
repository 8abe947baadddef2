/// One Intacct field as sent: an uppercase name and its string value (empty for null).
public struct RecordField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
