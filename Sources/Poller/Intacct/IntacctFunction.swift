/// One function inside `<content>`; the request writer renders it.
public enum IntacctFunction: Sendable, Equatable {
    /// Opens a session; `locationID` asks for an entity-level one.
    case getAPISession(locationID: String?)
    /// The structured query (2020 R1+), paged by offset.
    case query(IntacctQuery, pageSize: Int, offset: Int)
    /// The legacy string query; later pages come from `readMore`.
    case readByQuery(object: String, fields: [String], query: String, pageSize: Int)
    /// The next page of a readByQuery cursor.
    case readMore(resultID: String)
    /// An object's field definitions.
    case lookup(object: String)
    /// A legacy balance report (`get_trialbalance`, `get_accountbalances`) for one period.
    case balances(BalanceQuery)

    /// The function element's name, as echoed in `result/function`.
    public var name: String {
        switch self {
        case .getAPISession: "getAPISession"
        case .query: "query"
        case .readByQuery: "readByQuery"
        case .readMore: "readMore"
        case .lookup: "lookup"
        case let .balances(query): query.kind.functionName
        }
    }

    /// The object it reads, when it names one.
    public var object: String? {
        switch self {
        case let .query(query, _, _): query.object
        case let .readByQuery(object, _, _, _), let .lookup(object): object
        case let .balances(query): query.kind.object.name
        case .getAPISession, .readMore: nil
        }
    }

    /// Writes `<name>…</name>` (the caller wraps it in `<function controlid=…>`).
    public func write(into writer: inout XMLWriter) throws {
        switch self {
        case let .getAPISession(locationID):
            if let locationID {
                writer.element("getAPISession") { $0.element("locationid", locationID) }
            } else {
                writer.empty("getAPISession")
            }
        case let .query(query, pageSize, offset):
            guard !query.fields.isEmpty else { throw IntacctError.invalidRequest("query on \(query.object) selects no fields") }
            try writer.element("query") { writer in
                writer.element("object", query.object)
                writer.element("select") { writer in
                    for field in query.fields { writer.element("field", field) }
                }
                try query.filter?.writeFilter(into: &writer)
                if !query.order.isEmpty {
                    writer.element("orderby") { writer in
                        for order in query.order {
                            writer.element("order") { writer in
                                writer.element("field", order.field)
                                writer.empty(order.ascending ? "ascending" : "descending")
                            }
                        }
                    }
                }
                writer.element("options") { writer in
                    writer.element("caseinsensitive", query.caseInsensitive ? "true" : "false")
                    writer.element("showprivate", query.showPrivate ? "true" : "false")
                }
                writer.element("pagesize", String(pageSize))
                writer.element("offset", String(offset))
            }
        case let .readByQuery(object, fields, query, pageSize):
            writer.element("readByQuery") { writer in
                writer.element("object", object)
                writer.element("fields", fields.isEmpty ? "*" : fields.joined(separator: ","))
                writer.element("query", query)
                writer.element("pagesize", String(pageSize))
                writer.element("returnFormat", "xml")
            }
        case let .readMore(resultID):
            writer.element("readMore") { $0.element("resultId", resultID) }
        case let .lookup(object):
            writer.element("lookup") { $0.element("object", object) }
        case let .balances(query):
            query.write(into: &writer)
        }
    }
}
