/// What to read, independent of which function (query or readByQuery) asked for it.
struct QuerySpec: Sendable {
    var object: SandboxObject
    var filter: QueryFilter?
    /// (field index, descending).
    var order: [(field: Int, descending: Bool)] = []
    var caseInsensitive = false
    /// Entities whose records are visible (0 = top level).
    var scopes: [Int]

    /// Which entities a session sees for an object: an entity session its own records and the top level's;
    /// a top-level session the top level, plus every entity's private records with showprivate.
    static func scopes(for object: SandboxObject, sessionEntity: Int, showPrivate: Bool) -> [Int] {
        switch object {
        case .AUDITHISTORY:
            if sessionEntity != 0 { return [0, sessionEntity] }
            return showPrivate ? [0, 1, 2, 3] : [0]
        default:
            if object.level == .top { return [0] }
            if sessionEntity != 0 { return [sessionEntity] }
            return showPrivate ? [1, 2, 3] : []
        }
    }

    var cacheKey: String {
        "\(object.rawValue)|\(scopes)|\(filter?.description ?? "")|\(order.map { "\($0.field)\($0.descending ? "d" : "a")" })|\(caseInsensitive)"
    }
}
