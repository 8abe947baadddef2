import DevBroker
import Foundation
import ServiceLifecycle

/// `intacct-bigquery dev-broker` as a `Service`: the mock cluster serves until the group shuts down.
struct DevBrokerService: Service {
    let brokers: Int
    let partitions: Int
    let topics: [String]
    let addressFile: String?

    func run() async throws {
        let broker = try DevBroker(brokers: brokers)
        for name in topics { try broker.createTopic(name, partitions: partitions) }
        if topics.isEmpty && partitions != 4 {
            FileHandle.standardError.write(Data("note: --partitions applies to --topic topics; auto-created topics get 4\n".utf8))
        }
        if let addressFile {
            try Data("IBQ_KAFKA_BOOTSTRAP=\(broker.bootstrapServers)\n".utf8)
                .write(to: URL(fileURLWithPath: addressFile), options: .atomic)
        }
        // Written through at once: scripts wait for this line.
        FileHandle.standardOutput.write(Data("bootstrap=\(broker.bootstrapServers)\n".utf8))
        try? await gracefulShutdown()
        FileHandle.standardError.write(Data("dev-broker: stopping\n".utf8))
        broker.stop()
        if let addressFile { try? FileManager.default.removeItem(atPath: addressFile) }
    }
}
