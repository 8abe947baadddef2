import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Sandbox
import HTTP
import XCTest

/// Talks to a sandbox over real HTTP with raw XML, the way the Intacct client will.
final class SandboxHarness: Sendable {
    let server: SandboxServer
    let http = HTTPClient()

    static let sender = "<senderid>demo-sender</senderid><password>sender-secret</password>"
    static let login = "<login><userid>api_user</userid><companyid>DEMO</companyid><password>user-secret</password></login>"

    init(seed: UInt64 = 42, scale: Int = 20_000, maxConcurrent: Int = 2, utcOffsetSeconds: Int64 = 0) async throws {
        var configuration = SandboxConfiguration(seed: seed, scale: scale, maxConcurrentRequests: maxConcurrent)
        configuration.utcOffsetSeconds = utcOffsetSeconds
        server = SandboxServer(configuration: configuration)
        try await server.start(host: "127.0.0.1", port: 0)
    }

    func stop() async { await server.stop() }

    /// Runs `body` with a started sandbox and stops it afterwards, whether `body` returns or throws.
    static func with<T>(seed: UInt64 = 42, scale: Int = 20_000, maxConcurrent: Int = 2,
                        _ body: (SandboxHarness) async throws -> T) async throws -> T {
        let harness = try await SandboxHarness(seed: seed, scale: scale, maxConcurrent: maxConcurrent)
        do {
            let result = try await body(harness)
            await harness.stop()
            return result
        } catch {
            await harness.stop()
            throw error
        }
    }

    static func envelope(auth: String, functions: String, sender: String = sender, transaction: Bool = false) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <request><control>\(sender)<controlid>ctl-1</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion>\
        <includewhitespace>false</includewhitespace></control><operation transaction="\(transaction)">\
        <authentication>\(auth)</authentication><content>\(functions)</content></operation></request>
        """
    }

    static func function(_ body: String, id: String = "f-1") -> String {
        "<function controlid=\"\(id)\">\(body)</function>"
    }

    func post(_ xml: String, to url: URL? = nil) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(method: "POST", url: (url ?? server.gatewayURL).absoluteString,
                                        headers: [("Content-Type", "application/xml")], body: Data(xml.utf8), timeout: .seconds(60)))
    }

    func postXML(_ xml: String) async throws -> XMLElement {
        let response = try await post(xml)
        XCTAssertEqual(response.status, 200, response.bodyText)
        return try Self.parse(response.body)
    }

    /// Whether a strict XML 1.0 parser accepts the body (FoundationXML's DOM recovers from some errors).
    static func isWellFormed(_ data: Data) -> Bool {
        XMLParser(data: data).parse()
    }

    static func parse(_ data: Data) throws -> XMLElement {
        let document = try XMLDocument(data: data, options: [])
        return document.rootElement()!
    }

    /// A session id from getAPISession, optionally for an entity.
    func session(entity: String? = nil) async throws -> String {
        let location = entity.map { "<locationid>\($0)</locationid>" } ?? ""
        let root = try await postXML(Self.envelope(auth: Self.login, functions: Self.function("<getAPISession>\(location)</getAPISession>")))
        let id = root.text("operation/result/data/api/sessionid")
        XCTAssertFalse(id.isEmpty, "no session id in \(root.xmlString)")
        return id
    }

    /// Runs one `query` and returns the `<data>` element.
    func query(session: String, object: String, fields: [String], filter: String = "", orderBy: [String] = ["WHENMODIFIED", "RECORDNO"],
               pageSize: Int = 1000, offset: Int = 0, showPrivate: Bool = false) async throws -> XMLElement {
        let select = fields.map { "<field>\($0)</field>" }.joined()
        let order = orderBy.isEmpty ? "" : "<orderby>" + orderBy.map { "<order><field>\($0)</field><ascending/></order>" }.joined() + "</orderby>"
        let body = "<query><object>\(object)</object><select>\(select)</select>"
            + (filter.isEmpty ? "" : "<filter>\(filter)</filter>") + order
            + "<options><showprivate>\(showPrivate)</showprivate></options><pagesize>\(pageSize)</pagesize><offset>\(offset)</offset></query>"
        let root = try await postXML(Self.envelope(auth: "<sessionid>\(session)</sessionid>", functions: Self.function(body)))
        XCTAssertEqual(root.text("operation/result/status"), "success", root.xmlString)
        return root.element("operation/result/data") ?? XMLElement(name: "data")
    }

    /// Every row of a query, paging by offset until numremaining is 0.
    func queryAll(session: String, object: String, fields: [String], filter: String = "", pageSize: Int = 1000,
                  showPrivate: Bool = false) async throws -> [[String: String]] {
        let orderBy = object == "AUDITHISTORY" ? ["ACCESSTIME", "ID"] : ["WHENMODIFIED", "RECORDNO"]
        var rows: [[String: String]] = []
        var offset = 0
        while true {
            let data = try await query(session: session, object: object, fields: fields, filter: filter, orderBy: orderBy,
                                       pageSize: pageSize, offset: offset, showPrivate: showPrivate)
            rows += data.rows
            offset += data.rows.count
            if data.attr("numremaining") == "0" || data.rows.isEmpty { return rows }
        }
    }

    // MARK: Admin API over HTTP

    func admin(_ method: String, _ path: String, json: String? = nil) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(method: method, url: server.baseURL.absoluteString + path,
                                        headers: [("Content-Type", "application/json")], body: Data((json ?? "").utf8)))
    }

    func adminJSON(_ method: String, _ path: String, json: String? = nil) async throws -> [String: Any] {
        let response = try await admin(method, path, json: json)
        XCTAssertEqual(response.status, 200, response.bodyText)
        return try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
    }
}

extension XMLElement {
    func element(_ path: String) -> XMLElement? {
        var current: XMLElement? = self
        for name in path.split(separator: "/") {
            current = current?.children?.first { $0.name == String(name) } as? XMLElement
        }
        return current
    }

    func text(_ path: String) -> String { element(path)?.stringValue ?? "" }

    func attr(_ name: String) -> String { attribute(forName: name)?.stringValue ?? "" }

    var childElements: [XMLElement] { children?.compactMap { $0 as? XMLElement } ?? [] }

    /// Rows of a `<data>` element as field → value.
    var rows: [[String: String]] {
        childElements.map { row in
            Dictionary(uniqueKeysWithValues: row.childElements.map { ($0.name ?? "", $0.stringValue ?? "") })
        }
    }

    /// errorno values of an errormessage found at `path`.
    func errorNumbers(_ path: String) -> [String] {
        element(path)?.childElements.map { $0.text("errorno") } ?? []
    }
}
