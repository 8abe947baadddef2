import XCTest

/// Tests that each get a fresh `PollerHarness` (sandbox company, broker) and leave nothing running.
class PollerHarnessTestCase: XCTestCase {
    /// The sandbox company's size; a subclass picks the smallest its tests can tell apart.
    class var scale: Int { 2_000 }

    private(set) var harness: PollerHarness!

    override func setUp() async throws {
        harness = try await PollerHarness(scale: type(of: self).scale)
    }

    override func tearDown() async throws {
        await harness.shutdown()
    }
}
