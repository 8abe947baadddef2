import Configuration
import Foundation
import Yams

/// The mapping file (`poller.mapping_file`, `loader.mapping_file`): per object and field, whether the
/// field is moved and which type it lands as. `intacct-bigquery discover --write` produces one from
/// `lookup`; a user edits it (exclude a field, keep a code as STRING). YAML or JSON (by extension).
///
/// ```yaml
/// objects:
///   GLENTRY:
///     fields:
///       GLDIM_REGION: {type: ENUM, bigquery_type: STRING, custom: true, include: true}
///       AMOUNT: {type: DECIMAL, bigquery_type: NUMERIC}
/// ```
public struct SchemaMapping: Sendable, Equatable, Codable {
    /// One field's entry. Absent keys keep what discovery found.
    public struct Field: Sendable, Equatable, Codable {
        /// The type the field lands as; wins over discovery. Written as an Intacct DATATYPE; BigQuery
        /// names (STRING, INT64, NUMERIC, BOOL, DATE, TIMESTAMP) are accepted too.
        public var type: IntacctFieldType?
        /// Informational: the column type `type` gives (`discover` writes it; it is not read back).
        public var bigQueryType: String?
        public var label: String?
        public var custom: Bool?
        /// `false` drops the field from selects and tables (the key and WHENMODIFIED are always kept).
        public var include: Bool?

        public init(type: IntacctFieldType? = nil, label: String? = nil, custom: Bool? = nil, include: Bool? = nil) {
            self.type = type
            self.bigQueryType = type?.bigQueryType
            self.label = label
            self.custom = custom
            self.include = include
        }

        enum CodingKeys: String, CodingKey { case type, bigQueryType = "bigquery_type", label, custom, include }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let text = try c.decodeIfPresent(String.self, forKey: .type) {
                guard let parsed = SchemaMapping.fieldType(named: text) else {
                    throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription:
                        "unknown type \(text); use TEXT, ENUM, INTEGER, DECIMAL, PERCENT, BOOLEAN, DATE, TIMESTAMP (or STRING, INT64, NUMERIC, BOOL)")
                }
                type = parsed
            }
            bigQueryType = try c.decodeIfPresent(String.self, forKey: .bigQueryType)
            label = try c.decodeIfPresent(String.self, forKey: .label)
            custom = try c.decodeIfPresent(Bool.self, forKey: .custom)
            include = try c.decodeIfPresent(Bool.self, forKey: .include)
        }
    }

    /// One object's entry: what `lookup` cannot say about an object (where it is read, its key, the
    /// money field reconciliation sums), then its fields. Absent keys keep the built-in catalog's value,
    /// or for an object the catalog lacks: top level, RECORDNO, no money field.
    public struct Object: Sendable, Equatable, Codable {
        /// `level`: `top` (one top-level read, entity `top`) or `entity` (one read per subsidiary).
        public var level: IntacctObject.Level?
        /// `key_field`: the field that names a record in keys and reconciliations.
        public var keyField: String?
        /// `amount_field`: the base-currency money field reconciliation sums.
        public var amountField: String?
        public var fields: [String: Field]

        public init(level: IntacctObject.Level? = nil, keyField: String? = nil, amountField: String? = nil, fields: [String: Field] = [:]) {
            self.level = level
            self.keyField = keyField
            self.amountField = amountField
            self.fields = fields
        }

        enum CodingKeys: String, CodingKey { case level, keyField = "key_field", amountField = "amount_field", fields }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            level = try c.decodeIfPresent(IntacctObject.Level.self, forKey: .level)
            keyField = try c.decodeIfPresent(String.self, forKey: .keyField)?.uppercased()
            amountField = try c.decodeIfPresent(String.self, forKey: .amountField)?.uppercased()
            fields = try c.decodeIfPresent([String: Field].self, forKey: .fields) ?? [:]
        }
    }

    /// Keyed by uppercase object name.
    public var objects: [String: Object]

    public init(objects: [String: Object] = [:]) { self.objects = objects }

    public subscript(object name: String) -> Object? { objects[name.uppercased()] }

    /// An Intacct DATATYPE or the BigQuery column type it maps to (STRING reads as TEXT, NUMERIC as DECIMAL).
    public static func fieldType(named text: String) -> IntacctFieldType? {
        let upper = text.uppercased()
        if let type = IntacctFieldType(rawValue: upper) { return type }
        switch upper {
        case "STRING": return .text
        case "INT64", "INT": return .integer
        case "NUMERIC", "BIGNUMERIC": return .decimal
        case "BOOL": return .boolean
        default: return nil
        }
    }

    // MARK: Files

    /// Reads a mapping file; JSON is YAML too, so one decoder serves both.
    public static func load(from path: String) throws -> SchemaMapping {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError(file: path, key: "", problem: "cannot read the mapping file: \(error.localizedDescription)")
        }
        if let problem = YAMLLimits.violation(in: text) {
            throw ConfigurationError(file: path, key: "", problem: "invalid mapping file: \(problem)")
        }
        do { return try YAMLDecoder().decode(SchemaMapping.self, from: text) } catch {
            throw ConfigurationError(file: path, key: "", problem: "invalid mapping file: \(error)")
        }
    }

    /// The file's text: JSON when `path` ends in `.json`, YAML otherwise; objects and fields sorted so a
    /// regenerated file diffs cleanly.
    public func rendered(asJSON: Bool) throws -> String {
        if asJSON {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        }
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        return "# Written by `intacct-bigquery discover --write`. Edit `type` to override a column type,\n"
            + "# `include: false` to leave a field out. Read by poller.mapping_file and loader.mapping_file.\n"
            + (try encoder.encode(self))
    }

    public func write(to path: String) throws {
        try rendered(asJSON: path.lowercased().hasSuffix(".json")).write(toFile: path, atomically: true, encoding: .utf8)
    }
}
