import Foundation
import Catalog
import Kafka
import RecordContract
@testable import Loader

/// A company's worth of envelopes built from the shared ObjectCatalog with realistic values — several
/// versions of some records and tombstones for others — and what `_current` must show afterwards:
/// per (entity, object), the count and money total of each key's latest version, deletes excluded.
struct PublishedCompany {
    struct Totals: Equatable, CustomStringConvertible {
        var count = 0
        var amount = Decimal(0)
        var description: String { "\(count) rows, amount \(amount)" }
    }

    let company: String
    let entities: [String]
    let objects: [String]
    let topObjects: [String]
    let recordsPerObject: Int
    private(set) var messages: [KafkaOutgoingMessage] = []
    /// Latest state per key: nil after a delete.
    private var latest: [String: (entity: String, object: String, amount: Decimal?)?] = [:]

    init(company: String = "demo", entities: [String] = ["E100", "E200", "E300"],
         objects: [String] = ["GLENTRY", "APBILL", "APPYMT", "GLBATCH"], topObjects: [String] = ["DEPARTMENT", "GLACCOUNT"],
         recordsPerObject: Int = 30) {
        self.company = company
        self.entities = entities
        self.objects = objects
        self.topObjects = topObjects
        self.recordsPerObject = recordsPerObject
        for entity in entities { for object in objects { publish(entity: entity, object: object) } }
        for object in topObjects { publish(entity: RecordKey.topLevelEntity, object: object) }
    }

    /// Expected `_current` totals per object and entity.
    func expected(object: String, entity: String) -> Totals {
        var totals = Totals()
        for case let state? in latest.values where state.entity == entity && state.object == object {
            totals.count += 1
            totals.amount += state.amount ?? 0
        }
        return totals
    }

    static func amountColumn(of object: String) -> String? {
        ObjectCatalog.standard.objects.first { $0.name == object }?.amountField?.lowercased()
    }

    /// One record's fields, typed as the catalog says, with values an Intacct company would send.
    static func fields(object: String, entity: String, index: Int, version: Int) -> [RecordField] {
        let definition = ObjectCatalog.standard.objects.first { $0.name == object }!
        let amountField = definition.amountField
        return definition.fields.map { field in
            let value: String
            switch (field.name, field.type) {
            case ("RECORDNO", _): value = "\(index)"
            case ("MEGAENTITYID", _): value = entity == "top" ? "" : entity
            case ("TR_TYPE", _): value = index % 2 == 0 ? "1" : "-1"
            case ("PARENTKEY", _): value = object == "DEPARTMENT" && index > 1 ? "\((index - 1) / 2)" : ""
            case ("DEPARTMENTID", _): value = object == "DEPARTMENT" ? "D\(index)" : "D\(index % 7 + 1)"
            case ("ACCOUNTNO", _): value = "\(4000 + (object == "GLACCOUNT" ? index : index % 5))"
            case ("CATEGORY", _): value = ["Revenue", "Cost of Sales", "Operating Expenses"][index % 3]
            case (let name, .decimal) where name == amountField:
                value = String(format: "%d.%02d", (index * 7919 + version * 101) % 100_000, (index * 37 + version) % 100)
            case (_, .decimal): value = "\(index * 10).00"
            case (_, .integer): value = "\(index % 50 + 1)"
            case (_, .date): value = String(format: "01/%02d/2026", index % 28 + 1)
            case (_, .timestamp): value = String(format: "01/31/2026 12:%02d:%02d", version, index % 60)
            case (_, .boolean): value = index % 3 == 0 ? "true" : "false"
            case (_, .enumeration): value = version > 1 ? "Posted" : "Draft"
            case (let name, _): value = "\(name.lowercased())-\(entity)-\(index)-v\(version)"
            }
            return RecordField(name: field.name, value: value)
        }
    }

    mutating func publish(entity: String, object: String) {
        let amountField = ObjectCatalog.standard.objects.first { $0.name == object }?.amountField
        for index in 1...recordsPerObject {
            // Every fourth record changes twice more; every seventh is deleted after its last version.
            let versions = index % 4 == 0 ? 3 : 1
            for version in 1...versions {
                let fields = Self.fields(object: object, entity: entity, index: index, version: version)
                let envelope = RecordEnvelope(
                    key: RecordKey(company: company, entity: entity, object: object, recordNo: "\(index)"),
                    whenModified: String(format: "2026-01-31T12:%02d:%02dZ", version, index % 60),
                    extractedAt: String(format: "2026-01-31T13:%02d:00Z", version), fields: fields)
                messages.append(KafkaOutgoingMessage(topic: envelope.key.topic, key: envelope.key.description, value: envelope.encoded()))
                let amount = amountField.flatMap { name in fields.first { $0.name == name }?.value }.flatMap { Decimal(string: $0) }
                latest[envelope.key.description] = (entity, object, amount)
            }
            if index % 7 == 3 {
                let key = RecordKey(company: company, entity: entity, object: object, recordNo: "\(index)")
                messages.append(KafkaOutgoingMessage(topic: key.topic, key: key.description, value: nil, headers: [
                    KafkaHeader(name: RecordEnvelope.Header.deletedAt, string: "2026-01-31T14:00:00Z"),
                    KafkaHeader(name: RecordEnvelope.Header.deleteReason, string: "audit-trail"),
                ]))
                latest[key.description] = .some(nil)
            }
        }
    }
}
