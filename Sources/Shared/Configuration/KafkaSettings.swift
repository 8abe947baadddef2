/// `kafka:` in a service's configuration file.
public struct KafkaSettings: Decodable, Sendable, Equatable {
    /// Comma-separated `host:port` list.
    public var bootstrapServers: String
    /// Any librdkafka property, passed through (e.g. `security.protocol`, `sasl.mechanisms`).
    public var properties: [String: String]
    /// Partitions for topics the fleet creates; loaders of one subsidiary scale up to this many replicas.
    public var topicPartitions: Int
    /// -1 takes the broker's default.
    public var replicationFactor: Int

    enum CodingKeys: String, CodingKey {
        case bootstrapServers = "bootstrap_servers", properties
        case topicPartitions = "topic_partitions", replicationFactor = "replication_factor"
    }

    public init(bootstrapServers: String, properties: [String: String] = [:], topicPartitions: Int = 4, replicationFactor: Int = -1) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.topicPartitions = topicPartitions
        self.replicationFactor = replicationFactor
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bootstrapServers = try c.decode(String.self, forKey: .bootstrapServers)
        properties = try c.decodeIfPresent([String: String].self, forKey: .properties) ?? [:]
        topicPartitions = try c.decodeIfPresent(Int.self, forKey: .topicPartitions) ?? 4
        replicationFactor = try c.decodeIfPresent(Int.self, forKey: .replicationFactor) ?? -1
        guard topicPartitions > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .topicPartitions, in: c, debugDescription: "must be at least 1")
        }
    }
}
