import Foundation

/// An HTTP answer of the gateway, before it is handed to the HTTP server.
struct GatewayReply: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    /// Set by the `latency` fault: the reply leaves no sooner than this.
    var notBefore: ContinuousClock.Instant?

    /// The content type Intacct sends, as recorded behind Cloudflare.
    static let xmlContentType = #"text/xml; encoding="UTF-8";charset=UTF-8"#

    static func xml(_ body: [UInt8], status: Int = 200) -> GatewayReply {
        GatewayReply(status: status, headers: [("Content-Type", xmlContentType)], body: body)
    }
}

/// Runs one gateway request through the steps of reference §9: concurrency limit, parse, request-level
/// faults, control block, authentication, functions in order, response-level faults.
struct GatewayHandler: Sendable {
    let state: SandboxState
    let gatewayURL: String

    private var config: SandboxConfiguration { state.configuration }

    /// - Parameter gzip: whether the caller accepts a gzip body; compressed here, so that the `latency`
    ///   fault's wait covers it like the rest of the answer's work.
    func handle(_ body: [UInt8], gzip: Bool) async -> GatewayReply {
        let admitted: Bool = state.locked { s in
            s.counters.requests += 1
            guard s.counters.inFlight < s.configuration.maxConcurrentRequests else {
                s.counters.rateLimited += 1
                return false
            }
            s.counters.inFlight += 1
            s.counters.maxInFlight = max(s.counters.maxInFlight, s.counters.inFlight)
            return true
        }
        guard admitted else { return Self.encoded(rateLimitedReply(retryAfter: 1), gzip: gzip) }
        defer { state.locked { $0.counters.inFlight -= 1 } }
        let reply = Self.encoded(process(body), gzip: gzip)
        // Still in flight while it waits: the concurrency limit counts a slow request until it is answered.
        if let notBefore = reply.notBefore { try? await Task.sleep(until: notBefore, clock: .continuous) }
        return reply
    }

    private static func encoded(_ reply: GatewayReply, gzip: Bool) -> GatewayReply {
        guard gzip, let compressed = GzipEncoding.compress(reply.body) else { return reply }
        var encoded = reply
        encoded.body = compressed
        encoded.headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        return encoded
    }

    private func rateLimitedReply(retryAfter: Int) -> GatewayReply {
        var reply = GatewayReply.xml(ResponseWriter.rateLimited(requestID: "SBX-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)), status: 429)
        reply.headers.append(("Retry-After", String(retryAfter)))
        return reply
    }

    private func process(_ body: [UInt8]) -> GatewayReply {
        let arrived = ContinuousClock.now
        let request: GatewayRequest
        do {
            request = try RequestParser.parse(body)
        } catch let error as RequestParseError {
            return .xml(ResponseWriter.controlFailure(error.control, [.parse(error.message)]))
        } catch {
            return .xml(ResponseWriter.controlFailure(GatewayRequest.Control(), [.parse("\(error)")]))
        }

        let (latency, transportFault) = state.locked { s in
            (s.faultInjector.take([.latency], functions: request.functions),
             s.faultInjector.take([.http429, .http502, .http503, .http524, .cloudflareHTML], functions: request.functions))
        }
        // Intacct's response time includes its own work: the answer is built (and compressed) during the
        // wait, so a page takes `ms` in all, not `ms` plus the sandbox's time to write it.
        var reply = answer(request, transportFault: transportFault)
        reply.notBefore = latency.map { arrived + .milliseconds($0.ms ?? 1000) }
        return reply
    }

    private func answer(_ request: GatewayRequest, transportFault: SandboxFault?) -> GatewayReply {
        if let transportFault { return transportReply(transportFault) }

        guard request.control.senderID == config.senderID, request.control.password == config.senderPassword else {
            return .xml(ResponseWriter.controlFailure(request.control, [.badSender]))
        }

        // Authentication: who is calling and in which entity.
        var entity = 0
        var userID = config.userID
        var companyID = config.companyID
        switch request.authentication! {
        case .login(let user, let company, let password, let location):
            userID = user
            companyID = company
            guard user == config.userID, company.uppercased() == config.companyID.uppercased(), password == config.userPassword,
                  let e = entityIndex(location) else {
                return .xml(ResponseWriter.authenticationFailure(request.control, userID: user, companyID: company, .badLogin))
            }
            entity = e
        case .session(let id):
            let session: SessionStore.Session? = state.locked { s in
                if s.faultInjector.sessionExpires(functions: request.functions) { s.expireSession(id) }
                return s.authenticate(session: id)
            }
            guard let session else {
                return .xml(ResponseWriter.authenticationFailure(request.control, userID: "", companyID: "", .invalidSession))
            }
            entity = session.entity
        }

        let (snapshot, now) = state.locked { ($0.snapshot, $0.now) }
        let (controlCharacters, truncated) = state.locked { s in
            (s.faultInjector.take([.controlCharacters], functions: request.functions) != nil,
             s.faultInjector.take([.truncatedXML], functions: request.functions) != nil)
        }
        var results: [FunctionResult] = []
        var failed = false
        for function in request.functions {
            if failed && request.transaction {
                results.append(FunctionResult(function: function.name, controlID: function.controlID, status: "aborted", errors: [.rolledBack]))
                continue
            }
            var result = run(function, entity: entity, snapshot: snapshot, injectControlCharacters: controlCharacters)
            if result.status != "success" { failed = true }
            if request.transaction && failed {
                // One failure rolls back the whole operation: earlier results are withdrawn too.
                for i in results.indices {
                    results[i] = FunctionResult(function: results[i].function, controlID: results[i].controlID, status: "aborted", errors: [.rolledBack])
                }
                result.status = "aborted"
                result.data = nil
                result.errors.append(.rolledBack)
            }
            results.append(result)
        }

        let echo = AuthenticationEcho(userID: userID, companyID: companyID, locationID: CompanyLayout.entityIDs[entity] == "top" ? "" : CompanyLayout.entityIDs[entity],
                                      timestamp: now, timeout: now + config.sessionSeconds, utcOffset: config.utcOffsetSeconds)
        var bytes = ResponseWriter.success(request.control, echo, results)
        if let untypeable = state.locked({ $0.faultInjector.take([.untypeableValue], functions: request.functions) }) {
            bytes = UntypeableValue.apply(untypeable, to: bytes)
        }
        if truncated { bytes = Array(bytes[..<(bytes.count / 2)]) }
        return .xml(bytes)
    }

    private func entityIndex(_ location: String?) -> Int? {
        guard let location, !location.isEmpty else { return 0 }
        return CompanyLayout.entityIDs.firstIndex(of: location.uppercased()).flatMap { $0 == 0 ? nil : $0 }
    }

    private func transportReply(_ fault: SandboxFault) -> GatewayReply {
        switch fault.kind {
        case .http429:
            state.locked { $0.counters.rateLimited += 1 }
            return rateLimitedReply(retryAfter: fault.retryAfter ?? 1)
        case .http502:
            return html(502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
        case .http503:
            return html(503, "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>")
        case .http524:
            return html(524, cloudflarePage(code: 524, title: "A timeout occurred"))
        default:
            let status = fault.status ?? 520
            return html(status, cloudflarePage(code: status, title: "Web server is returning an unknown error"))
        }
    }

    private func html(_ status: Int, _ text: String) -> GatewayReply {
        GatewayReply(status: status, headers: [("Content-Type", "text/html; charset=UTF-8"), ("Server", "cloudflare")], body: Array(text.utf8))
    }

    private func cloudflarePage(code: Int, title: String) -> String {
        """
        <!DOCTYPE html><html lang="en-US"><head><title>api.intacct.com | \(code): \(title)</title></head><body>\
        <div id="cf-wrapper"><div id="cf-error-details" class="cf-error-details-wrapper"><h1>\(title)</h1>\
        <span class="cf-error-code">Error code \(code)</span><p>Cloudflare Ray ID: sandbox</p></div></div></body></html>
        """
    }

    // MARK: Functions

    private func run(_ function: GatewayFunction, entity: Int, snapshot: CompanySnapshot, injectControlCharacters: Bool) -> FunctionResult {
        let object = objectName(function)
        if let fault = state.locked({ s in
            s.faultInjector.take(.flakyAuditHistory, function: function, object: object)
                ?? s.faultInjector.take(.applicationError, function: function, object: object)
        }) {
            if fault.kind == .flakyAuditHistory { return .failure(function, .processingError) }
            return .failure(function, SandboxErrorMessage(errorno: fault.errorno ?? "DL02000001", description: fault.description ?? "",
                                                  description2: fault.description2 ?? "There was an error processing the request.",
                                                  correction: fault.correction ?? ""))
        }
        do {
            switch function.call {
            case .getAPISession(let location):
                return try getAPISession(function, location: location, entity: entity)
            case .query(let call):
                return try query(function, call, entity: entity, snapshot: snapshot, inject: injectControlCharacters)
            case .readByQuery(let call):
                return try readByQuery(function, call, entity: entity, snapshot: snapshot, inject: injectControlCharacters)
            case .readMore(let resultID, _):
                return try readMore(function, resultID: resultID ?? "", inject: injectControlCharacters)
            case .lookup(let name):
                guard let object = SandboxObject(name: name) else { return .failure(function, .unknownObject(name)) }
                return FunctionResult(function: function.name, controlID: function.controlID, data: PageWriter.lookupData(object, snapshot: snapshot))
            case .balances(let call):
                return try balances(function, call, entity: entity, snapshot: snapshot)
            case .invalid(let error):
                return .failure(function, SandboxErrorMessage(error))
            case .unsupported:
                return .failure(function, SandboxErrorMessage(errorno: "XL03000003", description: "XML Parse schema error",
                                                      description2: "Function \(function.name) is not supported by the sandbox."))
            }
        } catch let error as QueryError {
            return .failure(function, SandboxErrorMessage(error))
        } catch let error as SandboxErrorMessageBox {
            return .failure(function, error.error)
        } catch {
            return .failure(function, SandboxErrorMessage(errorno: "DL02000001", description: "", description2: "\(error)"))
        }
    }

    /// The object a function reads; for readMore the object of its cursor.
    private func objectName(_ function: GatewayFunction) -> String? {
        if case .readMore(let id?, _) = function.call {
            return state.locked { $0.cursor(id)?.object.rawValue }
        }
        return function.objectName
    }

    private func getAPISession(_ function: GatewayFunction, location: String?, entity: Int) throws -> FunctionResult {
        var target = entity
        if let location {
            guard let e = entityIndex(location) else {
                throw SandboxErrorMessageBox(SandboxErrorMessage(errorno: "XL03000006", description: "Invalid location",
                                                   description2: "Location \(location) is not an entity of company \(config.companyID).",
                                                   correction: "Use a LOCATIONID listed by LOCATIONENTITY."))
            }
            target = e
        }
        let session = state.locked { $0.createSession(entity: target) }
        var out = XMLBuffer()
        out.raw("<data><api>")
        out.element("sessionid", session.id)
        out.element("endpoint", gatewayURL)
        out.element("locationid", target == 0 ? "" : CompanyLayout.entityIDs[target])
        out.raw("</api></data>")
        return FunctionResult(function: function.name, controlID: function.controlID, data: out.bytes)
    }

    /// Rows per entity and account; a top-level session gets every entity (or the one `locationid` names),
    /// an entity session its own.
    private func balances(_ function: GatewayFunction, _ call: BalanceCall, entity: Int, snapshot: CompanySnapshot) throws -> FunctionResult {
        guard call.reportingBook.uppercased() == "ACCRUAL" else {
            throw QueryError(description2: "Reporting book \(call.reportingBook) does not exist in company \(config.companyID)",
                             correction: "Use ACCRUAL, the company's only book.")
        }
        var entities = entity == 0 ? [1, 2, 3] : [entity]
        if let location = call.locationID {
            guard let e = entityIndex(location), e != 0, entity == 0 || e == entity else {
                throw QueryError(description2: "Location \(location) is not an entity this session can read",
                                 correction: "Use a LOCATIONID listed by LOCATIONENTITY.")
            }
            entities = [e]
        }
        let rows = snapshot.trialBalance(entities: entities, call.request)
        let element = call.trialBalance ? "trialbalance" : "accountbalance"
        var out = XMLBuffer()
        out.raw("<data")
        out.attribute("listtype", element)
        out.attribute("count", String(rows.count))
        out.raw(">")
        for row in rows {
            out.open(element)
            out.element("glaccountno", row.account)
            out.element("locationid", row.entity)
            out.element("startbalance", row.startBalance)
            out.element("debits", row.debits)
            out.element("credits", row.credits)
            out.element("adjdebits", row.adjustmentDebits)
            out.element("adjcredits", row.adjustmentCredits)
            out.element("endbalance", row.endBalance)
            out.element("reportingbook", "ACCRUAL")
            out.element("currency", row.currency)
            out.close(element)
        }
        out.close("data")
        return FunctionResult(function: function.name, controlID: function.controlID, data: out.bytes)
    }

    private func resolve(_ name: String) throws -> SandboxObject {
        guard let object = SandboxObject(name: name) else { throw SandboxErrorMessageBox(.unknownObject(name)) }
        return object
    }

    private func fieldIndex(_ name: String, _ schema: ObjectSchema, _ where_: String) throws -> Int {
        guard let index = schema.field(named: name) else {
            throw QueryError(description2: "Invalid field \(name) in \(where_) for object \(schema.object.rawValue)",
                             correction: "Use a field listed by lookup.")
        }
        return index
    }

    /// Selects may also name fields added at run time; filters and sorts stay on the schema's own fields.
    private func selectIndex(_ name: String, _ object: SandboxObject, _ snapshot: CompanySnapshot) throws -> Int {
        guard let index = snapshot.fieldIndex(object, name) else {
            throw QueryError(description2: "Invalid field \(name) in select for object \(object.rawValue)",
                             correction: "Use a field listed by lookup.")
        }
        return index
    }

    private func query(_ function: GatewayFunction, _ call: QueryCall, entity: Int, snapshot: CompanySnapshot, inject: Bool) throws -> FunctionResult {
        let object = try resolve(call.object)
        let schema = object.schema
        let fields = try call.select.map { try selectIndex($0, object, snapshot) }
        let order = try call.order.map { (field: try fieldIndex($0.field, schema, "orderby"), descending: $0.descending) }
        let pageSize = call.pageSize ?? 100
        guard (1...2000).contains(pageSize) else {
            throw QueryError(description2: "pagesize \(pageSize) is out of range: query returns 1 to 2000 rows per call")
        }
        let offset = call.offset ?? 0
        guard offset >= 0 else { throw QueryError(description2: "offset must not be negative") }
        let (ignoreFilter, reshape, empty) = state.locked { s in
            (s.faultInjector.take(.ignoredFilter, function: function, object: call.object) != nil,
             s.faultInjector.take(.misnamedRows, function: function, object: call.object)
                ?? s.faultInjector.take(.unorderedRows, function: function, object: call.object),
             s.faultInjector.take(.emptyPage, function: function, object: call.object) != nil)
        }
        let spec = QuerySpec(object: object, filter: ignoreFilter ? nil : call.filter, order: order, caseInsensitive: call.caseInsensitive,
                             scopes: QuerySpec.scopes(for: object, sessionEntity: entity, showPrivate: call.showPrivate))
        let sequence = try QueryEngine(snapshot: snapshot, cache: state.queryCache).execute(spec)
        let start = min(offset, sequence.count)
        let page = PageWriter.Page(sequence: sequence, snapshot: snapshot, object: object, fields: fields, start: start,
                                   count: empty ? 0 : min(pageSize, sequence.count - start), injectControlCharacters: inject)
        var data = PageWriter.queryData(page)
        if let reshape { data = PageShapeFault.apply(reshape.kind, to: data, rowElement: object.rawValue) }
        return FunctionResult(function: function.name, controlID: function.controlID, data: data)
    }

    private func readByQuery(_ function: GatewayFunction, _ call: ReadByQueryCall, entity: Int, snapshot: CompanySnapshot,
                             inject: Bool) throws -> FunctionResult {
        let object = try resolve(call.object)
        let trimmed = call.fields.trimmingCharacters(in: .whitespacesAndNewlines)
        let fields = trimmed == "*" || trimmed.isEmpty
            ? Array(snapshot.fields(of: object).indices)
            : try trimmed.split(separator: ",").map { try selectIndex(String($0), object, snapshot) }
        let pageSize = call.pageSize ?? 100
        guard (1...1000).contains(pageSize) else {
            throw QueryError(description2: "pagesize \(pageSize) is out of range: readByQuery returns 1 to 1000 rows per call")
        }
        let filter = try QueryStringParser.parse(call.query)
        let spec = QuerySpec(object: object, filter: filter, caseInsensitive: false,
                             scopes: QuerySpec.scopes(for: object, sessionEntity: entity, showPrivate: call.showPrivate))
        let sequence = try QueryEngine(snapshot: snapshot, cache: state.queryCache).execute(spec)
        let count = min(pageSize, sequence.count)
        var resultID = ""
        if count < sequence.count {
            let cursor = ResultCursor(snapshot: snapshot, sequence: sequence, object: object, fields: fields, position: count, pageSize: pageSize)
            resultID = state.locked { $0.storeCursor(cursor) }
        }
        let page = PageWriter.Page(sequence: sequence, snapshot: snapshot, object: object, fields: fields, start: 0,
                                   count: count, injectControlCharacters: inject)
        return FunctionResult(function: function.name, controlID: function.controlID, data: PageWriter.readByQueryData(page, resultID: resultID))
    }

    private func readMore(_ function: GatewayFunction, resultID: String, inject: Bool) throws -> FunctionResult {
        guard let cursor = state.locked({ $0.cursor(resultID) }) else {
            throw SandboxErrorMessageBox(SandboxErrorMessage(errorno: "DL02000001", description: "Could not read more",
                                               description2: "resultId '\(resultID)' is unknown or has expired.",
                                               correction: "Run the readByQuery again."))
        }
        let start = min(cursor.position, cursor.sequence.count)
        let count = min(cursor.pageSize, cursor.sequence.count - start)
        let remaining = cursor.sequence.count - start - count
        let advanced = cursor
        state.locked { s in
            var next = advanced
            next.position = start + count
            s.updateCursor(resultID, remaining > 0 ? next : nil)
        }
        let page = PageWriter.Page(sequence: cursor.sequence, snapshot: cursor.snapshot, object: cursor.object, fields: cursor.fields,
                                   start: start, count: count, injectControlCharacters: inject)
        return FunctionResult(function: function.name, controlID: function.controlID,
                              data: PageWriter.readByQueryData(page, resultID: remaining > 0 ? resultID : ""))
    }
}

/// Carries an Intacct error out of a function body.
struct SandboxErrorMessageBox: Error {
    var error: SandboxErrorMessage
    init(_ error: SandboxErrorMessage) { self.error = error }
}
