// Benchmarks: `swift run -c release Benchmarks <name> [options]`. Each prints its figures; none asserts.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "loader": try await LoaderBenchmark.main(Array(arguments.dropFirst()))
case "loader-feeder": try await LoaderBenchmark.feeder(Array(arguments.dropFirst()))
default:
    print("""
    usage: Benchmarks <benchmark> [options]
      loader          one loader worker draining pre-produced envelopes into an instant insertAll sink
                      (or --target emulator): rows/s and peak RSS
    """)
}
