import Foundation
import Configuration
import XCTest
@testable import Loader
import LoaderProcess

final class LoaderConfigurationTests: XCTestCase {
    private let minimal = """
        company: demo
        kafka:
          bootstrap_servers: "127.0.0.1:9092"
        bigquery:
          project: demo
          dataset: intacct_demo
          emulator_host: "127.0.0.1:9050"
        """

    func testDefaultsMatchTheBigQueryLimits() throws {
        let configuration = try LoaderConfiguration.load(yaml: minimal, environment: ["BIGQUERY_EMULATOR_GRPC_HOST": "127.0.0.1:9060"])
        XCTAssertEqual(configuration.loader.batchRows, 500)
        XCTAssertEqual(configuration.loader.batchBytes, 9 * 1024 * 1024)
        XCTAssertEqual(configuration.loader.lingerMilliseconds, 1000)
        XCTAssertEqual(configuration.loader.httpPort, 8082)
        XCTAssertFalse(configuration.loader.includeTop)
        XCTAssertEqual(configuration.bigquery.location, "US")
        XCTAssertTrue(configuration.bigQueryClientConfiguration.usesEmulator)
    }

    func testTheConsumerPrefetchDefaultsApplyUnlessTheOperatorSetsThem() throws {
        let defaults = try LoaderConfiguration.load(yaml: minimal, environment: [:]).kafkaConfiguration(clientID: "c", consumer: true).properties
        XCTAssertEqual(defaults["queued.max.messages.kbytes"], "4096")
        XCTAssertNil(defaults["fetch.message.max.bytes"], "librdkafka's own default")
        XCTAssertEqual(defaults["session.timeout.ms"], "10000")

        let yaml = minimal.replacingOccurrences(of: "  bootstrap_servers: \"127.0.0.1:9092\"",
                                                with: "  bootstrap_servers: \"127.0.0.1:9092\"\n  properties: {queued.max.messages.kbytes: \"2048\"}")
        let operatorSet = try LoaderConfiguration.load(yaml: yaml, environment: [:]).kafkaConfiguration(clientID: "c", consumer: true).properties
        XCTAssertEqual(operatorSet["queued.max.messages.kbytes"], "2048")
        XCTAssertEqual(operatorSet["session.timeout.ms"], "10000")
        // A producer (dead letters, audit) prefetches nothing.
        XCTAssertNil(try LoaderConfiguration.load(yaml: minimal, environment: [:]).kafkaConfiguration(clientID: "c").properties["queued.max.messages.kbytes"])
    }

    func testEnvironmentOverridesAndGoogleVariablesApply() throws {
        let yaml = minimal.replacingOccurrences(of: "  emulator_host: \"127.0.0.1:9050\"\n", with: "").replacingOccurrences(of: "  emulator_host: \"127.0.0.1:9050\"", with: "")
        let configuration = try LoaderConfiguration.load(yaml: yaml, environment: [
            "IBQ__LOADER__BATCH_ROWS": "250", "IBQ__LOADER__INCLUDE_TOP": "true", "BIGQUERY_EMULATOR_HOST": "127.0.0.1:1234",
            "BIGQUERY_EMULATOR_GRPC_HOST": "127.0.0.1:1235",
        ])
        XCTAssertEqual(configuration.loader.batchRows, 250)
        XCTAssertTrue(configuration.loader.includeTop)
        XCTAssertEqual(configuration.bigQueryClientConfiguration.emulatorHost, "127.0.0.1:1234")
    }

    func testErrorsNameTheFileAndTheKey() {
        func problem(_ yaml: String, environment: [String: String] = [:]) -> ConfigurationError? {
            do {
                _ = try LoaderConfiguration.load(yaml: yaml, file: "loader.yaml", environment: environment)
                return nil
            } catch { return error as? ConfigurationError }
        }
        XCTAssertEqual(problem(minimal.replacingOccurrences(of: "  dataset: intacct_demo\n", with: ""))?.key, "bigquery.dataset")
        XCTAssertEqual(problem(minimal + "\nloader:\n  batch_rows: 0\n")?.key, "loader.batch_rows")
        XCTAssertEqual(problem(minimal + "\nloader:\n  batch_bytes: 20000000\n")?.key, "loader.batch_bytes")
        XCTAssertEqual(problem(minimal.replacingOccurrences(of: "company: demo", with: "company: \"de.mo\""))?.key, "company")
        let noCredentials = problem(minimal.replacingOccurrences(of: "  emulator_host: \"127.0.0.1:9050\"", with: ""))
        XCTAssertEqual(noCredentials?.file, "loader.yaml")
        XCTAssertEqual(noCredentials?.key, "bigquery")
        XCTAssertTrue(noCredentials?.problem.contains("GOOGLE_APPLICATION_CREDENTIALS") ?? false, "\(String(describing: noCredentials))")
    }

    func testTheWriteAPIIsChosenByKeyAndStorageIsTheDefault() throws {
        let grpc = "\n  emulator_grpc_host: 127.0.0.1:9060\n"
        let storage = try LoaderConfiguration.load(yaml: minimal + grpc, environment: [:])
        XCTAssertEqual(storage.bigquery.writeAPI, .storage)
        XCTAssertEqual(storage.bigquery.storageWriteEndpoint(environment: [:]), StorageWriteEndpoint(host: "127.0.0.1", port: 9060, usesTLS: false))
        let insertAll = try LoaderConfiguration.load(yaml: minimal + "\n  write_api: insert_all\n", environment: [:])
        XCTAssertEqual(insertAll.bigquery.writeAPI, .insertAll)
        do {
            _ = try LoaderConfiguration.load(yaml: minimal + "\n  write_api: grpc\n", file: "loader.yaml", environment: [:])
            XCTFail("an unknown write API is refused")
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.key, "bigquery.write_api")
            XCTAssertTrue(error.problem.contains("insert_all"), error.problem)
        }
    }

    func testALoaderOnStorageWithAnEmulatorButNoGRPCHostIsRefusedAtStartUpNamingTheKey() throws {
        let withoutGRPC = try LoaderConfiguration.load(yaml: minimal, file: "loader.yaml", environment: [:])
        XCTAssertEqual(withoutGRPC.bigquery.writeAPI, .storage, "replay and reconcile read the file without needing the Write API")
        do {
            _ = try LoaderService(configuration: withoutGRPC, entity: "E100", logger: quietLogger())
            XCTFail("a loader on storage without the emulator's gRPC port is refused at start-up")
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.key, "bigquery.emulator_grpc_host")
            XCTAssertEqual(error.file, "loader.yaml")
            XCTAssertTrue(error.problem.contains("BIGQUERY_EMULATOR_GRPC_HOST"), error.problem)
        }
        do {
            _ = try LoaderConfiguration.load(yaml: minimal + "\n  emulator_grpc_host: nonsense\n", file: "loader.yaml", environment: [:]).storageWriteEndpoint()
            XCTFail("a gRPC host that is not host:port is refused")
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.key, "bigquery.emulator_grpc_host")
        }
        let fromEnvironment = try LoaderConfiguration.load(yaml: minimal, environment: ["BIGQUERY_EMULATOR_GRPC_HOST": "127.0.0.1:9061"])
        XCTAssertEqual(fromEnvironment.bigquery.storageWriteEndpoint(environment: fromEnvironment.environment)?.port, 9061)
        XCTAssertEqual(BigQuerySettings(project: "p", dataset: "d").storageWriteEndpoint(environment: [:]), .google,
                       "without an emulator the Write API is Google's, over TLS")
    }

    func testTheTestOnlyFailpointIsOffByDefaultAndNamedExactly() throws {
        XCTAssertNil(try LoaderConfiguration.load(yaml: minimal, environment: ["BIGQUERY_EMULATOR_GRPC_HOST": "127.0.0.1:9060"]).loader.failpoint)
        let armed = try LoaderConfiguration.load(yaml: minimal + "\nloader:\n  failpoint: kill_after_bigquery_commit\n", environment: ["BIGQUERY_EMULATOR_GRPC_HOST": "127.0.0.1:9060"])
        XCTAssertEqual(armed.loader.failpoint, .killAfterBigQueryCommit)
        XCTAssertThrowsError(try LoaderConfiguration.load(yaml: minimal + "\nloader:\n  failpoint: kill\n", environment: ["BIGQUERY_EMULATOR_GRPC_HOST": "127.0.0.1:9060"])) { error in
            XCTAssertEqual((error as? ConfigurationError)?.key, "loader.failpoint")
        }
    }

    func testEachSubsidiaryHasItsOwnGroupAndNeverMatchesAnotherSubsidiarysTopics() {
        let e100 = LoaderScope(company: "DEMO", entity: "E100")
        XCTAssertEqual(e100.groupID, "bigquery-loader.demo.e100")
        XCTAssertTrue(e100.matches(topic: "intacct.demo.e100.apbill"))
        XCTAssertTrue(e100.matches(topic: "intacct.demo.e100.gl_detail"))
        XCTAssertFalse(e100.matches(topic: "intacct.demo.e1000.apbill"))
        XCTAssertFalse(e100.matches(topic: "intacct.demo.e200.apbill"))
        XCTAssertFalse(e100.matches(topic: "intacct.demo.top.glaccount"))
        XCTAssertFalse(e100.matches(topic: "intacct.demo._dlq"))
        XCTAssertFalse(e100.matches(topic: "intacct.other.e100.apbill"))
        let top = LoaderScope(company: "demo", entity: "top")
        XCTAssertEqual(top.groupID, "bigquery-loader.demo.top")
        XCTAssertTrue(top.matches(topic: "intacct.demo.top.department"))
        XCTAssertTrue(LoaderScope.audit(company: "demo").matches(topic: "intacct.demo._audit"))
    }

    func testReplayStartsParse() {
        XCTAssertEqual(ReplayStart(argument: "earliest"), .earliest)
        XCTAssertEqual(ReplayStart(argument: "offset:42"), .offset(42))
        XCTAssertEqual(ReplayStart(argument: "time:2026-01-31T00:00:00Z"), .time(Date(timeIntervalSince1970: 1_769_817_600)))
        XCTAssertNil(ReplayStart(argument: "offset:-1"))
        XCTAssertNil(ReplayStart(argument: "time:yesterday"))
        XCTAssertNil(ReplayStart(argument: "latest-ish"))
    }
}
