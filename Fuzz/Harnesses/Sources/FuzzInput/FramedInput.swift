import Foundation

/// A fuzz input made of a header block and a body, so one byte string can carry what an entry point
/// needs besides its main bytes (an HTTP status, a Kafka topic, environment variables).
///
/// The header block is the lines before the first empty line; each is `name: value` (or a bare `name`).
/// An input without the block's marker is all body, so a raw response or envelope is a valid input too.
public struct FramedInput {
    /// The header block's lines as they are.
    public var lines: [String] = []
    public var headers: [(name: String, value: String)] = []
    public var body: Data

    /// Splits `data` when it starts with `marker`; otherwise the whole input is the body.
    public init(_ data: Data, marker: String) {
        guard data.starts(with: Data(marker.utf8)) else {
            body = data
            return
        }
        let separator = data.firstRange(of: Data("\n\n".utf8))
        let head = separator.map { data[data.startIndex..<$0.lowerBound] } ?? data[...]
        body = separator.map { Data(data[$0.upperBound...]) } ?? Data()
        for line in String(decoding: head, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
            lines.append(String(line))
            if let colon = line.firstIndex(of: ":") {
                let value = line[line.index(after: colon)...].drop { $0 == " " }
                headers.append((String(line[..<colon]), String(value)))
            } else {
                headers.append((String(line), ""))
            }
        }
    }

    /// The first header of this name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// Every header of this name, in order.
    public func headers(_ name: String) -> [String] {
        headers.filter { $0.name == name }.map(\.value)
    }
}
