/// A parsed gateway request: the control block, how it authenticates and the functions to run.
struct GatewayRequest: Sendable {
    struct Control: Sendable {
        var senderID = ""
        var password = ""
        var controlID = ""
        var uniqueID = "false"
        var dtdVersion = "3.0"
    }

    enum Authentication: Sendable {
        case login(userID: String, companyID: String, password: String, locationID: String?)
        case session(String)
    }

    var control = Control()
    var transaction = false
    var authentication: Authentication?
    var functions: [GatewayFunction] = []
}

/// One `<function>`: its controlid, the element name as sent, and what it asks for.
struct GatewayFunction: Sendable {
    var controlID: String
    var name: String
    var call: FunctionCall

    /// The object the function reads, for fault rules matched by object.
    var objectName: String? {
        switch call {
        case .query(let q): return q.object
        case .readByQuery(let r): return r.object
        case .lookup(let object): return object
        case .readMore(_, let object): return object
        default: return nil
        }
    }
}

enum FunctionCall: Sendable {
    case getAPISession(locationID: String?)
    case query(QueryCall)
    case readByQuery(ReadByQueryCall)
    case readMore(resultID: String?, object: String?)
    case lookup(object: String)
    /// `get_accountbalances` / `get_trialbalance`, the legacy balance functions.
    case balances(BalanceCall)
    /// Well-formed XML that does not make a valid call: reported in this function's result.
    case invalid(QueryError)
    case unsupported
}

struct QueryCall: Sendable {
    var object = ""
    var select: [String] = []
    var filter: QueryFilter?
    var order: [(field: String, descending: Bool)] = []
    var caseInsensitive = false
    var showPrivate = false
    var pageSize: Int?
    var offset: Int?
}

struct ReadByQueryCall: Sendable {
    var object = ""
    var fields = "*"
    var query = ""
    var pageSize: Int?
    var showPrivate = false
}

/// A legacy balance function: the date range and filters it names.
struct BalanceCall: Sendable {
    /// `get_trialbalance` rather than `get_accountbalances`; the two answer the same figures.
    var trialBalance: Bool
    var request: TrialBalanceRequest
    /// An entity id (E100…) narrows a top-level call to that entity.
    var locationID: String?
    var reportingBook: String
}
