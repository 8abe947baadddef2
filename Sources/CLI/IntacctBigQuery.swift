import ArgumentParser

@main
struct IntacctBigQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intacct-bigquery",
        abstract: "Move Sage Intacct ledgers, payables and dimensions into BigQuery through Kafka.",
        discussion: """
        The poller reads Intacct's XML gateway and publishes every record to Kafka, keyed by record;
        loaders (one consumer group per subsidiary) stream the records into BigQuery with
        deterministic insertIds. The sandbox and dev-broker subcommands run local stand-ins for
        Intacct and Kafka, for tests, the demo and benchmarks.
        """,
        subcommands: [PollCommand.self, DiscoverCommand.self, LoadCommand.self, ReplayCommand.self, DevBrokerCommand.self, SandboxCommand.self,
                      ReconcileCommand.self, CheckCommand.self]
    )
}
