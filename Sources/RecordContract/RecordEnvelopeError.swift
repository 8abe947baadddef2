/// Why a Kafka value is not a record envelope, and where: what `RecordEnvelope.decode` throws.
public enum RecordEnvelopeError: Error, Equatable, CustomStringConvertible {
    case notJSON(String)
    case missingMember(String)
    case fieldNotString(String)
    case hashMismatch(declared: String, computed: String)

    public var description: String {
        switch self {
        case let .notJSON(detail): "record value is not a JSON envelope: \(detail)"
        case let .missingMember(name): "record envelope has no string member \"\(name)\""
        case let .fieldNotString(name): "record field \(name) is not a string"
        case let .hashMismatch(declared, computed): "content_sha256 \(declared) does not match the fields (\(computed))"
        }
    }
}
