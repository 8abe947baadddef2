import Foundation
import Catalog

/// What `discover` prints: per object (any object lookup knows), how it is read and every field lookup
/// listed, with its types and whether the poller selects it (catalog defaults merged with discovery and
/// the mapping file).
struct DiscoveryReport {
    struct Row: Encodable {
        var name: String
        var label: String
        var intacctType: String
        var bigQueryType: String
        var custom: Bool
        var required: Bool
        var readOnly: Bool
        var selected: Bool

        enum CodingKeys: String, CodingKey {
            case name, label, intacctType = "intacct_type", bigQueryType = "bigquery_type", custom, required
            case readOnly = "read_only", selected
        }
    }

    struct Object: Encodable {
        var object: String
        var level: String
        var keyField: String
        /// `incremental` (WHENMODIFIED) or `snapshot` (read whole each run, deletes by reconciliation).
        var reading: String
        var amountField: String?
        /// Whether the built-in catalog has defaults for it (otherwise every listed field is selected).
        var catalogued: Bool
        var fields: [Row]

        enum CodingKeys: String, CodingKey {
            case object, level, keyField = "key_field", reading, amountField = "amount_field", catalogued, fields
        }
    }

    var objects: [String]
    var entries: [Object]
    var failures: [String: String]

    init(schema: DiscoveredSchema, objects: [String], mapping: SchemaMapping?, failures: [String: String]) {
        self.objects = objects
        self.failures = failures
        entries = objects.compactMap { name in
            let base = ObjectCatalog.standard.definition(of: name, mapping: mapping?[object: name])
            let discovered = schema[object: name] ?? []
            let merged = DiscoveredSchema.merge(base, discovered: discovered, mapping: mapping?[object: name])
            var rows = merged.fields.map { field in
                let found = discovered.first { $0.name == field.name }
                return Row(name: field.name, label: found?.label ?? "", intacctType: field.type.rawValue, bigQueryType: field.type.bigQueryType,
                           custom: field.isCustom, required: found?.isRequired ?? false, readOnly: found?.isReadOnly ?? false, selected: true)
            }
            for field in discovered where merged.field(named: field.name) == nil {
                rows.append(Row(name: field.name, label: field.label, intacctType: field.type.rawValue, bigQueryType: field.type.bigQueryType,
                                custom: field.isCustom, required: field.isRequired, readOnly: field.isReadOnly, selected: false))
            }
            return Object(object: name, level: merged.level.rawValue, keyField: merged.keyField,
                          reading: merged.readsSnapshots ? "snapshot" : "incremental", amountField: merged.amountField,
                          catalogued: ObjectCatalog.standard[name] != nil, fields: rows)
        }
    }

    func json() throws -> String {
        struct Document: Encodable {
            var objects: [Object]
            var failures: [String: String]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(Document(objects: entries, failures: failures)), as: UTF8.self) + "\n"
    }

    /// Columns padded to their widest cell, so the table reads in a terminal and greps by object.
    func table() -> String {
        let header = ["OBJECT", "FIELD", "INTACCT TYPE", "BIGQUERY TYPE", "CUSTOM", "SELECTED"]
        var cells = [header]
        for entry in entries {
            // One line per object first: what lookup cannot show per field.
            cells.append([entry.object, "(object)", "level \(entry.level)", "key \(entry.keyField)", entry.reading,
                          entry.amountField.map { "amount \($0)" } ?? ""])
            for row in entry.fields {
                cells.append([entry.object, row.name, row.intacctType, row.bigQueryType, row.custom ? "yes" : "", row.selected ? "yes" : "no"])
            }
        }
        let widths = header.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        return cells.map { line in
            line.enumerated().map { column, cell in
                column == line.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
