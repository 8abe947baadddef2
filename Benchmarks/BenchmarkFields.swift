import Catalog
import Foundation
import RecordContract

/// Field values for benchmark envelopes: one of each column type, varied by `index`, so both loader
/// benchmarks encode the same kind of rows.
enum BenchmarkFields {
    static func fields(of object: IntacctObject, index: Int, recordNo: String) -> [RecordField] {
        object.fields.map { field -> RecordField in
            let value: String
            switch (field.name, field.type) {
            case ("RECORDNO", _): value = recordNo
            case (_, .integer): value = "\(index % 1000)"
            case (_, .decimal): value = String(format: "%d.%02d", index % 100_000, index % 100)
            case (_, .date): value = String(format: "01/%02d/2026", index % 28 + 1)
            case (_, .timestamp): value = String(format: "01/31/2026 %02d:%02d:%02d", index / 3600 % 24, index / 60 % 60, index % 60)
            case (_, .boolean): value = index % 2 == 0 ? "true" : "false"
            default: value = "\(field.name.lowercased())-\(index)"
            }
            return RecordField(name: field.name, value: value)
        }
    }
}
