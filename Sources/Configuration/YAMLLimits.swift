import CYaml  // Yams's own libyaml; no second copy of the C library

/// Bounds on a YAML document, checked before Yams sees it.
///
/// Yams composes a document recursively, and `ConfigurationLoader` serializes the composed tree with every
/// alias expanded. So a broken or hostile file would crash a worker before any error could name it:
/// a few thousand nested `{` overflow the stack (the configuration fuzzer found that), and aliases of
/// aliases ("a billion laughs") expand to more nodes than memory holds. This reads libyaml's event stream,
/// which keeps its own stack rather than recursing, and refuses such a document with the line it fails on.
///
/// Real configuration and mapping files nest about six deep and hold a few hundred nodes.
public enum YAMLLimits {
    /// Collections nested deeper than this are refused. Low enough for a Swift task's small stack even in
    /// a debug build, where each level of Yams's recursion costs several kilobytes.
    public static let maximumDepth = 32
    /// Scalars and collections after alias expansion.
    public static let maximumNodes = 100_000

    /// What is wrong with `text`, or nil when it is within the limits. Text libyaml cannot parse is left for
    /// Yams to reject, since its error message is the one a user wants.
    public static func violation(in text: String) -> String? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var counter = Counter()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let line = event.start_mark.line + 1
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT
                        ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                    counter.open(anchor: anchor.map { String(cString: $0) })
                    if counter.depth > maximumDepth { return "nests deeper than \(maximumDepth) levels (line \(line))" }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    counter.close()
                case YAML_SCALAR_EVENT:
                    counter.add(1, anchor: event.data.scalar.anchor.map { String(cString: $0) })
                case YAML_ALIAS_EVENT:
                    // An unknown anchor is Yams's error to report.
                    counter.add(event.data.alias.anchor.flatMap { counter.anchors[String(cString: $0)] } ?? 1, anchor: nil)
                default:
                    break
                }
                if counter.total > maximumNodes {
                    return "expands to more than \(maximumNodes) nodes (line \(line); aliases count as copies)"
                }
            }
        }
    }

    /// Node counts with aliases expanded: each open collection's count so far, and each anchor's size.
    private struct Counter {
        var stack: [(count: Int, anchor: String?)] = []
        var anchors: [String: Int] = [:]
        var total = 0

        var depth: Int { stack.count }

        mutating func open(anchor: String?) {
            stack.append((0, anchor))
        }

        mutating func close() {
            guard let (count, anchor) = stack.popLast() else { return }
            add(count + 1, anchor: anchor, alreadyCounted: count)
        }

        /// A finished node of `size` nodes; its children (`alreadyCounted`) were added to the total as they came.
        mutating func add(_ size: Int, anchor: String?, alreadyCounted: Int = 0) {
            total += size - alreadyCounted
            if let anchor { anchors[anchor] = size }
            if !stack.isEmpty { stack[stack.count - 1].count += size }
        }
    }
}
