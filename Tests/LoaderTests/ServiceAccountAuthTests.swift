import Foundation
import Sandbox
import Cryptography
import TokenServer
import XCTest
@testable import Loader

final class ServiceAccountAuthTests: XCTestCase {
    func testRS256SignatureVerifiesWithThePublicKeyAndFailsWhenTampered() throws {
        let key = try RSAPrivateKey.generate()
        let publicKey = try key.publicKey()
        let message = Data("header.claims".utf8)
        let signature = try RS256.sign(message, with: key)
        XCTAssertEqual(signature.count, 256)
        XCTAssertTrue(RS256.verify(signature: signature, of: message, with: publicKey))
        XCTAssertFalse(RS256.verify(signature: signature, of: Data("header.claimz".utf8), with: publicKey))
        XCTAssertFalse(RS256.verify(signature: signature, of: message, with: try RSAPrivateKey.generate().publicKey()))
    }

    func testJWTCarriesGoogleHeaderAndClaimsAndRoundTrips() throws {
        let key = try RSAPrivateKey.generate()
        let jwt = JSONWebToken(header: .init(kid: "kid-1"),
                               claims: .init(iss: "a@b", scope: AccessTokenProvider.bigQueryScope, aud: "http://x/token", iat: 100, exp: 3700))
        let compact = try jwt.signed(with: key)
        let header = try JSONSerialization.jsonObject(with: Base64URL.decode(compact.split(separator: ".")[0])!) as! [String: String]
        XCTAssertEqual(header, ["alg": "RS256", "typ": "JWT", "kid": "kid-1"])
        XCTAssertEqual(try JSONWebToken.verified(compact, with: key.publicKey()), jwt)
        XCTAssertThrowsError(try JSONWebToken.verified(compact, with: RSAPrivateKey.generate().publicKey())) {
            XCTAssertEqual($0 as? JSONWebTokenError, .badSignature)
        }
    }

    func testServiceAccountKeyNeverPrintsItsPrivateKey() throws {
        let account = try SandboxServiceAccount()
        let data = try account.keyJSON(tokenURI: "http://127.0.0.1:1/token")
        let key = try ServiceAccountKey.decode(data)
        XCTAssertEqual(key.clientEmail, account.clientEmail)
        XCTAssertEqual(key.tokenURI, "http://127.0.0.1:1/token")
        XCTAssertEqual(key.projectID, "demo")
        for rendered in [String(describing: key), String(reflecting: key), "\(key)", String(describing: try key.signingKey())] {
            XCTAssertFalse(rendered.contains("PRIVATE KEY"), rendered)
            XCTAssertFalse(rendered.contains(String(key.privateKeyPEM.split(separator: "\n")[1].prefix(20))), rendered)
        }
    }

    func testAKeyFileWithoutClientEmailIsRefusedNamingTheFieldAndPath() throws {
        let path = NSTemporaryDirectory() + "bad-key-\(UUID().uuidString).json"
        try Data(#"{"type":"service_account","private_key":"secret","private_key_id":"k","token_uri":"t"}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ServiceAccountKey.load(path: path)) { error in
            XCTAssertEqual(error as? ServiceAccountKeyError, .missingField("client_email", path: path))
            XCTAssertFalse(String(describing: error).contains("secret"))
        }
    }

    func testAccessTokenDescriptionIsRedacted() {
        let token = AccessToken(value: "ya29.very-secret", expiresAt: Date())
        XCTAssertFalse(String(describing: token).contains("very-secret"))
        XCTAssertFalse(String(reflecting: token).contains("very-secret"))
    }
}
