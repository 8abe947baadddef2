import Foundation
import FuzzInput
import Loader
import Poller
import Configuration
import Yams

// Fuzzes configuration loading: `ConfigurationLoader` (YAML text plus `IBQ__…` environment overrides)
// into `PollerConfiguration`, and `LoaderConfiguration.load(yaml:)` with its cross-section validation.
//
// Input: optional `$ NAME=VALUE` lines (the environment; `$` marks the block), an empty line, then the
// YAML. Without the block the whole input is YAML and the environment holds only `IBQ_TEST_SECRET`, which
// `env:` secrets in the seeds name. Errors are the expected answer; only traps, sanitizer reports and hangs
// are findings.

@_cdecl("FuzzConfiguration_main")
public func fuzzConfigurationMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzConfiguration)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    let input = FramedInput(data, marker: "$")
    var environment = ["IBQ_TEST_SECRET": "s3cret"]
    for line in input.lines where line.hasPrefix("$") {
        let parts = line.dropFirst().drop { $0 == " " }.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
    }
    let yaml = String(decoding: input.body, as: UTF8.self)
    guard !mayReadFiles(yaml, environment: environment) else { return -1 }

    do {
        let poller = try ConfigurationLoader(environment: environment).load(PollerConfiguration.self, yaml: yaml, file: "poller.yaml")
        _ = poller.kafka.configuration(clientID: "fuzz")
    } catch {
        _ = String(describing: error)
    }
    do {
        let loader = try LoaderConfiguration.load(yaml: yaml, file: "loader.yaml", environment: environment)
        _ = loader.kafka.configuration(clientID: "fuzz")
    } catch {
        _ = String(describing: error)
    }
    return 0
}

/// `file:` secrets read whatever path they name, and a fuzzer that found `file:/dev/zero` or a FIFO would
/// report the machine, not the code. Such inputs are rejected (return -1 keeps them out of the corpus).
/// A scalar can only spell `file:` without the bytes `file:` through a double-quoted escape, so inputs
/// with a backslash are composed and every scalar checked.
private func mayReadFiles(_ yaml: String, environment: [String: String]) -> Bool {
    let texts = [yaml] + environment.values
    if texts.contains(where: { $0.contains("file:") }) { return true }
    for text in texts where text.contains("\\") {
        // Within the loader's limits only: Yams would recurse past the stack on what the loader refuses.
        guard YAMLLimits.violation(in: text) == nil, let node = try? Yams.compose(yaml: text) else { continue }
        if containsFileScalar(node) { return true }
    }
    return false
}

private func containsFileScalar(_ node: Node) -> Bool {
    switch node {
    case let .scalar(scalar): return scalar.string.contains("file:")
    case let .mapping(mapping): return mapping.contains { containsFileScalar($0.key) || containsFileScalar($0.value) }
    case let .sequence(sequence): return sequence.contains(where: containsFileScalar)
    }
}
