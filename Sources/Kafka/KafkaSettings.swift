import Configuration
import Foundation
/// `kafka:` in a service's configuration file.
///
/// ```yaml
/// kafka:
///   bootstrap_servers: broker-1:9093,broker-2:9093
///   security:                      # optional; managed Kafka (Confluent Cloud, MSK, Aiven…)
///     protocol: SASL_SSL           # PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
///     sasl_mechanism: SCRAM-SHA-512  # PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
///     username: env:KAFKA_USERNAME
///     password: file:/run/secrets/kafka-password
///     ca_file: /etc/ssl/kafka-ca.pem
///   properties:                    # any other librdkafka property; values may be env:/file: secrets
///     socket.keepalive.enable: "true"
/// ```
public struct KafkaSettings: Decodable, Sendable {
    /// Comma-separated `host:port` list.
    public var bootstrapServers: String
    public var security: KafkaSecurity?
    /// Any librdkafka property, passed through. Values are resolved like secrets (`env:`, `file:`).
    public var properties: [String: Secret]
    /// Partitions for topics the fleet creates; loaders of one subsidiary scale up to this many replicas.
    public var topicPartitions: Int
    /// -1 takes the broker's default.
    public var replicationFactor: Int

    enum CodingKeys: String, CodingKey {
        case bootstrapServers = "bootstrap_servers", security, properties
        case topicPartitions = "topic_partitions", replicationFactor = "replication_factor"
    }

    public init(bootstrapServers: String, security: KafkaSecurity? = nil, properties: [String: String] = [:],
                topicPartitions: Int = 4, replicationFactor: Int = -1) {
        self.bootstrapServers = bootstrapServers
        self.security = security
        self.properties = properties.mapValues(Secret.init)
        self.topicPartitions = topicPartitions
        self.replicationFactor = replicationFactor
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bootstrapServers = try c.decode(String.self, forKey: .bootstrapServers)
        security = try c.decodeIfPresent(KafkaSecurity.self, forKey: .security)
        properties = try c.decodeIfPresent([String: Secret].self, forKey: .properties) ?? [:]
        topicPartitions = try c.decodeIfPresent(Int.self, forKey: .topicPartitions) ?? 4
        replicationFactor = try c.decodeIfPresent(Int.self, forKey: .replicationFactor) ?? -1
        guard !bootstrapServers.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .bootstrapServers, in: c, debugDescription: "must name at least one host:port")
        }
        guard topicPartitions > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .topicPartitions, in: c, debugDescription: "must be at least 1")
        }
    }

    /// The librdkafka client configuration for one worker. Explicit `properties` win over what
    /// `security` derives, so an operator can always override.
    public func configuration(clientID: String) -> KafkaConfiguration {
        var merged = security?.librdkafkaProperties ?? [:]
        for (name, value) in properties { merged[name] = value.value }
        return KafkaConfiguration(bootstrap: bootstrapServers, clientID: clientID, properties: merged)
    }
}

/// `kafka.security:` — TLS and SASL for managed or secured brokers.
public struct KafkaSecurity: Decodable, Sendable {
    public enum SecurityProtocol: String, Decodable, Sendable {
        case plaintext = "PLAINTEXT", ssl = "SSL", saslPlaintext = "SASL_PLAINTEXT", saslSSL = "SASL_SSL"
        var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }
        var usesTLS: Bool { self == .ssl || self == .saslSSL }
    }
    public enum SASLMechanism: String, Decodable, Sendable {
        case plain = "PLAIN", scramSHA256 = "SCRAM-SHA-256", scramSHA512 = "SCRAM-SHA-512"
    }

    public var securityProtocol: SecurityProtocol
    public var saslMechanism: SASLMechanism?
    public var username: Secret?
    public var password: Secret?
    /// PEM bundle of the CA(s) that signed the brokers' certificates; the system store when absent.
    public var caFile: String?
    /// Client certificate and key, for brokers that authenticate clients by mutual TLS.
    public var certificateFile: String?
    public var keyFile: String?

    enum CodingKeys: String, CodingKey {
        case securityProtocol = "protocol", saslMechanism = "sasl_mechanism", username, password
        case caFile = "ca_file", certificateFile = "certificate_file", keyFile = "key_file"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        securityProtocol = try c.decode(SecurityProtocol.self, forKey: .securityProtocol)
        saslMechanism = try c.decodeIfPresent(SASLMechanism.self, forKey: .saslMechanism)
        username = try c.decodeIfPresent(Secret.self, forKey: .username)
        password = try c.decodeIfPresent(Secret.self, forKey: .password)
        caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
        certificateFile = try c.decodeIfPresent(String.self, forKey: .certificateFile)
        keyFile = try c.decodeIfPresent(String.self, forKey: .keyFile)
        if securityProtocol.usesSASL {
            guard saslMechanism != nil else {
                throw DecodingError.dataCorruptedError(forKey: .saslMechanism, in: c,
                    debugDescription: "is required with protocol \(securityProtocol.rawValue) (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)")
            }
            guard username != nil else {
                throw DecodingError.dataCorruptedError(forKey: .username, in: c, debugDescription: "is required with SASL")
            }
            guard password != nil else {
                throw DecodingError.dataCorruptedError(forKey: .password, in: c, debugDescription: "is required with SASL")
            }
        }
        if (caFile != nil || certificateFile != nil) && !securityProtocol.usesTLS {
            throw DecodingError.dataCorruptedError(forKey: .securityProtocol, in: c,
                debugDescription: "is \(securityProtocol.rawValue), but TLS files are configured; use SSL or SASL_SSL")
        }
        if (certificateFile == nil) != (keyFile == nil) {
            throw DecodingError.dataCorruptedError(forKey: certificateFile == nil ? .certificateFile : .keyFile, in: c,
                debugDescription: "certificate_file and key_file go together")
        }
    }

    var librdkafkaProperties: [String: String] {
        var properties = ["security.protocol": securityProtocol.rawValue]
        if securityProtocol.usesSASL, let saslMechanism, let username, let password {
            properties["sasl.mechanisms"] = saslMechanism.rawValue
            properties["sasl.username"] = username.value
            properties["sasl.password"] = password.value
        }
        if let caFile { properties["ssl.ca.location"] = caFile }
        if let certificateFile { properties["ssl.certificate.location"] = certificateFile }
        if let keyFile { properties["ssl.key.location"] = keyFile }
        return properties
    }
}
