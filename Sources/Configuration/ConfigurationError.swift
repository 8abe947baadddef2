/// Why a configuration could not be used. Always names the file and the key, so the operator can fix it
/// without reading code.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The file the configuration came from, or `environment` for an override.
    public var file: String
    /// Dotted path of the offending key, e.g. `kafka.bootstrap_servers`; empty for the whole document.
    public var key: String
    public var problem: String

    public init(file: String, key: String, problem: String) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    public var description: String {
        key.isEmpty ? "\(file): \(problem)" : "\(file): \(key): \(problem)"
    }
}
