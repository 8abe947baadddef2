// Benchmarks: `swift run -c release Benchmarks <name> [options]`. Each prints its figures; none asserts.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "xml-parse": XMLParseBenchmark.main(Array(arguments.dropFirst()))
default: print("usage: Benchmarks <benchmark> [options]\n  xml-parse   Intacct response reader vs xmllint --stream (throughput, peak RSS)")
}
