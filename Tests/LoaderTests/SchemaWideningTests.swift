import Catalog
import XCTest
@testable import Loader

final class SchemaWideningTests: XCTestCase {
    func testAnUnknownFieldIsTypedByTheMappingFileThenTheHintThenAsString() throws {
        let mapping = try XCTUnwrap(ObjectMappings.mapping(for: "APBILL"))
        let file = SchemaMapping.Object(fields: [
            "CUSTOMFIELD_A": .init(type: .date),
            "CUSTOMFIELD_SKIPPED": .init(include: false),
        ])
        let widened = SchemaWidening.widened(mapping, fields: [
            (name: "CUSTOMFIELD_A", hint: .integer), (name: "CUSTOMFIELD_B", hint: .percent), (name: "CUSTOMFIELD_C", hint: nil),
            (name: "CUSTOMFIELD_SKIPPED", hint: .integer), (name: "TOTALDUE", hint: .text), (name: "CUSTOMFIELD_B", hint: .text),
        ], file: file)
        XCTAssertEqual(widened.fields.dropFirst(mapping.fields.count).map { [$0.field, $0.type.columnType.rawValue] }, [
            ["CUSTOMFIELD_A", "DATE"], ["CUSTOMFIELD_B", "NUMERIC"], ["CUSTOMFIELD_C", "STRING"],
        ])
        XCTAssertEqual(widened.field(named: "TOTALDUE")?.type, .decimal, "known fields keep their type")
        XCTAssertEqual(SchemaWidening.widened(widened, fields: [(name: "CUSTOMFIELD_A", hint: nil)], file: nil), widened)
    }

    func testAMappingFileShapesTheStartingMapping() throws {
        let file = SchemaMapping(objects: ["APBILL": .init(fields: [
            "DESCRIPTION": .init(include: false), "DOCNUMBER": .init(type: .integer), "CUSTOMFIELD_X": .init(type: .boolean, custom: true),
        ])])
        let mapping = try XCTUnwrap(ObjectMappings.mapping(for: "apbill", file: file))
        XCTAssertNil(mapping.field(named: "DESCRIPTION"))
        XCTAssertEqual(mapping.field(named: "DOCNUMBER")?.type, .integer)
        XCTAssertEqual(mapping.field(named: "CUSTOMFIELD_X")?.tableColumn, TableColumn("customfield_x", .bool))
        XCTAssertEqual(ObjectMappings.mapping(for: "VENDOR", file: file), ObjectMappings.mapping(for: "VENDOR"))
    }

    func testTheLoaderConfigurationNamesTheMappingFileAndCanTurnWideningOff() throws {
        let base = "company: demo\nkafka:\n  bootstrap_servers: 127.0.0.1:1\nbigquery:\n  project: p\n  dataset: d\n  emulator_host: 127.0.0.1:1\n  emulator_grpc_host: 127.0.0.1:2\n"
        let defaults = try LoaderConfiguration.load(yaml: base, environment: [:])
        XCTAssertNil(defaults.loader.mappingFile)
        XCTAssertTrue(defaults.loader.widenSchema)
        let configured = try LoaderConfiguration.load(yaml: base + "loader:\n  mapping_file: /etc/ibq/mapping.yaml\n  widen_schema: false\n", environment: [:])
        XCTAssertEqual(configured.loader.mappingFile, "/etc/ibq/mapping.yaml")
        XCTAssertFalse(configured.loader.widenSchema)
    }
}
