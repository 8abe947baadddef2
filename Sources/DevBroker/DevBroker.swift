import CRdKafka
import Synchronization

/// librdkafka's mock cluster, listening on loopback TCP: a real Kafka-protocol broker for tests,
/// the demo and benchmarks, where no Apache Kafka can be installed.
///
/// What it does: produce (idempotent too), fetch, consumer groups, commits, metadata; topics are
/// auto-created on first use. What it does not (librdkafka 2.0.2): CreateTopics, ListGroups/
/// DescribeGroups, offsets-for-times, compaction, retention. Listening ports are chosen by the OS —
/// the 2.0.2 mock API has no way to pick one — so read `bootstrapServers` after starting it.
/// Auto-created topics always get 4 partitions in 2.0.2; use `createTopic` for other counts.
///
/// It lives in its own module, outside the production graph, and makes its own few librdkafka calls.
// @unchecked Sendable: `owner` is only read (and destroyed once, in deinit); the cluster pointer is behind the Mutex.
public final class DevBroker: @unchecked Sendable {
    /// Comma-separated `127.0.0.1:port` list of the mock brokers.
    public let bootstrapServers: String
    /// Number of brokers in the cluster.
    public let brokerCount: Int
    private let owner: OpaquePointer
    private let cluster: Mutex<OpaquePointer?>

    /// Starts the cluster. It serves on its own thread until `stop` (or until this value is dropped).
    public init(brokers: Int = 1) throws {
        precondition(brokers >= 1, "a cluster needs at least one broker")
        // The mock cluster hangs off an rd_kafka_t, which must outlive it; this one does nothing else.
        var errstr = [CChar](repeating: 0, count: 512)
        guard let conf = rd_kafka_conf_new() else { throw DevBrokerError(message: "out of memory") }
        guard rd_kafka_conf_set(conf, "log.connection.close", "false", &errstr, errstr.count) == RD_KAFKA_CONF_OK,
              let owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw DevBrokerError(message: String(decoding: errstr.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
        }
        guard let cluster = rd_kafka_mock_cluster_new(owner, Int32(brokers)) else {
            rd_kafka_destroy(owner)
            throw DevBrokerError(message: "librdkafka could not start the mock cluster (see its log)")
        }
        self.owner = owner
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.cluster = Mutex(cluster)
        brokerCount = brokers
    }

    /// Creates a topic with an explicit partition count (auto-creation would give 4).
    /// Creating a topic that exists is an error of the mock (`TOPIC_ALREADY_EXISTS`).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        try cluster.withLock { cluster in
            guard let cluster else { throw DevBrokerError(message: "the dev broker is stopped") }
            let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(min(replicationFactor, brokerCount)))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw DevBrokerError(message: "\(name): \(String(cString: rd_kafka_err2name(err)))")
            }
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
        // The cluster must be gone before its rd_kafka_t is destroyed.
        stop()
        rd_kafka_destroy(owner)
    }
}

/// Why the dev broker could not start or create a topic.
public struct DevBrokerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "dev broker: \(message)" }
}
