import Foundation
import FuzzInput
import Loader
import Catalog
import Kafka
import RecordContract

// Fuzzes the loader's entry point for one consumed Kafka message: `MessageRouter.route`, which reads the
// envelope (`EnvelopeReader`, the reader under `RecordEnvelope.decode`), checks topic and key, and
// converts the fields into a BigQuery row, or makes a tombstone row, an audit row or a dead letter.
//
// Input: a header block, an empty line, then the value bytes. The block starts with `topic: <topic>` and
// may carry `key: <key>`, `header: <name>=<value>`, `timestamp: <ms since 1970>` and `tombstone` (a null
// value). Without the block the whole input is a value on `intacct.demo.e100.apbill`.
//
// A mutated envelope almost never keeps a matching content hash or the message's key, which would stop
// every input at the decoder or the key check. So a value whose only fault is its hash is routed a second
// time with the hash the decoder computed put in its place and the envelope's own key as the message key:
// the mutation then reaches row conversion.
//
// Findings besides traps and sanitizer reports: the router and `RecordEnvelope.decode` disagreeing on
// whether a value is an envelope; a row whose key is not the message's; a value the reader accepts that
// `JSONSerialization` (an independent JSON parser) refuses; and a row or dead letter whose JSON does not parse.

private let mappings = ObjectMappings.all
private let router = MessageRouter(company: "demo", mappings: mappings)
private let auditTopic = "intacct.demo._audit"

@_cdecl("FuzzLoaderMessage_main")
public func fuzzLoaderMessageMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzLoaderMessage)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLoaderMessage(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FramedInput(bytes.map { Data(bytes: $0, count: count) } ?? Data(), marker: "topic:")
    var message = KafkaMessage(topic: input.header("topic") ?? "intacct.demo.e100.apbill", partition: 0, offset: 7,
                               key: input.header("key").map { Data($0.utf8) },
                               value: input.header("tombstone") == nil ? input.body : nil)
    for header in input.headers("header") {
        let parts = header.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        message.headers.append(KafkaHeader(name: String(parts[0]), value: parts.count > 1 ? Data(parts[1].utf8) : nil))
    }
    if let milliseconds = input.header("timestamp").flatMap({ Int64($0) }) {
        message.timestamp = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    // What the worker does before routing a batch: fields the poller typed in `ibq-field-types` widen the
    // object's mapping, and the router converts with the widened mapping from then on.
    var router = router
    if let header = message.header(RecordEnvelope.Header.fieldTypes)?.value,
       let object = message.topic.split(separator: ".", omittingEmptySubsequences: false).last,
       let mapping = mappings.first(where: { $0.tableName == object }) {
        let hints = FieldTypeHints(header: String(decoding: header, as: UTF8.self))
        let fields = hints.types.sorted { $0.key < $1.key }.map { (name: $0.key, hint: Optional($0.value)) }
        router = router.updating([SchemaWidening.widened(mapping, fields: fields, file: nil)])
    }

    check(message, router.route(message, loadedAt: Date(timeIntervalSince1970: 1_764_000_000)))

    if let value = message.value, message.topic != auditTopic {
        let repaired = withComputedHash(value) ?? value
        if let envelope = try? RecordEnvelope.decode(repaired) {
            let key = Data(envelope.key.description.utf8)
            if repaired != value || message.key != key {
                message.value = repaired
                message.key = key
                check(message, router.route(message, loadedAt: Date(timeIntervalSince1970: 1_764_000_000)))
            }
        }
    }
    return 0
}

/// The value with its declared `content_sha256` replaced by the computed one, when the decoder's only
/// objection is the hash and the declared hash appears verbatim (unescaped) in the bytes.
private func withComputedHash(_ value: Data) -> Data? {
    guard case let .hashMismatch(declared, computed)? = decodeError(value),
          let range = value.firstRange(of: Data("\"\(declared)\"".utf8)) else { return nil }
    var repaired = value
    repaired.replaceSubrange(range, with: Data("\"\(computed)\"".utf8))
    return repaired
}

private func decodeError(_ value: Data) -> RecordEnvelopeError? {
    do { _ = try RecordEnvelope.decode(value); return nil } catch { return error as? RecordEnvelopeError }
}

private func check(_ message: KafkaMessage, _ outcome: MessageRouter.Outcome) {
    switch outcome {
    case let .row(_, pending):
        // This router renders insertAll rows (its default), so every row must carry its JSON.
        guard let row = pending.row else { fatalError("MessageRouter made a row without its insertAll JSON") }
        requireJSON(row.json, "row")
        if let value = message.value, message.topic != auditTopic {
            if let error = decodeError(value) { fatalError("MessageRouter made a row from a value RecordEnvelope.decode rejects: \(error)") }
            if message.keyString != pending.recordKey {
                fatalError("MessageRouter made a row keyed \(pending.recordKey) from a message keyed \(message.keyString ?? "<none>")")
            }
            requireJSON(value, "an envelope the reader accepted", allowingHugeNumbers: true)
        }
    case let .deadLetter(_, letter):
        requireJSON(letter.encoded(at: Date(timeIntervalSince1970: 1_764_000_000)), "dead letter")
        if letter.reason == .undecodable, let value = message.value, message.topic != auditTopic, decodeError(value) == nil {
            fatalError("MessageRouter calls a value undecodable that RecordEnvelope.decode accepts: \(letter.detail)")
        }
    }
}

/// - Parameter allowingHugeNumbers: JSON's grammar allows `1e400`, which `JSONSerialization` refuses as
///   "not representable"; the envelope reader skips it inside a member nobody reads, rightly.
private func requireJSON(_ data: Data, _ what: String, allowingHugeNumbers: Bool = false) {
    do {
        _ = try JSONSerialization.jsonObject(with: data)
    } catch {
        if allowingHugeNumbers, "\(error)".contains("not representable") { return }
        fatalError("\(what) JSON does not parse (\(error)): \(String(decoding: data, as: UTF8.self))")
    }
}
