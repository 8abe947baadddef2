import Foundation
import Cryptography

/// A Google service-account JSON key, as downloaded from the console or named by
/// `GOOGLE_APPLICATION_CREDENTIALS`.
///
/// `description` and `debugDescription` name the account and key id only: the private key must never
/// reach a log line, an error or a crash report.
public struct ServiceAccountKey: Sendable, Decodable, CustomStringConvertible, CustomDebugStringConvertible {
    public var clientEmail: String
    /// PEM, RSA. Private: read it through `signingKey()`.
    let privateKeyPEM: String
    public var privateKeyID: String
    public var tokenURI: String
    public var projectID: String?

    enum CodingKeys: String, CodingKey {
        case clientEmail = "client_email"
        case privateKeyPEM = "private_key"
        case privateKeyID = "private_key_id"
        case tokenURI = "token_uri"
        case projectID = "project_id"
        case type
    }

    public init(clientEmail: String, privateKeyPEM: String, privateKeyID: String, tokenURI: String, projectID: String?) {
        self.clientEmail = clientEmail
        self.privateKeyPEM = privateKeyPEM
        self.privateKeyID = privateKeyID
        self.tokenURI = tokenURI
        self.projectID = projectID
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let type = try container.decodeIfPresent(String.self, forKey: .type), type != "service_account" {
            throw ServiceAccountKeyError.notServiceAccount(type: type)
        }
        func required(_ key: CodingKeys) throws -> String {
            guard let value = try? container.decodeIfPresent(String.self, forKey: key), !value.isEmpty else {
                throw ServiceAccountKeyError.missingField(key.rawValue)
            }
            return value
        }
        clientEmail = try required(.clientEmail)
        privateKeyPEM = try required(.privateKeyPEM)
        privateKeyID = try required(.privateKeyID)
        tokenURI = try required(.tokenURI)
        projectID = try? container.decodeIfPresent(String.self, forKey: .projectID)
    }

    /// Reads and decodes the key file; errors name the path, never the contents.
    public static func load(path: String) throws -> ServiceAccountKey {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ServiceAccountKeyError.unreadableFile(path: path, detail: (error as NSError).localizedDescription)
        }
        return try decode(data, path: path)
    }

    /// The file named by `GOOGLE_APPLICATION_CREDENTIALS`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServiceAccountKey {
        guard let path = environment["GOOGLE_APPLICATION_CREDENTIALS"], !path.isEmpty else {
            throw ServiceAccountKeyError.noCredentialsConfigured
        }
        return try load(path: path)
    }

    public static func decode(_ data: Data, path: String = "<memory>") throws -> ServiceAccountKey {
        do {
            return try JSONDecoder().decode(ServiceAccountKey.self, from: data)
        } catch let error as ServiceAccountKeyError {
            throw error.at(path)
        } catch {
            // DecodingError descriptions can quote values; say only that the JSON is unusable.
            throw ServiceAccountKeyError.invalidJSON(path: path)
        }
    }

    /// The RSA key, parsed by OpenSSL.
    public func signingKey() throws -> RSAPrivateKey {
        do { return try RSAPrivateKey(pem: privateKeyPEM) } catch {
            throw ServiceAccountKeyError.unusablePrivateKey(keyID: privateKeyID, detail: String(describing: error))
        }
    }

    public var description: String { "ServiceAccountKey(\(clientEmail), key id \(privateKeyID), private key redacted)" }
    public var debugDescription: String { description }
}

/// Why a service-account key could not be used. Never carries key material.
public enum ServiceAccountKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case noCredentialsConfigured
    case unreadableFile(path: String, detail: String)
    case invalidJSON(path: String)
    case missingField(String, path: String = "<memory>")
    case notServiceAccount(type: String)
    case unusablePrivateKey(keyID: String, detail: String)

    func at(_ path: String) -> ServiceAccountKeyError {
        if case let .missingField(name, _) = self { return .missingField(name, path: path) }
        return self
    }

    public var description: String {
        switch self {
        case .noCredentialsConfigured:
            "no service-account key: set GOOGLE_APPLICATION_CREDENTIALS or bigquery.credentials, or BIGQUERY_EMULATOR_HOST for an emulator"
        case let .unreadableFile(path, detail): "cannot read service-account key \(path): \(detail)"
        case let .invalidJSON(path): "service-account key \(path) is not valid JSON of a service-account key"
        case let .missingField(name, path): "service-account key \(path) has no \"\(name)\""
        case let .notServiceAccount(type): "key file is of type \"\(type)\", expected \"service_account\""
        case let .unusablePrivateKey(keyID, detail): "private key \(keyID) cannot be used: \(detail)"
        }
    }
}
