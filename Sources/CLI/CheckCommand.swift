import ArgumentParser
import Foundation
import Loader
import Catalog
import Logging
import Poller
import Configuration
import HTTP
import Kafka
import RecordContract

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that Kafka, Intacct and BigQuery are reachable with a configuration.",
        discussion: """
        Reads the configuration file the services use and tries each connection once: Kafka
        (broker reachable, credentials accepted, the company's topics listed), Intacct (an API session
        at the top level and for every configured subsidiary, and lookup of every configured object: an
        object Intacct does not know fails with Intacct's own error) and BigQuery (the dataset answers).
        Sections the file does not have are reported as skipped. Nothing is written anywhere.
        Exits 1 when any check fails, so it fits a deployment pipeline or a readiness gate.
        """
    )

    @Option(help: "Configuration file (the same one `poll` and `load` read).")
    var config: String

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .critical
            return handler
        }
        var failures = 0
        func report(_ component: String, _ outcome: Result<String, any Error>) {
            switch outcome {
            case let .success(detail): print("ok      \(component): \(detail)")
            case let .failure(error):
                failures += 1
                print("FAILED  \(component): \(error)")
            }
        }

        let kafka = Result { try ConfigurationLoader().load(KafkaSection.self, from: config) }
        switch kafka {
        case let .success(section):
            report("kafka", await Result {
                let admin = try KafkaAdmin(configuration: section.kafka.configuration(clientID: "intacct-bigquery-check"))
                let topics = try await admin.listTopics(timeout: .seconds(15))
                let prefix = Topics(company: section.company).prefix
                return "\(section.kafka.bootstrapServers) answered; \(topics.filter { $0.hasPrefix(prefix) }.count) topics for \(section.company)"
            })
        case let .failure(error): report("kafka", .failure(error))
        }

        switch Result(catching: { try PollerConfiguration.load(from: config) }) {
        case let .success(poller):
            let client = IntacctClient(configuration: poller.intacct.clientConfiguration, logger: Logger(label: "check"))
            for entity in [nil] + poller.poller.entities.map(Optional.some) {
                report("intacct \(entity ?? "top level")", await Result {
                    let session = try await client.session(entity: entity)
                    // The zone the poller will convert this entity's times from, and where it came from.
                    let zone = poller.intacct.timeZone.map { "\($0) (intacct.timezone)" }
                        ?? session.timeZone.map { "\($0) (from the session)" } ?? "UTC (the session stated no offset)"
                    return "session opened at \(session.endpoint); times in \(zone)"
                })
            }
            // Every configured object, asked of Intacct itself: a name it does not know fails here with its
            // own error, before a poller starts.
            let mapping = try? poller.poller.mappingFile.map(SchemaMapping.load(from:))
            let discovery = SchemaDiscovery(client: client, mapping: mapping ?? nil, logger: Logger(label: "check"))
            for target in Self.onePerObject(PollTarget.all(in: poller.poller)) {
                report("intacct object \(target.object.name)", await Result {
                    let object = try await discovery.prepare([target], strict: true)[0].object
                    return "\(object.fields.count) fields selected, key \(object.keyField), "
                        + (object.readsSnapshots ? "read whole each run (no WHENMODIFIED)" : "incremental on WHENMODIFIED")
                        + (object.level == .top ? ", top level" : ", per entity")
                })
            }
        case let .failure(error):
            if Self.lacksSection(error, "intacct") { print("skipped intacct: the file has no intacct section") } else { report("intacct", .failure(error)) }
        }

        switch Result(catching: { try LoaderConfiguration.load(from: config) }) {
        case let .success(loader):
            report("bigquery", await Result {
                let client = try BigQueryClient(configuration: loader.bigQueryClientConfiguration, http: HTTPClient(),
                                                logger: Logger(label: "check"))
                let exists = try await client.datasetExists()
                return "\(loader.bigquery.project).\(loader.bigquery.dataset) " + (exists ? "exists" : "does not exist yet (loaders create it)")
            })
        case let .failure(error):
            if Self.lacksSection(error, "bigquery") { print("skipped bigquery: the file has no bigquery section") } else { report("bigquery", .failure(error)) }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

extension CheckCommand {
    /// The first stream of each object: lookup answers per object, not per entity.
    static func onePerObject(_ targets: [PollTarget]) -> [PollTarget] {
        var seen: Set<String> = []
        return targets.filter { seen.insert($0.object.name).inserted }
    }

    /// Whether loading failed only because the file does not configure that service at all.
    static func lacksSection(_ error: any Error, _ section: String) -> Bool {
        guard let error = error as? ConfigurationError else { return false }
        return error.key == section && error.problem == "is required but missing"
    }
}

/// The two keys `check` needs to reach Kafka, whichever service the file configures.
private struct KafkaSection: Decodable {
    var company: String
    var kafka: KafkaSettings
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
