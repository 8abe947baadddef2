import Foundation
import Cryptography

/// A throwaway service account for tests and the demo: a fresh RSA key pair and the JSON key file
/// Google would hand out, with `token_uri` pointing at an `OAuthTokenServer`.
public struct SandboxServiceAccount: Sendable {
    public let clientEmail: String
    public let privateKeyID: String
    public let projectID: String
    public let privateKey: RSAPrivateKey
    /// SubjectPublicKeyInfo PEM; configure the token server with it.
    public let publicKeyPEM: String

    public init(clientEmail: String = "loader@sandbox-project.iam.gserviceaccount.com", projectID: String = "demo", bits: Int = 2048) throws {
        self.clientEmail = clientEmail
        self.projectID = projectID
        privateKey = try RSAPrivateKey.generate(bits: bits)
        publicKeyPEM = try privateKey.publicKey().pem()
        privateKeyID = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// The key file's JSON, in Google's shape.
    public func keyJSON(tokenURI: String) throws -> Data {
        let object: [String: String] = [
            "type": "service_account",
            "project_id": projectID,
            "private_key_id": privateKeyID,
            "private_key": try privateKey.pemPKCS8(),
            "client_email": clientEmail,
            "client_id": "100000000000000000000",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": tokenURI,
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    /// Writes the key file (mode 0600, as a real key should be) and returns its path.
    @discardableResult
    public func writeKeyFile(tokenURI: String, to path: String) throws -> String {
        try keyJSON(tokenURI: tokenURI).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }

    /// Configures a token server for this account, proxying BigQuery calls to `upstream`.
    public func tokenServer(upstream: String?, tokenLifetimeSeconds: Int = 3600) throws -> OAuthTokenServer {
        try OAuthTokenServer(clientEmail: clientEmail, publicKeyPEM: publicKeyPEM, upstream: upstream,
                             tokenLifetimeSeconds: tokenLifetimeSeconds)
    }
}
