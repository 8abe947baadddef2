import CRdKafka
import Foundation
import Logging

/// librdkafka's mock cluster, listening on loopback TCP: a real Kafka-protocol broker for tests,
/// the demo and benchmarks, where no Apache Kafka can be installed.
///
/// What it does: produce (idempotent too), fetch, consumer groups, commits, metadata; topics are
/// auto-created on first use. What it does not (librdkafka 2.0.2): CreateTopics, ListGroups/
/// DescribeGroups, offsets-for-times, compaction, retention. Listening ports are chosen by the OS —
/// the 2.0.2 mock API has no way to pick one — so read `bootstrapServers` after starting it.
/// Auto-created topics always get 4 partitions in 2.0.2; use `createTopic` for other counts.
public final class DevBroker: @unchecked Sendable {
    /// Comma-separated `127.0.0.1:port` list of the mock brokers.
    public let bootstrapServers: String
    /// Number of brokers in the cluster.
    public let brokerCount: Int
    private let owner: RDKafkaClient
    private let cluster: KafkaLocked<OpaquePointer?>

    /// Starts the cluster. It serves on its own thread until `stop` (or until this value is dropped).
    public init(brokers: Int = 1, logger: Logger = Logger(label: "intacct-bigquery.kafka.dev-broker")) throws {
        precondition(brokers >= 1, "a cluster needs at least one broker")
        // The mock cluster hangs off an rd_kafka_t, which must outlive it; this one does nothing else.
        owner = try RDKafkaClient(type: RD_KAFKA_PRODUCER, properties: [("log.connection.close", "false")],
                                  callbacks: RDKafkaCallbacks(logger: logger))
        guard let cluster = rd_kafka_mock_cluster_new(owner.handle, Int32(brokers)) else {
            throw KafkaError.from(RD_KAFKA_RESP_ERR__FAIL, message: "librdkafka could not start the mock cluster (see its log)")
        }
        self.cluster = KafkaLocked(cluster)
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        brokerCount = brokers
    }

    /// Creates a topic with an explicit partition count (auto-creation would give 4).
    /// Creating a topic that exists is an error of the mock (`TOPIC_ALREADY_EXISTS`).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        try cluster.withLock { cluster in
            guard let cluster else { throw KafkaError.closed }
            let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(min(replicationFactor, brokerCount)))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, topic: name) }
        }
    }

    /// Stops listening and drops every topic. Safe to call more than once.
    public func stop() {
        cluster.withLock { cluster in
            if let running = cluster { rd_kafka_mock_cluster_destroy(running) }
            cluster = nil
        }
    }

    deinit {
        // The cluster must be gone before `owner` destroys its rd_kafka_t, which happens right after.
        stop()
    }
}
