// Benchmarks: `swift run -c release Benchmarks <name> [options]`. Each prints its figures; none asserts.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "kafka-produce": try await KafkaProduceBenchmark.main(Array(arguments.dropFirst()))
default:
    print("""
    usage: Benchmarks <benchmark> [options]
      kafka-produce   records/s and MB/s into the dev broker with the idempotent producer (peak RSS)
    """)
}
