import CXML2
#if canImport(Glibc)
import Glibc
#endif
// No `import Foundation` here: libxml2's headers pull in the system ICU, whose enums clash with
// Foundation's bundled copy when both are visible in one file.

/// Receives a document's events from `XMLPushParser`, in document order.
///
/// Names, attributes and byte buffers point into libxml2's memory and are only valid during the call.
/// A throwing callback stops the parse; the error comes out of the `XMLPushParser` call that fed the
/// bytes.
public protocol XMLEventHandler: AnyObject {
    func startElement(_ name: XMLElementName, attributes: XMLAttributes) throws
    func endElement() throws
    /// Character content (text, CDATA, whitespace, the expansion of a predefined entity or a character
    /// reference), in as many pieces as the parser likes: an element's text is the concatenation.
    func characters(_ bytes: UnsafeRawBufferPointer)
}

/// A SAX-style parser over libxml2's push interface: the caller feeds chunks as they arrive, the
/// handler sees elements and text, and nothing is kept once handed over, so memory stays flat whatever
/// the document size. Faster than libxml2's pull reader (`xmlTextReader`: a node built and freed per
/// event), which matters for the 100 MB query responses a backfill reads.
///
/// No DTD is read and no entity beyond XML's predefined five is known, so a response cannot pull in
/// files, URLs or entity expansions (XXE, billion laughs): a reference to any other entity is an error.
///
/// Not thread-safe: one parser per document, used from one task.
public final class XMLPushParser {
    private let context: xmlParserCtxtPtr
    private let box: CallbackBox

    public init(handler: XMLEventHandler) throws {
        Self.initializeLibrary()
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        sax.startElementNs = { context, localName, _, _, _, _, attributeCount, _, attributes in
            guard let context, let localName else { return }
            // Guaranteed, not retained: the parser owns the box for longer than any callback runs.
            Unmanaged<CallbackBox>.fromOpaque(context)._withUnsafeGuaranteedRef { box in
                guard !box.status.pointee.stopped else { return }
                do {
                    try box.handler.startElement(XMLElementName(id: UnsafeRawPointer(localName)),
                                                 attributes: XMLAttributes(base: attributes, count: Int(attributeCount)))
                } catch {
                    box.stop(error)
                }
            }
        }
        sax.endElementNs = { context, _, _, _ in
            guard let context else { return }
            Unmanaged<CallbackBox>.fromOpaque(context)._withUnsafeGuaranteedRef { box in
                guard !box.status.pointee.stopped else { return }
                do { try box.handler.endElement() } catch { box.stop(error) }
            }
        }
        let characters: charactersSAXFunc = { context, bytes, length in
            guard let context, let bytes, length > 0 else { return }
            Unmanaged<CallbackBox>.fromOpaque(context)._withUnsafeGuaranteedRef { box in
                guard !box.status.pointee.stopped else { return }
                box.handler.characters(UnsafeRawBufferPointer(start: bytes, count: Int(length)))
            }
        }
        sax.characters = characters
        sax.cdataBlock = characters
        sax.ignorableWhitespace = characters
        sax.serror = { context, error in
            guard let context, let error else { return }
            let box = Unmanaged<CallbackBox>.fromOpaque(context).takeUnretainedValue()
            // Warnings (level 1) do not stop the parse; only errors are reported.
            guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue, box.status.pointee.firstError == nil else { return }
            var message = error.pointee.message.map { String(cString: $0) } ?? "parse error"
            while let last = message.utf8.last, last == 0x20 || last == 0x0A || last == 0x09 || last == 0x0D { message.removeLast() }
            box.status.pointee.firstError = "line \(error.pointee.line): \(message)"
        }

        let box = CallbackBox(handler: handler)
        guard let context = xmlCreatePushParserCtxt(&sax, Unmanaged.passUnretained(box).toOpaque(), nil, 0, nil) else {
            throw XMLStreamError.malformed("libxml2 could not create a parser")
        }
        xmlCtxtUseOptions(context, Self.options)
        self.context = context
        self.box = box
        box.status.pointee.context = context
    }

    deinit { xmlFreeParserCtxt(context) }

    /// Parses the next `bytes` of the document (any split: mid-tag, mid-character, mid-reference).
    /// Throws the handler's error, or `XMLStreamError.malformed` at the first well-formedness error.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        // libxml2 takes an Int32 length and refuses to look ahead further than 10 MB without XML_PARSE_HUGE.
        while !rest.isEmpty {
            let count = min(rest.count, Self.maxChunk)
            let base = rest.baseAddress!.assumingMemoryBound(to: CChar.self)
            xmlParseChunk(context, base, Int32(count), 0)
            try check()
            rest = UnsafeRawBufferPointer(rebasing: rest[count...])
        }
    }

    /// Tells the parser the document is complete: throws if it ended early.
    public func finish() throws {
        xmlParseChunk(context, nil, 0, 1)
        try check()
    }

    private func check() throws {
        if let error = box.status.pointee.thrown { throw error }
        if let message = box.status.pointee.firstError { throw XMLStreamError.malformed(message) }
        if context.pointee.wellFormed == 0 { throw XMLStreamError.malformed("libxml2 reported an error without a message") }
    }

    private static let maxChunk = 1 << 20

    // No network, no DTD loading, and the declared encoding is ignored: Intacct sends UTF-8, as the
    // reader always assumed. Errors go to our handler, not stderr.
    private static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_IGNORE_ENC.rawValue)

    private final class CallbackBox {
        let handler: XMLEventHandler
        /// Read on every event, written at most once: behind a pointer so that reading it costs no
        /// exclusivity check, which showed in profiles.
        let status: UnsafeMutablePointer<Status>

        init(handler: XMLEventHandler) {
            self.handler = handler
            status = .allocate(capacity: 1)
            status.initialize(to: Status())
        }

        deinit {
            status.deinitialize(count: 1)
            status.deallocate()
        }

        func stop(_ error: Error) {
            status.pointee.stopped = true
            status.pointee.thrown = error
            if let context = status.pointee.context { xmlStopParser(context) }
        }
    }

    private struct Status {
        var stopped = false
        var context: xmlParserCtxtPtr?
        var firstError: String?
        var thrown: Error?
    }

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    private static func initializeLibrary() { _ = initialized }
}

/// An element's local name as the parser interned it.
public struct XMLElementName {
    /// Names are interned in the parser's dictionary, so equal names have equal ids for the whole parse:
    /// a caller can compare ids instead of strings on hot paths.
    public let id: UnsafeRawPointer

    public var string: String { String(cString: id.assumingMemoryBound(to: CChar.self)) }

    /// The name's UTF-8 bytes.
    public var utf8: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: id, count: strlen(id.assumingMemoryBound(to: CChar.self)))
    }

    /// Whether the name is `expected`, byte for byte (no allocation).
    public func isEqual(to expected: StaticString) -> Bool {
        strcmp(id.assumingMemoryBound(to: CChar.self), UnsafeRawPointer(expected.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }
}

/// The attributes of the element being started; only valid during `startElement`.
public struct XMLAttributes {
    // libxml2's layout: five pointers per attribute (local name, prefix, URI, value start, value end).
    private let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    public let count: Int

    init(base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, count: Int) {
        self.base = base
        self.count = count
    }

    /// The value of the attribute whose local name is `name` (exact case), if present.
    public subscript(name: String) -> String? {
        guard let base else { return nil }
        var name = name
        return name.withUTF8 { wanted in
            for index in 0..<count {
                guard let localName = base[index * 5], let start = base[index * 5 + 3], let end = base[index * 5 + 4] else { continue }
                let length = strlen(UnsafeRawPointer(localName).assumingMemoryBound(to: CChar.self))
                guard length == wanted.count, memcmp(localName, wanted.baseAddress!, length) == 0 else { continue }
                return String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
            }
            return nil
        }
    }
}
