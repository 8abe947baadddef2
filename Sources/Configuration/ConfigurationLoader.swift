import Foundation
import Yams

/// Loads one typed configuration struct from a YAML file, with environment overrides, and turns every
/// decoding failure into a `ConfigurationError` that names the file and the dotted key.
///
/// Overrides: `IBQ__KAFKA__BOOTSTRAP_SERVERS=host:9092` sets `kafka.bootstrap_servers` (double
/// underscores separate levels; names are lowercased). The value is read as YAML, so numbers and
/// booleans keep their types.
public struct ConfigurationLoader {
    public var environment: [String: String]
    public static let overridePrefix = "IBQ__"

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func load<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError(file: path, key: "", problem: "cannot be read (\(error.localizedDescription))")
        }
        return try load(type, yaml: text, file: path)
    }

    /// Decodes from YAML text; `file` only names the source in errors.
    public func load<T: Decodable>(_ type: T.Type, yaml text: String, file: String) throws -> T {
        if let problem = YAMLLimits.violation(in: text) { throw ConfigurationError(file: file, key: "", problem: problem) }
        var node: Node
        do {
            node = try Yams.compose(yaml: text) ?? Node.mapping([:])
        } catch {
            throw ConfigurationError(file: file, key: "", problem: "is not valid YAML: \(error)")
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix(Self.overridePrefix) {
            let path = name.dropFirst(Self.overridePrefix.count).components(separatedBy: "__").map { $0.lowercased() }
            guard !path.contains(where: \.isEmpty) else { continue }
            if let problem = path.count > YAMLLimits.maximumDepth
                ? "names a key \(path.count) levels deep (at most \(YAMLLimits.maximumDepth))" : YAMLLimits.violation(in: value) {
                throw ConfigurationError(file: "environment", key: name, problem: problem)
            }
            let valueNode = (try? Yams.compose(yaml: value)) ?? nil
            node = Self.setting(node, path: path[...], to: valueNode ?? Node(value))
        }
        node = Self.base60AsText(node)
        do {
            // Yams 5 decodes from text only, so the overridden tree goes back through the serializer.
            let merged = try Yams.serialize(node: node)
            return try YAMLDecoder().decode(type, from: merged, userInfo: [.environment: environment])
        } catch let error as DecodingError {
            throw Self.describe(error, file: file)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(file: file, key: "", problem: String(describing: error))
        }
    }

    /// YAML 1.1 reads a plain `1:30` as the base-60 number 90, and Yams 5 decodes any plain scalar with a
    /// colon into an integer that way, with trapping arithmetic: `batch_rows: 1:0:0:0:0:0:0:0:0:0:0:0`
    /// crashed the loader (the configuration fuzzer found it). No setting is written in base 60, so such
    /// scalars stay text, as YAML 1.2 reads them: a number setting holding one is refused by its key, and a
    /// text setting (`10.0.0.1:9092`) reads the same as before. Recursion is bounded by `YAMLLimits`.
    private static func base60AsText(_ node: Node) -> Node {
        switch node {
        case let .scalar(scalar):
            guard scalar.style == .plain || scalar.style == .any, scalar.string.contains(":") else { return node }
            return .scalar(Node.Scalar(scalar.string, Tag(.str), .doubleQuoted, scalar.mark))
        case let .mapping(mapping):
            return .mapping(Node.Mapping(mapping.map { (base60AsText($0.key), base60AsText($0.value)) }, mapping.tag, mapping.style, mapping.mark))
        case let .sequence(sequence):
            return .sequence(Node.Sequence(sequence.map(base60AsText), sequence.tag, sequence.style, sequence.mark))
        }
    }

    private static func setting(_ node: Node, path: ArraySlice<String>, to value: Node) -> Node {
        guard let head = path.first else { return value }
        var mapping = node.mapping ?? Node.Mapping([])
        let child = mapping[Node(head)] ?? Node.mapping([:])
        mapping[Node(head)] = setting(child, path: path.dropFirst(), to: value)
        return .mapping(mapping)
    }

    static func describe(_ error: DecodingError, file: String) -> ConfigurationError {
        func dotted(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case let .keyNotFound(key, context):
            return ConfigurationError(file: file, key: dotted(context.codingPath + [key]), problem: "is required but missing")
        case let .typeMismatch(type, context):
            return ConfigurationError(file: file, key: dotted(context.codingPath), problem: "must be \(describe(type))")
        case let .valueNotFound(type, context):
            return ConfigurationError(file: file, key: dotted(context.codingPath), problem: "must be \(describe(type)), found nothing")
        case let .dataCorrupted(context):
            return ConfigurationError(file: file, key: dotted(context.codingPath), problem: context.debugDescription)
        @unknown default:
            return ConfigurationError(file: file, key: "", problem: String(describing: error))
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt16.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default:
            String(describing: type).hasPrefix("Array") ? "a list" :
            String(describing: type).hasPrefix("Dictionary") ? "a mapping" : "a \(type)"
        }
    }
}
