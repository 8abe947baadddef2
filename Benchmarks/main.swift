// Benchmarks: `swift run -c release Benchmarks <name> [options]`. Each prints its figures; none asserts.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "xml-parse": XMLParseBenchmark.main(Array(arguments.dropFirst()))
case "poller": PollerBenchmark.main(Array(arguments.dropFirst()))
default: print("usage: Benchmarks <benchmark> [options]\n  xml-parse   Intacct response reader vs xmllint --stream (throughput, peak RSS)\n  poller      full backfill of an in-process sandbox into a mock Kafka cluster (records/s, peak RSS)")
}
