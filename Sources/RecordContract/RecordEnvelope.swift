import Cryptography
import Foundation

/// The value of every record message on the wire: lossless, self-describing and replayable. The poller
/// builds one per row and encodes it; the loader decodes it (`decode`) into the same type.
///
/// Field values stay the strings Intacct sent (TIMESTAMP values moved from the API user's local time to
/// UTC, still in Intacct's layout); typing happens in the loader, so a mapping fix is a replay, not a
/// re-extraction. `contentSHA256` hashes the fields in a canonical order, so the same
/// version of a record always hashes the same, whatever order Intacct listed the fields in.
public struct RecordEnvelope: Sendable, Equatable {
    public var company: String
    public var entity: String
    public var object: String
    public var recordNo: String
    /// WHENMODIFIED as RFC 3339 UTC (empty when the object has none).
    public var whenModified: String
    /// When the poller read it, RFC 3339 UTC.
    public var extractedAt: String
    public var contentSHA256: String
    /// Intacct's fields: in the order Intacct sent them when built by the poller, sorted by name when
    /// decoded (JSON objects carry no order; the content hash sorts them the same way).
    public var fields: [RecordField]

    /// A new envelope, its content hash computed.
    /// - Parameter order: the canonical order of rows with these field names, when the caller reuses one
    ///   for many rows (a page's rows share their field list); computed here otherwise.
    public init(
        key: RecordKey, whenModified: String, extractedAt: String, fields: [RecordField], order: CanonicalFieldOrder? = nil
    ) {
        self.init(company: key.company, entity: key.entity, object: key.object, recordNo: key.recordNo,
                  whenModified: whenModified, extractedAt: extractedAt,
                  contentSHA256: Self.contentHash(of: fields, order: order), fields: fields)
    }

    /// An envelope as read off the wire, with the hash it declares (the reader checks it).
    init(company: String, entity: String, object: String, recordNo: String, whenModified: String,
         extractedAt: String, contentSHA256: String, fields: [RecordField]) {
        (self.company, self.entity, self.object, self.recordNo) = (company, entity, object, recordNo)
        (self.whenModified, self.extractedAt, self.contentSHA256, self.fields) = (whenModified, extractedAt, contentSHA256, fields)
    }

    public var key: RecordKey { RecordKey(company: company, entity: entity, object: object, recordNo: recordNo) }

    public subscript(field name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// SHA-256 over `name NUL value NUL` for the fields sorted by name. Runs once per record on the
    /// poller's hot path, so sorting is avoided where it can be: a caller with many rows of the same
    /// fields passes their `CanonicalFieldOrder`, used only if it fits these fields.
    public static func contentHash(of fields: [RecordField], order: CanonicalFieldOrder? = nil) -> String {
        if let order, order.fits(fields) { return contentHash(of: fields, inOrder: order.positions) }
        return contentHash(of: fields, inOrder: CanonicalFieldOrder(fields: fields).positions)
    }

    /// The one canonical-bytes hash: `name NUL value NUL` for `fields[p]` for each `p` of `positions`,
    /// which must put them in name order. (`EnvelopeScanner` hashes the same bytes straight from a message.)
    static func contentHash(of fields: [RecordField], inOrder positions: some Sequence<Int>) -> String {
        var canonical: [UInt8] = []
        canonical.reserveCapacity(fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 })
        for position in positions {
            canonical.append(contentsOf: fields[position].name.utf8)
            canonical.append(0)
            canonical.append(contentsOf: fields[position].value.utf8)
            canonical.append(0)
        }
        return SHA256.hex(canonical)
    }

    /// Compact JSON: `{"company",...,"fields":{...}}`. Hand-written because it runs once per record on
    /// the poller's hot path, and the shape is fixed and all-string.
    public func encoded() -> Data {
        // Sized for the whole envelope up front: growing the buffer twice per record showed in profiles.
        var out = JSONWriter(capacity: 256 + fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 6 })
        out.beginObject()
        out.member("company", company)
        out.member("entity", entity)
        out.member("object", object)
        out.member("recordno", recordNo)
        out.member("whenmodified", whenModified)
        out.member("extracted_at", extractedAt)
        out.member("content_sha256", contentSHA256)
        out.key("fields")
        out.beginObject()
        for field in fields { out.member(field.name, field.value) }
        out.endObject()
        out.endObject()
        return out.data
    }

    /// Reads an envelope back, strictly (`EnvelopeReader`, a hand-written reader fast enough for the
    /// loader's hot path): throws `RecordEnvelopeError` naming what is wrong and where, a duplicated
    /// member or field and a content hash that does not match included. Fields come back sorted by name.
    public static func decode(_ data: Data) throws -> RecordEnvelope {
        try EnvelopeReader.read(data)
    }

    /// `decode` for a run of messages: `scanner` keeps its buffers and the field order from one envelope to
    /// the next, so envelopes with the same field list as the one before are not sorted again. What comes
    /// back is the same as `decode`'s.
    public static func decode(_ data: Data, using scanner: inout EnvelopeScanner) throws -> RecordEnvelope {
        try scanner.decode(data)
    }

    /// Header names carried next to the value.
    public enum Header {
        /// On tombstones: why the record is considered deleted (`audit-trail` or `reconciliation`).
        public static let deleteReason = "ibq-delete-reason"
        /// On tombstones: when the delete was observed (RFC 3339 UTC); the tombstone's version.
        public static let deletedAt = "ibq-deleted-at"
        /// On records: JSON object `{"FIELD":"DATATYPE"}` for the fields the standard catalog does not
        /// type (custom fields found by `lookup`), so a loader can add a typed column the first time it sees one.
        public static let fieldTypes = "ibq-field-types"
    }
}
