import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The loader benchmark's stand-in for BigQuery: a plain HTTP/1.1 server on a real loopback socket that
/// answers every call a loader makes — `tables.get` says not found, `tables.insert` and query jobs
/// succeed, `insertAll` accepts every row (after `insertDelay`, to play a slow BigQuery) — and counts
/// the rows it accepted (`GET /count`).
///
/// Blocking sockets and a thread per connection (the loader keeps a handful of keep-alive connections),
/// with `memmem` to count rows: the sink spends next to no CPU, so on a shared 2-core machine the loader
/// measured is not competing with an async HTTP stack parsing 700 KB bodies.
final class InsertAllSink: Sendable {
    let port: UInt16
    private let listener: Int32
    private let insertDelay: Duration
    /// Rows accepted and insertAll calls, updated by the connection threads.
    private let totals = Mutex((rows: 0, inserts: 0))

    /// Rows that went another way (the feeder's Storage Write sink), added to `/count`'s `rows`.
    private let otherRows: StorageWriteRowCounter?

    init(insertDelay: Duration = .zero, alsoCounting otherRows: StorageWriteRowCounter? = nil) throws {
        self.insertDelay = insertDelay
        self.otherRows = otherRows
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        listener = fd
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound, listen(fd, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "sink-accept"
        thread.start()
    }

    /// Rows accepted so far, and insertAll calls.
    var counts: (rows: Int, inserts: Int) { totals.withLock { $0 } }
    /// Rows accepted here and by the other sink (`GET /count`'s `rows`).
    var totalRows: Int { counts.rows + (otherRows?.value ?? 0) }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                return
            }
            var yes: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(connection) }
            thread.name = "sink-connection"
            thread.start()
        }
    }

    /// One keep-alive connection: requests in sequence until the client closes it.
    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var filled = 0
        while true {
            // Headers: up to the blank line.
            var headerEnd: Int?
            while true {
                headerEnd = Self.find(Array("\r\n\r\n".utf8), in: buffer, upTo: filled)
                if headerEnd != nil { break }
                guard Self.read(connection, into: &buffer, filled: &filled) else { return }
            }
            let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
            let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let requestLine = lines.first?.split(separator: " ") ?? []
            guard requestLine.count >= 2 else { return }
            // The path without its query: Google's Python client appends `?prettyPrint=false`.
            let method = String(requestLine[0]), path = String(requestLine[1].prefix { $0 != "?" })
            var contentLength = 0
            var closeAfter = false
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if name == "content-length" { contentLength = Int(value) ?? 0 }
                if name == "connection" && value.lowercased() == "close" { closeAfter = true }
                if name == "transfer-encoding" { return }  // libcurl sends Content-Length for the loader's bodies
            }
            let bodyStart = headerEnd! + 4
            while filled < bodyStart + contentLength {
                guard Self.read(connection, into: &buffer, filled: &filled) else { return }
            }
            let (status, body) = answer(method: method, path: path, body: buffer, range: bodyStart..<bodyStart + contentLength)
            let response = Array("HTTP/1.1 \(status) \(status == 200 ? "OK" : "Not Found")\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
            var sent = 0
            while sent < response.count {
                let written = response.withUnsafeBytes { send(connection, $0.baseAddress! + sent, response.count - sent, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { return }
                sent += written
            }
            if closeAfter { return }
            // Keep what arrived after this request (a pipelined next one).
            let consumed = bodyStart + contentLength
            if filled > consumed { buffer.withUnsafeMutableBytes { _ = memmove($0.baseAddress!, $0.baseAddress! + consumed, filled - consumed) } }
            filled -= consumed
        }
    }

    private func answer(method: String, path: String, body: [UInt8], range: Range<Int>) -> (Int, String) {
        if path == "/count" {
            return (200, "{\"rows\":\(totalRows),\"inserts\":\(counts.inserts)}")
        }
        if method == "POST" && path.hasSuffix("/insertAll") {
            // The member name alone: the loader writes `"insertId":`, Python's json module `"insertId": `.
            let accepted = Self.occurrences(of: Array(#""insertId""#.utf8), in: body, range: range)
            if insertDelay > .zero { usleep(UInt32(insertDelay.components.seconds * 1_000_000 + insertDelay.components.attoseconds / 1_000_000_000_000)) }
            totals.withLock {
                $0.rows += accepted
                $0.inserts += 1
            }
            return (200, #"{"kind":"bigquery#tableDataInsertAllResponse"}"#)
        }
        if method == "POST" && path.hasSuffix("/queries") {
            return (200, #"{"kind":"bigquery#queryResponse","jobReference":{"projectId":"demo","jobId":"sink"},"jobComplete":true}"#)
        }
        if method == "GET" && path.contains("/tables/") {
            return (404, #"{"error":{"code":404,"message":"not found","errors":[{"reason":"notFound"}]}}"#)
        }
        return (200, "{}")
    }

    /// Reads what is available, growing the buffer when full. False when the peer closed.
    private static func read(_ connection: Int32, into buffer: inout [UInt8], filled: inout Int) -> Bool {
        if filled == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress! + filled, $0.count - filled, 0) }
        guard count > 0 else { return false }
        filled += count
        return true
    }

    private static func find(_ needle: [UInt8], in buffer: [UInt8], upTo end: Int) -> Int? {
        buffer.withUnsafeBytes { haystack in search(needle, in: haystack, from: 0, to: end) }
    }

    private static func occurrences(of needle: [UInt8], in buffer: [UInt8], range: Range<Int>) -> Int {
        buffer.withUnsafeBytes { haystack in
            var count = 0
            var start = range.lowerBound
            while let hit = search(needle, in: haystack, from: start, to: range.upperBound) {
                count += 1
                start = hit + needle.count
            }
            return count
        }
    }

    /// First offset of `needle` in `haystack[from..<to]`: memchr for its first byte, memcmp for the rest
    /// (Glibc's `memmem` is not visible to Swift).
    private static func search(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard let base = haystack.baseAddress, !needle.isEmpty else { return nil }
        var start = from
        while to - start >= needle.count {
            guard let hit = memchr(base + start, Int32(needle[0]), to - start - needle.count + 1) else { return nil }
            let offset = base.distance(to: UnsafeRawPointer(hit))
            if needle.withUnsafeBytes({ memcmp(base + offset, $0.baseAddress!, needle.count) }) == 0 { return offset }
            start = offset + 1
        }
        return nil
    }
}
