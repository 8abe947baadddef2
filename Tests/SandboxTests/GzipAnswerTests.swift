import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Sandbox
import XCTest

/// Gateway answers come gzipped when the request accepts gzip. The client here is a bare socket, so the
/// bytes are seen as they travel (libcurl would decode them out of sight); `gzip -d` unpacks them.
final class GzipAnswerTests: XCTestCase {
    /// One HTTP/1.1 exchange with `Connection: close`: the status line and headers, and the raw body.
    func exchange(port: Int, body: String, acceptEncoding: String?) throws -> (headers: [String: String], body: Data) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        var request = "POST /ia/xml/xmlgw.phtml HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/xml\r\nConnection: close\r\n"
        if let acceptEncoding { request += "Accept-Encoding: \(acceptEncoding)\r\n" }
        request += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        let bytes = Array(request.utf8)
        XCTAssertEqual(bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }, bytes.count)
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received.append(contentsOf: buffer[..<n])
        }
        let separator = received.range(of: Data("\r\n\r\n".utf8))!
        let head = String(decoding: received[..<separator.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [":status": head[0]]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var payload = Data(received[separator.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { payload = Self.dechunk(payload) }
        return (headers, payload)
    }

    static func dechunk(_ data: Data) -> Data {
        var out = Data(), rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
            let size = Int(String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self), radix: 16) ?? 0
            if size == 0 { break }
            let start = lineEnd.upperBound
            out.append(rest[start..<(start + size)])
            rest = rest[(start + size + 2)...]
        }
        return out
    }

    func gunzip(_ data: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        process.arguments = ["-dc"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(data)
        try input.fileHandleForWriting.close()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "gzip could not read the body")
        return result
    }

    func testAnswersAreGzippedWhenTheRequestAcceptsGzipAndPlainOtherwise() async throws {
        try await SandboxHarness.with(scale: 4_000) { sandbox in
            let xml = SandboxHarness.envelope(auth: SandboxHarness.login, functions: SandboxHarness.function(
                "<query><object>GLENTRY</object><select><field>RECORDNO</field><field>DESCRIPTION</field><field>AMOUNT</field></select>"
                    + "<options><showprivate>true</showprivate></options><pagesize>500</pagesize></query>"))
            let plain = try exchange(port: sandbox.server.port, body: xml, acceptEncoding: nil)
            XCTAssertNil(plain.headers["content-encoding"])
            XCTAssertTrue(String(decoding: plain.body, as: UTF8.self).hasPrefix("<?xml"))

            let zipped = try exchange(port: sandbox.server.port, body: xml, acceptEncoding: "gzip, deflate")
            XCTAssertEqual(zipped.headers["content-encoding"], "gzip")
            XCTAssertEqual(Array(zipped.body.prefix(2)), [0x1F, 0x8B], "a gzip member")
            XCTAssertLessThan(zipped.body.count * 3, plain.body.count, "a page of XML shrinks well")
            XCTAssertEqual(try gunzip(zipped.body), plain.body, "the same answer once unpacked")

            let refused = try exchange(port: sandbox.server.port, body: xml, acceptEncoding: "gzip;q=0, identity")
            XCTAssertNil(refused.headers["content-encoding"])
        }
    }
}
