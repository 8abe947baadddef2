import Configuration
import Poller

/// A poller configuration that reaches no broker and no Intacct: the validation tests load it with one
/// setting changed and look at what the loader accepts or names in its error.
enum OfflinePollerConfiguration {
    /// `intacct` is one more line under `intacct:`; `trailing` is appended after `poller:`, at top level.
    static func load(intacct: String = "", trailing: String = "") throws -> PollerConfiguration {
        let yaml = """
        company: DEMO
        kafka:
          bootstrap_servers: 127.0.0.1:9092
        intacct:
          sender_id: demo-sender
          sender_password: pw
          user_id: api_user
          company_id: DEMO
          user_password: user-secret
          \(intacct)
        poller:
          objects: [GLACCOUNT]
        \(trailing)
        """
        return try ConfigurationLoader(environment: [:]).load(PollerConfiguration.self, yaml: yaml, file: "poller.yaml")
    }
}
