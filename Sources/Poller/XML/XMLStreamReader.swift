import CXML2
#if canImport(Glibc)
import Glibc
#endif
// No `import Foundation` here: libxml2's headers pull in the system ICU, whose enums clash with
// Foundation's bundled copy when both are visible in one file.

/// A pull reader over libxml2's `xmlTextReader`: one node at a time, no tree kept, so memory stays
/// flat whatever the document size. The only type that touches libxml2; everything above it sees
/// Swift strings and node kinds.
///
/// Not thread-safe: one reader per document, used from one task.
public final class XMLStreamReader {
    /// What the reader is positioned on.
    public enum NodeKind: Equatable, Sendable {
        case startElement
        case endElement
        /// Text, CDATA or whitespace: character content of the enclosing element.
        case text
        case other
    }

    /// Where bytes come from when the document is streamed rather than held in memory.
    /// Returns the number of bytes written into the buffer, 0 at the end, or -1 on a read error.
    public typealias ByteSource = (UnsafeMutableRawBufferPointer) -> Int

    private let reader: xmlTextReaderPtr
    private let errors: ErrorSink
    private let source: SourceBox?
    /// Element names are interned in the reader's dictionary, so one Swift string per distinct pointer.
    private var names: [UnsafeRawPointer: String] = [:]

    /// Parses `bytes`, which must stay valid and unchanged for the reader's whole life.
    public init(bytes: UnsafeRawBufferPointer) throws {
        Self.initializeLibrary()
        guard bytes.count < Int(Int32.max) else { throw XMLStreamError.tooLarge(bytes.count) }
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) ?? UnsafePointer<CChar>(bitPattern: 1)
        guard let reader = xmlReaderForMemory(base, Int32(bytes.count), nil, "UTF-8", Self.options) else {
            throw XMLStreamError.malformed("libxml2 could not create a reader")
        }
        self.reader = reader
        self.source = nil
        self.errors = ErrorSink()
        installErrorHandler()
    }

    /// Streams the document from `source`, pulling chunks only as the parser needs them.
    public init(source: @escaping ByteSource) throws {
        Self.initializeLibrary()
        let box = SourceBox(read: source)
        let context = Unmanaged.passUnretained(box).toOpaque()
        let read: xmlInputReadCallback = { context, buffer, length in
            guard let context, let buffer, length > 0 else { return 0 }
            let box = Unmanaged<SourceBox>.fromOpaque(context).takeUnretainedValue()
            return Int32(box.read(UnsafeMutableRawBufferPointer(start: buffer, count: Int(length))))
        }
        guard let reader = xmlReaderForIO(read, nil, context, nil, "UTF-8", Self.options) else {
            throw XMLStreamError.malformed("libxml2 could not create a reader")
        }
        self.reader = reader
        self.source = box
        self.errors = ErrorSink()
        installErrorHandler()
    }

    deinit { xmlFreeTextReader(reader) }

    /// Advances to the next node. Returns false at the end of the document; throws on malformed input
    /// (including a document that ends early).
    public func read() throws -> Bool {
        switch xmlTextReaderRead(reader) {
        case 1: return true
        case 0:
            if let message = errors.first { throw XMLStreamError.malformed(message) }
            return false
        default:
            throw XMLStreamError.malformed(errors.first ?? "libxml2 reported an error without a message")
        }
    }

    /// The kind of the current node.
    public var kind: NodeKind {
        switch xmlTextReaderNodeType(reader) {
        case 1: .startElement
        case 15: .endElement
        case 3, 4, 13, 14: .text
        default: .other
        }
    }

    /// Nesting depth of the current node (the root element is 0).
    public var depth: Int { Int(xmlTextReaderDepth(reader)) }

    /// Whether the current start element is written `<x/>`: no end-element node will follow it.
    public var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }

    /// Local name of the current element.
    public var name: String {
        guard let pointer = xmlTextReaderConstLocalName(reader) else { return "" }
        return name(at: UnsafeRawPointer(pointer))
    }

    /// Identity of the current element's name: libxml2 interns names in the reader's dictionary, so equal
    /// names have equal pointers for the reader's whole life. Lets a caller skip hashing on hot paths.
    public var namePointer: UnsafeRawPointer? {
        xmlTextReaderConstLocalName(reader).map { UnsafeRawPointer($0) }
    }

    /// The name behind a pointer obtained from `namePointer` of this reader.
    public func name(at pointer: UnsafeRawPointer) -> String {
        if let cached = names[pointer] { return cached }
        let string = String(cString: pointer.assumingMemoryBound(to: CChar.self))
        names[pointer] = string
        return string
    }

    /// Whether the current element's local name is `expected` (ASCII, exact case) — no allocation.
    public func nameIs(_ expected: StaticString) -> Bool {
        guard let pointer = xmlTextReaderConstLocalName(reader) else { return false }
        return strcmp(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self),
                      UnsafeRawPointer(expected.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }

    /// Character content of the current text node.
    public var value: String {
        guard let pointer = xmlTextReaderConstValue(reader) else { return "" }
        return String(cString: pointer)
    }

    /// Appends the current text node's content to `string` (one String per field, no byte buffer).
    public func appendValue(to string: inout String?) {
        guard let pointer = xmlTextReaderConstValue(reader) else { return }
        let length = strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        let fragment = String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
        if string == nil { string = fragment } else { string! += fragment }
    }

    /// Appends the current text node's bytes to `buffer` (avoids a String per fragment).
    public func appendValue(to buffer: inout [UInt8]) {
        guard let pointer = xmlTextReaderConstValue(reader) else { return }
        let length = strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        buffer.append(contentsOf: UnsafeBufferPointer(start: pointer, count: length))
    }

    /// The value of attribute `name` on the current element, if present.
    public func attribute(_ name: String) -> String? {
        guard let value = xmlTextReaderGetAttribute(reader, name) else { return nil }
        defer { xmlFree(value) }
        return String(cString: value)
    }

    // MARK: - libxml2 plumbing

    // No network, no DTD loading, no entity substitution beyond the predefined five: a response is data,
    // never instructions (XXE). Errors go to our handler, not stderr.
    private static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_COMPACT.rawValue)

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    static func initializeLibrary() { _ = initialized }

    private func installErrorHandler() {
        let context = Unmanaged.passUnretained(errors).toOpaque()
        xmlTextReaderSetStructuredErrorHandler(reader, { context, error in
            guard let context, let error else { return }
            let sink = Unmanaged<ErrorSink>.fromOpaque(context).takeUnretainedValue()
            // Warnings (level 1) do not stop the parse; only errors are reported.
            guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue, sink.first == nil else { return }
            var message = error.pointee.message.map { String(cString: $0) } ?? "parse error"
            while message.last?.isWhitespace == true { message.removeLast() }
            sink.first = "line \(error.pointee.line): \(message)"
        }, context)
    }

    private final class ErrorSink {
        var first: String?
    }

    private final class SourceBox {
        let read: ByteSource
        init(read: @escaping ByteSource) { self.read = read }
    }
}

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
