import ArgumentParser
import Foundation
import Logging
import Operations

struct DevBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-broker",
        abstract: "Run librdkafka's mock cluster as a local Kafka broker for tests and the demo.",
        discussion: """
        Starts librdkafka's built-in mock cluster listening on 127.0.0.1 and prints its address as one \
        line on stdout, `bootstrap=127.0.0.1:PORT`, then serves until SIGINT or SIGTERM (exit status 0; it stops within 5 s, and a second signal exits \
        at once).

        It speaks the Kafka protocol: idempotent produce, fetch, consumer groups and commits work; topics \
        are created on first use. It does not implement CreateTopics, ListGroups/DescribeGroups, \
        offsets-for-times or compaction, and it keeps everything in memory.

        Ports: librdkafka 2.0.2 cannot be told which port to listen on, so the OS picks a free one. Read \
        the printed line, or pass --address-file to get `IBQ_KAFKA_BOOTSTRAP=<address>` written to a file \
        (the format of .dev-services/addresses.env); the file is removed on shutdown.

        Partitions: auto-created topics always get 4 partitions in librdkafka 2.0.2. Name topics with \
        --topic to create them up front with --partitions partitions.
        """
    )

    @Option(help: "Listening port. Only 0 (let the OS choose) is possible with librdkafka 2.0.2; use --address-file.")
    var port: Int?

    @Option(help: "Partitions for the topics named with --topic.")
    var partitions: Int = 4

    @Option(help: "Number of brokers in the mock cluster.")
    var brokers: Int = 1

    @Option(help: "Topic to create at start-up with --partitions partitions (repeatable).")
    var topic: [String] = []

    @Option(help: "Write IBQ_KAFKA_BOOTSTRAP=<address> to this file once listening.")
    var addressFile: String?

    func validate() throws {
        if let port, port != 0 {
            throw ValidationError("""
                --port \(port): librdkafka 2.0.2's mock cluster cannot listen on a chosen port (its API has no \
                listener setting); the OS picks one. Use --address-file PATH to publish the address instead.
                """)
        }
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 16") }
        guard partitions >= 1 else { throw ValidationError("--partitions must be at least 1") }
    }

    func run() async throws {
        // stdout carries only the bootstrap line, so scripts can read it; logs go to stderr.
        var logger = Logger(label: "intacct-bigquery.dev-broker", factory: { label in StreamLogHandler.standardError(label: label) })
        logger.logLevel = .notice
        let service = DevBrokerService(brokers: brokers, partitions: partitions, topics: topic, addressFile: addressFile)
        // A stand-in holds nothing to commit: a short fixed bound.
        try await BoundedServiceGroup(services: [service], deadline: .seconds(5), logger: logger).run()
    }
}
