import Foundation
import Timestamps
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Why a request could not be read at all: answered with a control failure `XL03000003`, echoing
/// whatever of the control block could be read.
struct RequestParseError: Error, Sendable {
    var message: String
    var control = GatewayRequest.Control()
}

/// Reads a gateway request with FoundationXML's DOM (requests are a few kilobytes). Element order inside
/// a function does not matter: peers differ on it.
enum RequestParser {
    static func parse(_ body: [UInt8]) throws -> GatewayRequest {
        // FoundationXML dereferences a null document for an empty body instead of throwing.
        guard body.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) else {
            throw RequestParseError(message: "XML Parse error: the request body is empty")
        }
        let document: XMLDocument
        do {
            document = try XMLDocument(data: Data(body), options: [])
        } catch {
            throw RequestParseError(message: "XML Parse error: the request is not well-formed XML")
        }
        guard let root = document.rootElement(), root.name == "request" else {
            throw RequestParseError(message: "XML Parse schema error: the root element must be <request>")
        }
        var request = GatewayRequest()
        guard let control = root.child("control") else {
            throw RequestParseError(message: "XML Parse schema error: Element control is missing")
        }
        request.control.senderID = control.child("senderid")?.text ?? ""
        request.control.password = control.child("password")?.stringValue ?? ""
        request.control.controlID = control.child("controlid")?.text ?? ""
        request.control.uniqueID = control.child("uniqueid")?.text ?? "false"
        request.control.dtdVersion = control.child("dtdversion")?.text ?? ""
        guard request.control.dtdVersion == "3.0" else {
            throw RequestParseError(message: "XML Parse schema error: dtdversion must be 3.0", control: request.control)
        }
        guard let operation = root.child("operation") else {
            throw RequestParseError(message: "XML Parse schema error: Element operation is missing", control: request.control)
        }
        request.transaction = operation.attribute(forName: "transaction")?.stringValue?.lowercased() == "true"
        if let authentication = operation.child("authentication") {
            if let login = authentication.child("login") {
                request.authentication = .login(
                    userID: login.child("userid")?.text ?? "", companyID: login.child("companyid")?.text ?? "",
                    password: login.child("password")?.stringValue ?? "", locationID: login.child("locationid")?.text
                )
            } else if let session = authentication.child("sessionid") {
                request.authentication = .session(session.text)
            }
        }
        guard request.authentication != nil else {
            throw RequestParseError(message: "XML Parse schema error: authentication needs <login> or <sessionid>", control: request.control)
        }
        guard let content = operation.child("content") else {
            throw RequestParseError(message: "XML Parse schema error: Element content is missing", control: request.control)
        }
        for function in content.childElements where function.name == "function" {
            let controlID = function.attribute(forName: "controlid")?.stringValue ?? ""
            guard let call = function.childElements.first else {
                throw RequestParseError(message: "XML Parse schema error: <function> is empty", control: request.control)
            }
            request.functions.append(GatewayFunction(controlID: controlID, name: call.name ?? "", call: parseCall(call)))
        }
        guard !request.functions.isEmpty else {
            throw RequestParseError(message: "XML Parse schema error: <content> holds no <function>", control: request.control)
        }
        return request
    }

    private static func parseCall(_ element: XMLElement) -> FunctionCall {
        do {
            switch element.name ?? "" {
            case "getAPISession":
                return .getAPISession(locationID: element.child("locationid")?.text)
            case "query":
                return .query(try parseQuery(element))
            case "readByQuery":
                var call = ReadByQueryCall()
                call.object = element.child("object")?.text ?? ""
                call.fields = element.child("fields")?.text ?? "*"
                call.query = element.child("query")?.stringValue ?? ""
                call.pageSize = try element.child("pagesize").map { try integer($0, "pagesize") }
                call.showPrivate = element.child("showprivate")?.text.lowercased() == "true"
                return .readByQuery(call)
            case "readMore":
                return .readMore(resultID: element.child("resultId")?.text, object: element.child("object")?.text)
            case "lookup":
                return .lookup(object: element.child("object")?.text ?? "")
            case "get_accountbalances", "get_trialbalance":
                return .balances(try parseBalances(element))
            default:
                return .unsupported
            }
        } catch let error as QueryError {
            return .invalid(error)
        } catch {
            return .invalid(QueryError(description2: "\(error)"))
        }
    }

    private static func parseBalances(_ element: XMLElement) throws -> BalanceCall {
        func day(_ name: String) throws -> Int64 {
            guard let date = element.child(name) else { throw QueryError(description2: "\(element.name ?? "") requires <\(name)>") }
            guard let year = date.child("year").flatMap({ Int($0.text) }), let month = date.child("month").flatMap({ Int($0.text) }),
                  let dayOfMonth = date.child("day").flatMap({ Int($0.text) }), (1...12).contains(month), (1...31).contains(dayOfMonth) else {
                throw QueryError(description2: "<\(name)> needs numeric <year>, <month> and <day>")
            }
            return Int64(CivilDate.days(year: year, month: month, day: dayOfMonth))
        }
        var request = TrialBalanceRequest()
        request.firstDay = try day("startdate")
        request.lastDay = try day("enddate")
        guard request.firstDay <= request.lastDay else { throw QueryError(description2: "<startdate> is after <enddate>") }
        request.account = element.child("glaccountno")?.text.nilIfEmpty
        request.department = element.child("departmentid")?.text.nilIfEmpty
        return BalanceCall(trialBalance: element.name == "get_trialbalance", request: request,
                           locationID: element.child("locationid")?.text.nilIfEmpty,
                           reportingBook: element.child("reportingbook")?.text.nilIfEmpty ?? "ACCRUAL")
    }

    private static func integer(_ element: XMLElement, _ name: String) throws -> Int {
        guard let value = Int(element.text) else { throw QueryError(description2: "\(name) must be an integer, not '\(element.text)'") }
        return value
    }

    private static func parseQuery(_ element: XMLElement) throws -> QueryCall {
        var call = QueryCall()
        call.object = element.child("object")?.text ?? ""
        guard let select = element.child("select") else {
            throw QueryError(description2: "The query has no <select>; select at least one field")
        }
        for field in select.childElements {
            guard field.name == "field" else {
                throw QueryError(description2: "The sandbox does not support <\(field.name ?? "")> in <select>")
            }
            call.select.append(field.text)
        }
        if call.select.isEmpty { throw QueryError(description2: "<select> is empty") }
        if let filter = element.child("filter") {
            let children = filter.childElements
            guard children.count == 1 else { throw QueryError(description2: "<filter> must hold exactly one operator") }
            call.filter = try parseFilter(children[0])
        }
        if let orderBy = element.child("orderby") {
            for order in orderBy.childElements where order.name == "order" {
                guard let field = order.child("field")?.text else { throw QueryError(description2: "<order> needs a <field>") }
                call.order.append((field, order.child("descending") != nil))
            }
        }
        if let options = element.child("options") {
            call.caseInsensitive = options.child("caseinsensitive")?.text.lowercased() == "true"
            call.showPrivate = options.child("showprivate")?.text.lowercased() == "true"
        }
        call.pageSize = try element.child("pagesize").map { try integer($0, "pagesize") }
        call.offset = try element.child("offset").map { try integer($0, "offset") }
        return call
    }

    private static func parseFilter(_ element: XMLElement) throws -> QueryFilter {
        let name = element.name ?? ""
        func field() throws -> String {
            guard let f = element.child("field")?.text, !f.isEmpty else { throw QueryError(description2: "<\(name)> needs a <field>") }
            return f
        }
        let values = element.childElements.filter { $0.name == "value" }.map { $0.stringValue ?? "" }
        func one() throws -> String {
            guard values.count == 1 else { throw QueryError(description2: "<\(name)> takes exactly one <value>") }
            return values[0]
        }
        switch name {
        case "and", "or":
            let children = try element.childElements.map(parseFilter)
            guard children.count >= 2 else { throw QueryError(description2: "<\(name)> needs at least two filters") }
            return name == "and" ? .and(children) : .or(children)
        case "equalto": return .compare(field: try field(), .equal, value: try one())
        case "notequalto": return .compare(field: try field(), .notEqual, value: try one())
        case "lessthan": return .compare(field: try field(), .less, value: try one())
        case "lessthanorequalto": return .compare(field: try field(), .lessOrEqual, value: try one())
        case "greaterthan": return .compare(field: try field(), .greater, value: try one())
        case "greaterthanorequalto": return .compare(field: try field(), .greaterOrEqual, value: try one())
        case "like": return .like(field: try field(), pattern: try one(), negated: false)
        case "notlike": return .like(field: try field(), pattern: try one(), negated: true)
        case "in", "notin":
            guard !values.isEmpty else { throw QueryError(description2: "<\(name)> needs at least one <value>") }
            return .inList(field: try field(), values: values, negated: name == "notin")
        case "between":
            guard values.count == 2 else { throw QueryError(description2: "<between> takes two <value>s") }
            return .between(field: try field(), low: values[0], high: values[1])
        case "isnull": return .isNull(field: try field(), negated: false)
        case "isnotnull": return .isNull(field: try field(), negated: true)
        default: throw QueryError(description2: "Unknown filter operator <\(name)>")
        }
    }
}

private extension XMLElement {
    func child(_ name: String) -> XMLElement? {
        children?.first { $0.kind == .element && $0.name == name } as? XMLElement
    }

    var childElements: [XMLElement] {
        children?.compactMap { $0 as? XMLElement } ?? []
    }

    /// Text content trimmed: for names, ids and numbers, never for filter values or passwords.
    var text: String {
        (stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

private extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
