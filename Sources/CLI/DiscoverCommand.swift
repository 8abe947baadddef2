import ArgumentParser
import Foundation
import Logging
import Poller
import Catalog

struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Show the fields Intacct defines for the configured objects (lookup) and the BigQuery columns they become.",
        discussion: """
        Connects with the poller's configuration (intacct: and poller: sections; Kafka is not used), \
        runs Intacct's lookup for every object in poller.objects (or only --object, any object name) and \
        prints, per object, its level, key field, whether it is read incrementally (it has WHENMODIFIED) \
        or as a snapshot each run, and its money field; then per field: the Intacct DATATYPE, the BigQuery \
        column type, whether it is a custom field, and whether the poller selects it. Selected = for an \
        object in the built-in catalog, the catalog's fields that lookup lists plus every custom field; \
        for any other object, every field lookup lists; then poller.mapping_file's overrides.

        Types: DECIMAL and PERCENT → NUMERIC, INTEGER → INT64, BOOLEAN → BOOL, DATE → DATE, \
        TIMESTAMP → TIMESTAMP, TEXT and ENUM (and anything unknown) → STRING.

        --write PATH writes a mapping file (YAML, or JSON when PATH ends in .json) with one entry per \
        object (level, key_field, amount_field) and one per field: type (Intacct DATATYPE; BigQuery \
        names are accepted when editing), custom, include. \
        Point poller.mapping_file and loader.mapping_file at it; edit `type` to override a column type \
        and `include` to add or drop a field. An existing file at PATH is replaced; entries of \
        poller.mapping_file keep their type and include. See docs/schema-discovery.md.

        Exit status: 0, or 1 if lookup failed for any object (the others are still printed).
        """
    )

    @Option(name: .long, help: "Poller configuration file (YAML).")
    var config: String

    @Option(name: .long, help: "Only this object (e.g. GLENTRY, CUSTOMER, a custom object's integration name).")
    var object: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Option(name: .long, help: "Write a mapping file for the poller and loader to PATH (.json: JSON, otherwise YAML).")
    var write: String?

    func run() async throws {
        let configuration: PollerConfiguration
        do { configuration = try PollerConfiguration.load(from: config) } catch {
            throw ValidationError("invalid configuration: \(error)")
        }
        let names: [String]
        if let object {
            names = [object.uppercased()]
        } else {
            names = configuration.poller.objects.map(\.object.name)
        }
        let existing = try configuration.poller.mappingFile.map(SchemaMapping.load(from:))
        // Logs go to stderr so --json output stays parseable.
        let level = configuration.logging.level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = max(level, .warning)
            return handler
        }
        let client = try PollerRuntime.intacctClient(for: configuration)

        var discovered = DiscoveredSchema()
        var failures: [String: String] = [:]
        for name in names {
            do {
                discovered.objects[name] = try await client.lookup(object: name).map(\.discoveredField)
            } catch {
                failures[name] = "\(error)"
            }
        }
        let report = DiscoveryReport(schema: discovered, objects: names.filter { failures[$0] == nil }, mapping: existing, failures: failures)
        print(json ? try report.json() : report.table(), terminator: "")
        for entry in report.entries where !entry.fields.contains(where: { $0.name == entry.keyField }) {
            // The poller would refuse to start: say so now, with the fix.
            FileHandle.standardError.write(Data("\(entry.object): lookup lists no \(entry.keyField); set key_field for \(entry.object) in the mapping file\n".utf8))
        }

        if let write {
            var file = discovered.mappingFile(objects: report.objects, mapping: existing)
            // Keep the user's decisions from the configured mapping file.
            for (objectName, entry) in existing?.objects ?? [:] {
                for (field, override) in entry.fields {
                    guard var written = file.objects[objectName]?.fields[field] else { continue }
                    if let type = override.type { written.type = type; written.bigQueryType = type.bigQueryType }
                    if let include = override.include { written.include = include }
                    file.objects[objectName]?.fields[field] = written
                }
            }
            try file.write(to: write)
            FileHandle.standardError.write(Data("wrote \(write)\n".utf8))
        }
        if !failures.isEmpty {
            for (name, failure) in failures.sorted(by: { $0.key < $1.key }) {
                FileHandle.standardError.write(Data("lookup \(name) failed: \(failure)\n".utf8))
            }
            throw ExitCode(1)
        }
    }
}
