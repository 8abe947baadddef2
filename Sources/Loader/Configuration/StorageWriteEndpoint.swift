/// Where the Storage Write API is: Google over TLS, or a plaintext endpoint such as bqemulator's
/// `--grpc-port` (no TLS, and with `tokens: nil` no auth either).
public struct StorageWriteEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var usesTLS: Bool

    public init(host: String, port: Int, usesTLS: Bool) {
        self.host = host
        self.port = port
        self.usesTLS = usesTLS
    }

    /// `bigquerystorage.googleapis.com:443`, TLS with the system's trust roots.
    public static let google = StorageWriteEndpoint(host: "bigquerystorage.googleapis.com", port: 443, usesTLS: true)

    /// A plaintext endpoint from `host:port` (what `IBQ_BIGQUERY_GRPC` holds); `nil` when it is not that.
    public static func plaintext(_ hostAndPort: String) -> StorageWriteEndpoint? {
        guard let colon = hostAndPort.lastIndex(of: ":"), let port = Int(hostAndPort[hostAndPort.index(after: colon)...]),
              (1...65535).contains(port), colon > hostAndPort.startIndex else { return nil }
        var host = String(hostAndPort[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return StorageWriteEndpoint(host: host, port: port, usesTLS: false)
    }

    public var description: String { "\(usesTLS ? "tls" : "plaintext")://\(host):\(port)" }
}
