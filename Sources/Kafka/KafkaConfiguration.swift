import Foundation

/// How to reach a Kafka cluster, shared by producers, consumers and the admin client.
///
/// `properties` is passed to librdkafka untouched, so anything librdkafka understands
/// (`security.protocol`, `sasl.mechanism`, `ssl.ca.location`, `linger.ms`…) can be set by an operator
/// without a code change. Settings a client relies on for correctness (idempotence for the producer,
/// manual commits for the consumer) are applied after these and cannot be switched off.
public struct KafkaConfiguration: Sendable {
    /// `host:port` of one or more brokers to bootstrap from.
    public var bootstrapServers: [String]
    /// Identifies this process in broker logs and quotas.
    public var clientID: String
    /// Free-form librdkafka properties.
    public var properties: [String: String]

    public init(bootstrapServers: [String], clientID: String = "intacct-bigquery", properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.properties = properties
    }

    /// Convenience for a comma-separated bootstrap list as Kafka tools print it.
    public init(bootstrap: String, clientID: String = "intacct-bigquery", properties: [String: String] = [:]) {
        self.init(bootstrapServers: bootstrap.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                  clientID: clientID, properties: properties)
    }

    /// The property list for librdkafka: defaults, then the operator's properties, then `enforced`.
    /// Order matters because librdkafka applies them one by one and later ones win.
    func librdkafkaProperties(defaults: [String: String] = [:], enforced: [String: String] = [:]) -> [(String, String)] {
        var merged = defaults
        merged["bootstrap.servers"] = bootstrapServers.joined(separator: ",")
        merged["client.id"] = clientID
        for (key, value) in properties { merged[key] = value }
        for (key, value) in enforced { merged[key] = value }
        return merged.sorted { $0.key < $1.key }
    }
}
