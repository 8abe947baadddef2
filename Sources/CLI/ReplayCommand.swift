import ArgumentParser
import Foundation
import Loader
import Logging

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Reset a loader group's committed offsets so its loaders load the topics again.",
        discussion: """
        Moves consumer group bigquery-loader.<company>.<entity> back on the subsidiary's topics \
        (narrow them with --topics) to the earliest offset, a given offset, or the first record at or \
        after a time. Start the loaders again afterwards: they reload from there. Rows loaded twice are \
        harmless: each record version keeps its insertId, and the <table>_current views keep one row \
        per key. Use it after a BigQuery-side loss, a dropped table, or a mapping fix.

        Stop every loader of the group first: replay refuses while the group has active members, \
        because they would commit over the reset. --from time: needs the broker's offsets-for-times \
        lookup; brokers that cannot do it (the dev broker) get a clear error, never a guess.

        Examples:
          intacct-bigquery replay --config loader.yaml --entity E100 --from earliest
          intacct-bigquery replay --config loader.yaml --entity top --from time:2026-01-31T00:00:00Z --topics 'glaccount$'
        """
    )

    @Option(help: "Path to the loader's YAML configuration file.")
    var config: String

    @Option(help: "Subsidiary whose group to reset, e.g. E100; `top` for the company-wide objects.")
    var entity: String

    @Option(help: "earliest | offset:N | time:ISO8601 (e.g. time:2026-01-31T00:00:00Z).")
    var from: String

    @Option(help: "Only topics matching this regular expression.")
    var topics: String?

    @Option(help: "Seconds to wait for the broker.")
    var timeout: Int = 10

    func validate() throws {
        guard ReplayStart(argument: from) != nil else {
            throw ValidationError("--from \(from): expected earliest, offset:N or time:<ISO 8601>, e.g. time:2026-01-31T00:00:00Z")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        let configuration = try LoaderConfiguration.load(from: config)
        configuration.logging.bootstrap()
        let replay = try LoaderReplay(configuration: configuration, entity: entity, logger: Logger(label: "intacct-bigquery.replay"))
        do {
            let offsets = try await replay.run(from: ReplayStart(argument: from)!, topicFilter: topics, timeout: .seconds(timeout))
            print("reset consumer group \(replay.scope.groupID) to \(from) on \(offsets.count) partition(s):")
            for (partition, offset) in offsets.sorted(by: { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }) {
                print("  \(partition.topic)/\(partition.partition) -> \(offset)")
            }
        } catch let error as ReplayError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
