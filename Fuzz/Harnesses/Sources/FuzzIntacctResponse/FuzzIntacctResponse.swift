import Foundation
import FuzzInput
import Poller
import HTTP

// Fuzzes how the poller reads an answer from the XML gateway: `IntacctGateway.interpret` (status, HTML
// pages, Retry-After, the envelope) and `IntacctResponseReader` on both its in-memory and streaming paths.
//
// Input: a response body, optionally preceded by `HTTP <status>` and `name: value` header lines and an
// empty line (Fuzz/corpus/intacct-response has both forms). Thrown errors are the expected answer to a bad
// body; only traps, sanitizer reports, hangs and disagreements between the two reading paths are findings.

@_cdecl("FuzzIntacctResponse_main")
public func fuzzIntacctResponseMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzIntacctResponse)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIntacctResponse(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FramedInput(bytes.map { Data(bytes: $0, count: count) } ?? Data(), marker: "HTTP ")
    var status = 200
    var headers: [String: String] = [:]
    for (index, header) in input.headers.enumerated() {
        if index == 0 {
            status = Int(header.name.dropFirst(5).trimmingCharacters(in: .whitespaces)) ?? 200
        } else {
            headers[header.name.lowercased()] = header.value
        }
    }
    let body = input.body

    do {
        let response = try IntacctGateway.interpret(HTTPResponse(status: status, headers: headers, body: body))
        _ = response.results.map(\.rows.count)
    } catch {
        _ = String(describing: error)
    }

    checkSanitizerIsIncremental(body)

    let reader = IntacctResponseReader()
    let whole = try? reader.read(body)
    var streamedRows: [(Int, IntacctRow)] = []
    let chunk = 1 + body.count % 64
    var position = 0
    let streamed = try? reader.read(streaming: { buffer in
        let take = min(chunk, buffer.count, body.count - position)
        guard take > 0 else { return 0 }
        body.withUnsafeBytes { raw in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[position..<position + take]))
        }
        position += take
        return take
    }, rowHandler: { streamedRows.append(($0, $1)) })
    if let whole, let streamed {
        checkSameResponse(whole, streamed, streamedRows: streamedRows, body: body)
    }
    return 0
}

/// `XMLSanitizer` promises the same output whether a body arrives whole or in chunks (a character
/// reference may be split across two reads).
private func checkSanitizerIsIncremental(_ body: Data) {
    var oneGo = XMLSanitizer()
    var whole: (data: [UInt8], removed: Int) = ([], 0)
    body.withUnsafeBytes { oneGo.process($0, into: &whole.data) }
    oneGo.finish(into: &whole.data)
    whole.removed = oneGo.removed
    var sanitizer = XMLSanitizer()
    var out: [UInt8] = []
    let chunk = 1 + body.count % 17
    body.withUnsafeBytes { raw in
        var start = 0
        while start < raw.count {
            let end = min(start + chunk, raw.count)
            sanitizer.process(UnsafeRawBufferPointer(rebasing: raw[start..<end]), into: &out)
            start = end
        }
    }
    sanitizer.finish(into: &out)
    guard out == whole.data, sanitizer.removed == whole.removed else {
        fatalError("XMLSanitizer: chunks of \(chunk) give \(out.count) bytes (\(sanitizer.removed) removed), whole gives \(whole.data.count) (\(whole.removed) removed)")
    }
}

/// Both reading paths must see the same envelope and rows when both succeed.
private func checkSameResponse(_ whole: IntacctResponse, _ streamed: IntacctResponse, streamedRows: [(Int, IntacctRow)], body: Data) {
    func fail(_ what: String) -> Never { fatalError("IntacctResponseReader: in-memory and streaming reads differ in \(what)") }
    if whole.control != streamed.control { fail("control") }
    if whole.authentication != streamed.authentication { fail("authentication") }
    if whole.sanitizedCharacters != streamed.sanitizedCharacters { fail("sanitizedCharacters") }
    if whole.results.count != streamed.results.count { fail("result count") }
    for (index, (a, b)) in zip(whole.results, streamed.results).enumerated() {
        if a.status != b.status || a.function != b.function || a.controlID != b.controlID { fail("result \(index) header") }
        if a.errors != b.errors || a.data != b.data || a.rowCount != b.rowCount { fail("result \(index) errors, data or row count") }
        if a.rows != streamedRows.filter({ $0.0 == index }).map(\.1) { fail("result \(index) rows") }
    }
}
