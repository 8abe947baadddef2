/// The positions of a record's fields sorted by name: the order `RecordEnvelope.contentHash` hashes them
/// in, so a version hashes the same whatever order Intacct listed its fields in. Every row of a page has
/// the same field list, so the order is worked out once and reused for the rows it fits.
public struct CanonicalFieldOrder: Sendable {
    /// The field names this order was computed for, in their original order.
    public let names: [String]
    /// `positions[i]` is the index in `names` of the i-th name in sorted order; equal names keep their order.
    public let positions: [Int]

    public init(names: [String]) {
        self.names = names
        positions = names.indices.sorted { a, b in names[a] != names[b] ? names[a] < names[b] : a < b }
    }

    public init(fields: [RecordField]) {
        self.init(names: fields.map(\.name))
    }

    /// Whether `fields` carry exactly these names in this order. Rows read from one response share their
    /// name strings, so this is a cheap comparison per field, far cheaper than sorting again.
    public func fits(_ fields: [RecordField]) -> Bool {
        guard fields.count == names.count else { return false }
        for index in fields.indices where fields[index].name != names[index] { return false }
        return true
    }
}
