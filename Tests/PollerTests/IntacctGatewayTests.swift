import Foundation
@testable import Poller
import HTTP
import XCTest

final class IntacctGatewayTests: XCTestCase {
    private func interpret(_ status: Int, _ body: String, headers: [String: String] = [:]) -> Error? {
        do {
            _ = try IntacctGateway.interpret(HTTPResponse(status: status, headers: headers, body: Data(body.utf8)))
            return nil
        } catch {
            return error
        }
    }

    func testCloudflareAndOtherHTMLPagesAreRetryableGatewayErrors() {
        for status in [200, 502, 520] {
            guard case let IntacctError.htmlErrorPage(got, detail)? = interpret(status, IntacctFixtures.cloudflarePage) else {
                return XCTFail("status \(status)")
            }
            XCTAssertEqual(got, status)
            XCTAssertEqual(detail, "Cloudflare error page: api.intacct.com | 502: Bad gateway")
        }
        XCTAssertEqual((interpret(503, "<html><body>Service Unavailable</body></html>") as? IntacctError)?.isRetryable, true)
    }

    func testRateLimitsCarryRetryAfterAndTheGatewayError() {
        guard case let IntacctError.rateLimited(retryAfter, errors)? = interpret(429, IntacctFixtures.rateLimitBody, headers: ["retry-after": "3"]) else {
            return XCTFail()
        }
        XCTAssertEqual(retryAfter, .seconds(3))
        XCTAssertEqual(errors.first?.errorNumber, "GW-0010")
        // GW-0010 inside a 200 is the same thing.
        guard case IntacctError.rateLimited? = interpret(200, IntacctFixtures.rateLimitBody) else { return XCTFail() }
        guard case IntacctError.rateLimited(nil, [])? = interpret(429, "") else { return XCTFail() }
    }

    func testServerErrorsIncluding524AreRetryable() {
        for status in [500, 502, 503, 524] {
            let error = interpret(status, "upstream failed") as? IntacctError
            guard case let .serverError(got, _, detail)? = error else { return XCTFail("\(status)") }
            XCTAssertEqual(got, status)
            XCTAssertEqual(detail, "upstream failed")
            XCTAssertEqual(error?.isRetryable, true)
        }
    }

    func testA4xxWithAnXMLBodyIsParsedAsAnIntacctError() {
        guard case let IntacctError.controlFailed(_, errors)? = interpret(401, IntacctFixtures.unauthorized401) else { return XCTFail() }
        XCTAssertEqual(errors.first?.errorNumber, "XMLGW_JPP0002")
        guard case IntacctError.httpStatus(404, "no such page")? = interpret(404, "no such page") else { return XCTFail() }
        XCTAssertEqual((interpret(400, "bad") as? IntacctError)?.isRetryable, false)
    }

    func testApplicationFailuresInsideA200AreReturnedForTheClientToType() throws {
        let response = try IntacctGateway.interpret(HTTPResponse(status: 200, body: Data(IntacctFixtures.authenticationFailure.utf8)))
        XCTAssertEqual(response.authentication?.status, "failure")
    }

    func testTransportErrorsKeepTheirRetryability() {
        XCTAssertTrue(IntacctError.transport(.couldNotConnect(url: "u", detail: "refused")).isRetryable)
        XCTAssertFalse(IntacctError.transport(.tlsFailed(url: "u", detail: "bad cert")).isRetryable)
        XCTAssertFalse(IntacctError.resultFailed(status: "failure", function: "query", controlID: "f", object: "X", errors: []).isRetryable)
    }
}
