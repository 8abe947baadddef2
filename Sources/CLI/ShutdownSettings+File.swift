import Configuration
import Operations

extension ShutdownSettings {
    /// The `shutdown:` section of a worker's configuration file, with `IBQ__SHUTDOWN__GRACE_SECONDS`
    /// overriding it like any other key. Read beside the worker's own configuration, so the poller's and
    /// the loader's files take the same section.
    static func load(from path: String) throws -> ShutdownSettings {
        try ConfigurationLoader().load(ShutdownSettings.Section.self, from: path).shutdown
    }
}
