import ArgumentParser
import Foundation
import Loader
import LoaderProcess
import Logging
import Operations

struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load one subsidiary's Kafka topics into BigQuery (one worker; run N replicas per subsidiary).",
        discussion: """
        Joins consumer group bigquery-loader.<company>.<entity> and consumes the topics matching \
        ^intacct\\.<company>\\.<entity>\\.[a-z_]+$. Replicas started with the same --entity share the \
        partitions; loaders of other subsidiaries never touch these topics.

        Top-level objects (chart of accounts, dimensions, vendors) live on intacct.<company>.top.* topics \
        and are loaded by group bigquery-loader.<company>.top: start loaders with --entity top, or set \
        loader.include_top: true so subsidiary loaders also join that one shared group. Either way each \
        top record is loaded once per fleet.

        Each record version becomes one row, encoded from the envelope to protobuf and committed per batch \
        through the Storage Write API (bigquery.write_api: insert_all uses tabledata.insertAll with \
        insertId = SHA-256(key|whenmodified|content_sha256) instead); tables, the dataset and \
        <table>_current views are created on first use. Offsets are committed \
        only after BigQuery committed every row of a batch or the row was dead-lettered to \
        intacct.<company>._dlq. While BigQuery is unavailable the loader pauses its partitions, keeps \
        its batch, reports not ready on /readyz, and resumes when BigQuery answers. SIGTERM (or SIGINT) \
        flushes, commits and leaves the group within shutdown.grace_seconds (default 20); at that deadline \
        it logs what it could not commit (delivered again after a restart) and exits with status 1. A \
        second signal exits at once (status 128 + the signal number).

        Configuration (YAML; IBQ__SECTION__KEY environment variables override it): company, kafka \
        (bootstrap_servers, security, properties), bigquery (project, dataset, location, credentials_file, \
        emulator_host, emulator_grpc_host, endpoint, write_api: storage (default, the Storage Write API over \
        gRPC) or insert_all; BIGQUERY_EMULATOR_HOST, BIGQUERY_EMULATOR_GRPC_HOST and \
        GOOGLE_APPLICATION_CREDENTIALS also work), loader \
        (include_top, audit, batch_rows, batch_bytes, linger_ms, http_port, max_buffered_rows, \
        retry_max_ms, mapping_file, widen_schema), logging (level, format), shutdown (grace_seconds). \
        See docs/loader.md.
        """
    )

    @Option(help: "Path to the loader's YAML configuration file.")
    var config: String

    @Option(help: "Subsidiary to load, e.g. E100; `top` for the company-wide objects.")
    var entity: String

    func run() async throws {
        let configuration = try LoaderConfiguration.load(from: config)
        let shutdown = try ShutdownSettings.load(from: config)
        configuration.logging.bootstrap()
        MetricsRegistry.bootstrap()
        let logger = Logger(label: "intacct-bigquery.loader")
        let service = try LoaderService(configuration: configuration, entity: entity, logger: logger)
        let workers = service.workers
        try await BoundedServiceGroup(services: [service.operations, service], deadline: shutdown.grace, logger: logger) {
            // What a worker held at its last poll was not committed then; the Kafka consumer logs the exact
            // offsets when its commit or close gives up. Whatever is not committed, the group reads again.
            workers.compactMap { worker in
                let held = worker.holding.records
                return held == 0 ? nil : "\(worker.scope.groupID): held \(held) record(s) not yet committed at its last poll"
            }
        }.run()
    }
}
