/// Why a document could not be read.
public enum XMLStreamError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not well-formed XML, or cut off before the end; libxml2's first error message.
    case malformed(String)
    /// Larger than libxml2's in-memory API accepts.
    case tooLarge(Int)

    public var description: String {
        switch self {
        case let .malformed(message): "malformed XML: \(message)"
        case let .tooLarge(size): "document of \(size) bytes is too large to parse in memory"
        }
    }
}
