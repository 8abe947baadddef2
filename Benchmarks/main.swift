// Benchmarks: `swift run -c release Benchmarks <name> [options]`. Each prints its figures; none asserts.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "xml-parse": XMLParseBenchmark.main(Array(arguments.dropFirst()))
case "kafka-produce": try await KafkaProduceBenchmark.main(Array(arguments.dropFirst()))
case "poller": await PollerBenchmark.main(Array(arguments.dropFirst()))
case "poller-feeder": try await PollerBenchmark.feeder(Array(arguments.dropFirst()))
case "loader": try await LoaderBenchmark.main(Array(arguments.dropFirst()))
case "loader-feeder": try await LoaderBenchmark.feeder(Array(arguments.dropFirst()))
case "storage-write": try await StorageWriteBenchmark.main(Array(arguments.dropFirst()))
case "storage-write-sink": try await StorageWriteBenchmark.sink()
default:
    print("""
    usage: Benchmarks <benchmark> [options]
      xml-parse       Intacct response reader vs xmllint --stream (throughput, peak RSS)
      kafka-produce   records/s and MB/s into the dev broker with the idempotent producer (peak RSS)
      poller          full backfill of a sandbox (in a child process) into Kafka through the poller (records/s, CPU, peak RSS;
                      --latency-ms N: wall time against Intacct's bound, requests × latency ÷ concurrency)
      loader          one loader worker draining pre-produced envelopes into an instant insertAll sink
                      (or --target emulator): rows/s and peak RSS
      storage-write   envelopes encoded to protobuf and committed through the Storage Write sink into
                      a gRPC server that acknowledges at once (or --target emulator): CPU per row
    """)
}
