/// What to read with the `query` function: one object, the fields to select, an optional filter and
/// the order. Paging (pagesize/offset) is the client's job.
public struct IntacctQuery: Sendable, Equatable {
    /// One `orderby/order` entry.
    public struct Order: Sendable, Equatable {
        public var field: String
        public var ascending: Bool

        public init(_ field: String, ascending: Bool = true) {
            self.field = field
            self.ascending = ascending
        }
    }

    /// WHENMODIFIED then RECORDNO, ascending: a stable order for offset paging, and the order a
    /// watermark advances in.
    public static let incrementalOrder = [Order("WHENMODIFIED"), Order("RECORDNO")]

    public var object: String
    /// `select` is required by Intacct; there is no "all fields".
    public var fields: [String]
    public var filter: QueryFilter?
    public var order: [Order]
    /// Peers always send true so that entity-private rows show up at the top level.
    public var showPrivate: Bool
    public var caseInsensitive: Bool

    public init(
        object: String,
        fields: [String],
        filter: QueryFilter? = nil,
        order: [Order] = IntacctQuery.incrementalOrder,
        showPrivate: Bool = true,
        caseInsensitive: Bool = false
    ) {
        self.object = object
        self.fields = fields
        self.filter = filter
        self.order = order
        self.showPrivate = showPrivate
        self.caseInsensitive = caseInsensitive
    }
}
