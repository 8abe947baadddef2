/// Identity of one Intacct record inside the fleet. Its string form is the Kafka message key and the
/// `_key` column in BigQuery: `<company>/<entity>/<OBJECT>/<RECORDNO>`; the poller writes it and the
/// loader checks a message's key against it, so this is the one place it is spelled.
public struct RecordKey: Hashable, Sendable, CustomStringConvertible {
    public var company: String
    /// A subsidiary id such as `E100`, or `top` for records shared by the whole company.
    public var entity: String
    /// Intacct object name, uppercase (`APBILL`).
    public var object: String
    /// Always a string: GLDETAIL record numbers are composite (`3220-55186-27290--accrual`).
    public var recordNo: String

    public static let topLevelEntity = "top"

    public init(company: String, entity: String, object: String, recordNo: String) {
        self.company = company
        self.entity = entity
        self.object = object.uppercased()
        self.recordNo = recordNo
    }

    public var description: String { Self.render(company, entity, object, recordNo) }

    /// `<company>/<entity>/<OBJECT>/`: what every key of one stream starts with, so a caller keying many
    /// records of one stream renders it once and appends each RECORDNO.
    public static func prefix(company: String, entity: String, object: String) -> String {
        render(company, entity, object.uppercased(), "")
    }

    private static func render(_ company: String, _ entity: String, _ object: String, _ recordNo: String) -> String {
        "\(company)/\(entity)/\(object)/\(recordNo)"
    }

    /// Parses the Kafka key form. RECORDNO may itself contain `/`? It may not in Intacct, but the split
    /// keeps everything after the third slash as the record number to stay lossless.
    public init?(parsing key: String) {
        let parts = key.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, !parts.contains(where: \.isEmpty) else { return nil }
        self.init(company: parts[0], entity: parts[1], object: parts[2], recordNo: parts[3])
    }

    /// `intacct.<company>.<entity>.<object>`, lowercase.
    public var topic: String { Topics(company: company).records(entity: entity, object: object) }
}
