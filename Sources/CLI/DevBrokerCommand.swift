import ArgumentParser

struct DevBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-broker",
        abstract: "Run librdkafka's mock cluster as a local Kafka broker for tests and the demo."
    )
}
