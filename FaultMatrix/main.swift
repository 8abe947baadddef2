import Foundation

// The fault matrix of issue #10: every scenario runs sandbox → poller → dev broker → loaders → BigQuery
// emulator with one fault injected, then changes and deletes and a second poll, and ends with a per-key
// audit of the `_current` views against the sandbox. See docs/operations.md ("The fault matrix").

let options: MatrixOptions
do {
    options = try MatrixOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("\(error)\n\(MatrixOptions.usage)\n".utf8))
    exit(2)
}
if options.list {
    for scenario in Scenario.all { say("\(scenario.name)\t\(scenario.about)") }
    exit(0)
}
let unknown = options.scenarios.filter { name in !Scenario.all.contains { $0.name == name } }
guard unknown.isEmpty else {
    FileHandle.standardError.write(Data("unknown scenario(s): \(unknown.joined(separator: ", ")); --list shows them\n".utf8))
    exit(2)
}
guard FileManager.default.isExecutableFile(atPath: options.binary) else {
    FileHandle.standardError.write(Data("no intacct-bigquery at \(options.binary): build it, or set IBQ_BINARY\n".utf8))
    exit(2)
}
let selected = options.scenarios.isEmpty ? Scenario.all : Scenario.all.filter { options.scenarios.contains($0.name) }

// Ctrl-C or SIGTERM: kill exactly the processes this run started, then go.
var signalSources: [DispatchSourceSignal] = []
for number in [SIGINT, SIGTERM] {
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler {
        ChildRegistry.shared.killAll()
        exit(130)
    }
    source.resume()
    signalSources.append(source)
}

let clock = ContinuousClock()
let started = clock.now
var results: [ScenarioResult] = []
for (index, scenario) in selected.enumerated() {
    say("==> [\(index + 1)/\(selected.count)] \(scenario.name): \(scenario.about)")
    let result = await ScenarioResult.run(scenario, options: options, seed: 7)
    let verdict = result.passed ? "ok" : "FAILED" + (result.failure.map { ": \($0)" } ?? "")
    say("    \(verdict) in \(MatrixTable.duration(result.seconds)); logs in \(options.workDirectory)/\(scenario.name)/")
    results.append(result)
}
say("")
say(MatrixTable.render(results, totalSeconds: Int((clock.now - started).components.seconds), scale: options.scale, timezone: options.timezone))
exit(results.allSatisfy(\.passed) ? 0 : 1)

/// One line to standard output, written through at once so CI shows each scenario as it ends.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
