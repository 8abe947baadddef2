import Foundation
import TokenServer
import XCTest

final class SandboxServiceAccountTests: XCTestCase {
    func testAGeneratedKeyFileHasWhatGoogleKeysHave() throws {
        let account = try SandboxServiceAccount()
        let json = try account.keyJSON(tokenURI: "http://127.0.0.1:1/token")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        for member in ["type", "client_email", "private_key", "private_key_id", "token_uri", "project_id"] {
            XCTAssertNotNil(object[member], "missing \(member)")
        }
        XCTAssertEqual(object["token_uri"] as? String, "http://127.0.0.1:1/token")
        XCTAssertTrue((object["private_key"] as? String)?.hasPrefix("-----BEGIN PRIVATE KEY-----") ?? false)
    }
}
