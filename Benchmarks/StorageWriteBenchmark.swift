import BigQueryStorageAPI
import Catalog
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HTTP
import Kafka
import Loader
import StorageWrite
import Logging
import RecordContract

/// `swift run -c release Benchmarks storage-write [--rows N] [--batch B] [--request-bytes R] [--idle-calls C]
///  [--target sink|emulator] [--grpc HOST:PORT --dataset D] [--stop-after decode|encode]`
///
/// CPU per row of the Storage Write path without Kafka: envelope JSON bytes are decoded, encoded to
/// protobuf rows (`ProtoRowEncoder`) and committed batch by batch through `StorageWriteSink` (one
/// COMMITTED stream, one AppendRows request per batch on the stream's open call). `--request-bytes`
/// caps each AppendRows request (default just under the API's 10 MB), so a batch goes in several
/// requests; `--idle-calls 0` (the client's `maxIdleCalls`) keeps no call open, so each
/// batch opens its own: set beside `--batch`, they tell the cost of a call apart from the cost of a
/// request. `--target sink` (default)
/// sends them to `AcknowledgingBigQueryWrite` in a child process (`storage-write-sink`) that answers
/// at once, so the CPU figure is this process's own: decoding, encoding and the gRPC client.
/// `--target emulator` writes into bqemulator's gRPC port (`--grpc`, default IBQ_BIGQUERY_GRPC) and
/// table `apbill` of `--dataset` (default `bench`), created
/// first over REST (`--emulator`, default IBQ_BIGQUERY_EMULATOR). `--stop-after decode` or `encode`
/// leaves the later steps out, so the CPU of each step can be told apart. The envelopes are built in
/// memory before the clock starts, so the peak RSS includes them (about 1 KB each).
enum StorageWriteBenchmark {
    static func main(_ arguments: [String]) async throws {
        let rows = Int(value(of: "--rows", in: arguments) ?? "") ?? 200_000
        let batchSize = Int(value(of: "--batch", in: arguments) ?? "") ?? 10_000
        let requestBytes = Int(value(of: "--request-bytes", in: arguments) ?? "") ?? StorageWriteClient.defaultMaxRequestBytes
        let idleCalls = Int(value(of: "--idle-calls", in: arguments) ?? "") ?? StorageWriteClient.defaultMaxIdleCalls
        let target = value(of: "--target", in: arguments) ?? "sink"
        let stopAfter = value(of: "--stop-after", in: arguments)
        var sinkProcess: Process?
        let endpoint: StorageWriteEndpoint
        let dataset = value(of: "--dataset", in: arguments) ?? "bench"
        let mapping = ObjectMappings.mapping(for: "APBILL")!
        if target == "emulator" {
            let environment = ProcessInfo.processInfo.environment
            guard let address = value(of: "--grpc", in: arguments) ?? environment["IBQ_BIGQUERY_GRPC"],
                  let emulator = StorageWriteEndpoint.plaintext(address),
                  let rest = value(of: "--emulator", in: arguments) ?? environment["IBQ_BIGQUERY_EMULATOR"] else {
                print("usage: Benchmarks storage-write --target emulator --grpc HOST:PORT --emulator HOST:PORT [--dataset D]")
                return
            }
            let client = BigQueryClient(configuration: BigQueryConfiguration(project: "demo", dataset: dataset, emulatorHost: rest),
                                        tokenProvider: nil, http: HTTPClient(), logger: Logger(label: "bench"))
            try await client.ensureDataset()
            try await client.ensureTable(mapping.tableName, schema: mapping.schema)
            endpoint = emulator
        } else {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["storage-write-sink"]
            let pipe = Pipe()
            child.standardOutput = pipe
            child.standardInput = Pipe()
            try child.run()
            sinkProcess = child
            var buffer = Data()
            while !buffer.contains(UInt8(ascii: "\n")) {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
            }
            let line = String(decoding: buffer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard line.hasPrefix("IBQ_BIGQUERY_GRPC="), let sink = StorageWriteEndpoint.plaintext(String(line.dropFirst(18))) else {
                print("the sink did not start: \(line)")
                return
            }
            endpoint = sink
        }
        defer { if let sinkProcess, sinkProcess.isRunning { sinkProcess.terminate() } }

        let object = ObjectCatalog.standard.objects.first { $0.name == "APBILL" }!
        // Envelopes as Kafka would hand them over: JSON bytes, built before the clock starts.
        let messages: [(key: String, value: Data)] = (0..<rows).map { index in
            let fields = BenchmarkFields.fields(of: object, index: index, recordNo: "\(index)")
            let envelope = RecordEnvelope(key: RecordKey(company: "bench", entity: "E100", object: "APBILL", recordNo: "\(index)"),
                                          whenModified: "2026-01-31T12:00:00Z", extractedAt: "2026-01-31T12:05:00Z", fields: fields)
            return (envelope.key.description, envelope.encoded())
        }
        let table = StorageWriteClient.tablePath(project: "demo", dataset: dataset, table: mapping.tableName)
        let client = try StorageWriteClient(endpoint: endpoint, tokens: nil, maxRequestBytes: requestBytes, maxIdleCalls: idleCalls)
        let encoder = ProtoRowEncoder(mapping: mapping)
        let sink = StorageWriteSink(client: client)

        let (committed, elapsed, cpu) = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { client.close() }
            let cpuBefore = cpuSeconds()
            let started = ContinuousClock.now
            var committed = 0
            let loadedAt = ProtoRowEncoder.microseconds(Date())
            // As the loader's router does: one scanner (and its field order) and one scratch per run of messages.
            var scratch = ProtoRowEncoder.RowScratch()
            var scanner = EnvelopeScanner()
            for start in stride(from: 0, to: rows, by: batchSize) {
                var batch: [Data] = []
                batch.reserveCapacity(batchSize)
                for offset in start..<min(start + batchSize, rows) {
                    let (key, value) = messages[offset]
                    let row = try scanner.read(value) { envelope -> Data in
                        if stopAfter == "decode" { return Data() }
                        return try encoder.row(for: envelope, key: key.utf8,
                                               from: KafkaCoordinates(topic: "intacct.bench.e100.apbill", partition: 0, offset: Int64(offset)),
                                               loadedAtMicros: loadedAt, reusing: &scratch)
                    }
                    batch.append(row)
                }
                if stopAfter != nil {
                    committed += batch.count
                    continue
                }
                committed += try await sink.write(table: table, descriptor: encoder.descriptor, rows: batch).committedRows
            }
            let elapsed = ContinuousClock.now - started
            let cpu = cpuSeconds() - cpuBefore
            client.close()
            try await group.waitForAll()
            return (committed, elapsed, cpu)
        }
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "rows %@ %d in batches of %d, requests of at most %d bytes (%@)", stopAfter.map { "\($0)d only:" } ?? "committed:    ",
                     committed, batchSize, requestBytes, target == "emulator" ? "emulator \(endpoint)" : "instant gRPC sink in a child process"))
        print(String(format: "elapsed:            %.2f s (%.0f rows/s)", wall, Double(committed) / wall))
        let steps = switch stopAfter {
        case "decode": "envelope decode"
        case "encode": "decode + protobuf encode"
        default: "decode + encode + gRPC client"
        }
        print(String(format: "CPU time:           %.2f s: %.0f rows per CPU-second, %.2f µs of CPU per row (%@)",
                     cpu, Double(committed) / cpu, cpu * 1e6 / Double(max(committed, 1)), steps))
        print(String(format: "peak RSS (VmHWM):   %.0f MB (this process; the %@ is another)", PeakMemory.megabytes, target == "emulator" ? "emulator" : "sink"))
    }

    /// The child process: serves `AcknowledgingBigQueryWrite` on an ephemeral loopback port, prints
    /// `IBQ_BIGQUERY_GRPC=…`, and stops when its standard input closes (the parent exited).
    static func sink() async throws {
        let transport = AcknowledgingBigQueryWrite.loopbackTransport()
        try await withGRPCServer(transport: transport, services: [AcknowledgingBigQueryWrite()]) { server in
            let address = try await transport.listeningAddress
            // Unbuffered: the parent waits for this line before it starts the clock.
            FileHandle.standardOutput.write(Data("IBQ_BIGQUERY_GRPC=127.0.0.1:\(address.ipv4?.port ?? 0)\n".utf8))
            _ = FileHandle.standardInput.readDataToEndOfFile()
            server.beginGracefulShutdown()
        }
    }

    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    private static func value(of option: String, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(of: option), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }
}
