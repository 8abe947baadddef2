import Foundation
import Catalog
import XCTest

final class DiscoveredSchemaTests: XCTestCase {
    /// GLENTRY as a company's lookup lists it: every catalog field (LINE_NO typed differently), a
    /// custom dimension, and a standard field the catalog does not select.
    private let discovered: [DiscoveredField] = ObjectCatalog.standard["GLENTRY"]!.fields.map {
        DiscoveredField(name: $0.name, type: $0.name == "LINE_NO" ? .text : $0.type, isRequired: $0.name == "RECORDNO")
    } + [
        DiscoveredField(name: "GLDIM_REGION", label: "Region", type: .enumeration, isCustom: true),
        DiscoveredField(name: "RECORD_URL", type: .text),
    ]

    func testDiscoveryAddsCustomFieldsAndTakesIntacctsTypesButNotEveryStandardField() throws {
        let base = try XCTUnwrap(ObjectCatalog.standard["GLENTRY"])
        let merged = DiscoveredSchema.merge(base, discovered: discovered, mapping: nil)
        XCTAssertEqual(merged.field(named: "GLDIM_REGION"), IntacctObject.Field("GLDIM_REGION", .enumeration, isCustom: true))
        XCTAssertEqual(merged.field(named: "LINE_NO")?.type, .text, "Intacct's own definition wins over the built-in guess")
        XCTAssertNil(merged.field(named: "RECORD_URL"), "standard fields outside the catalog stay out unless the mapping file includes them")
        XCTAssertEqual(merged.fields.count, base.fields.count + 1)
    }

    func testTheMappingFileOverridesTypesIncludesAndExcludesButNeverDropsTheKeyOrWatermark() throws {
        let base = try XCTUnwrap(ObjectCatalog.standard["GLENTRY"])
        let mapping = SchemaMapping.Object(fields: [
            "GLDIM_REGION": .init(type: .text),
            "AMOUNT": .init(include: false),
            "RECORDNO": .init(include: false),
            "WHENMODIFIED": .init(include: false),
            "RECORD_URL": .init(include: true),
            "CUSTOMFIELD_FROM_FILE": .init(type: .percent, custom: true),
        ])
        let merged = DiscoveredSchema.merge(base, discovered: discovered, mapping: mapping)
        XCTAssertEqual(merged.field(named: "GLDIM_REGION")?.type, .text)
        XCTAssertNil(merged.field(named: "AMOUNT"))
        XCTAssertNotNil(merged.field(named: "RECORDNO"))
        XCTAssertNotNil(merged.field(named: "WHENMODIFIED"))
        XCTAssertEqual(merged.field(named: "RECORD_URL")?.type, .text)
        XCTAssertNil(merged.field(named: "CUSTOMFIELD_FROM_FILE"), "lookup does not list it, so it is never asked for")
        let withoutLookup = DiscoveredSchema.merge(base, discovered: nil, mapping: mapping)
        XCTAssertEqual(withoutLookup.field(named: "CUSTOMFIELD_FROM_FILE"), IntacctObject.Field("CUSTOMFIELD_FROM_FILE", .percent, isCustom: true),
                       "without lookup (discover: false) the mapping file decides")
    }

    func testAMappingFileRoundTripsThroughYAMLAndJSONAndAcceptsBigQueryTypeNames() throws {
        let schema = DiscoveredSchema(objects: ["GLENTRY": discovered])
        let file = schema.mappingFile(objects: ["GLENTRY"])
        XCTAssertEqual(file[object: "GLENTRY"]?.fields["GLDIM_REGION"]?.include, true)
        XCTAssertEqual(file[object: "GLENTRY"]?.fields["RECORD_URL"]?.include, false)
        for name in ["mapping.yaml", "mapping.json"] {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + name).path
            try file.write(to: path)
            let loaded = try SchemaMapping.load(from: path)
            XCTAssertEqual(loaded.objects.mapValues { $0.fields.mapValues(\.type) }, file.objects.mapValues { $0.fields.mapValues(\.type) }, name)
            XCTAssertEqual(loaded[object: "glentry"]?.fields["GLDIM_REGION"]?.bigQueryType, "STRING", name)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".yaml").path
        try "objects:\n  APBILL:\n    fields:\n      DOCNUMBER: {type: INT64}\n      TOTALDUE: {type: STRING}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let edited = try SchemaMapping.load(from: path)
        XCTAssertEqual(edited[object: "APBILL"]?.fields["DOCNUMBER"]?.type, .integer)
        XCTAssertEqual(edited[object: "APBILL"]?.fields["TOTALDUE"]?.type, .text)
        try "objects:\n  APBILL:\n    fields:\n      DOCNUMBER: {type: FLOAT64}\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SchemaMapping.load(from: path)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
            XCTAssertTrue("\(error)".contains("FLOAT64"), "\(error)")
        }
    }

    func testFieldTypeHintsRoundTripAndIgnoreGarbage() {
        let hints = FieldTypeHints(["B": .integer, "A": .percent])
        XCTAssertEqual(hints.header, #"{"A":"PERCENT","B":"INTEGER"}"#)
        XCTAssertEqual(FieldTypeHints(header: hints.header), hints)
        XCTAssertEqual(FieldTypeHints(header: "not json").types, [:])
        XCTAssertEqual(FieldTypeHints(header: #"{"x":"WHATEVER"}"#)["X"], .text)
    }
}
