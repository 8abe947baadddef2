import Foundation
import RecordContract

/// Reads an Intacct response in one pass over libxml2's push parser (`XMLPushParser`): the envelope into
/// `IntacctResponse`, rows one at a time, never a tree. Bytes XML forbids are removed first (see
/// `XMLSanitizer`), chunk by chunk, so a clean chunk reaches libxml2 without a copy.
///
/// Row elements are the children of `result/data` whose name matches `listtype` case-insensitively
/// (query sends UPPERCASE, readByQuery lowercase); for `lookup` they are the `Field` elements.
public struct IntacctResponseReader {
    /// Receives each row as soon as it is complete: the index of its result and the row.
    public typealias RowHandler = (Int, IntacctRow) throws -> Void
    /// Where a streamed body's bytes come from: writes into the buffer and returns the byte count,
    /// 0 at the end, or -1 on a read error.
    public typealias ByteSource = (UnsafeMutableRawBufferPointer) -> Int

    public init() {}

    /// Parses a complete body. Without a handler, rows are collected into each result's `rows`.
    public func read(_ body: Data, rowHandler: RowHandler? = nil) throws -> IntacctResponse {
        try body.withUnsafeBytes { bytes in
            try read(chunks: { feed in
                // In slices, so a body that needs sanitising is copied a slice at a time, not whole.
                var start = 0
                while start < bytes.count {
                    let end = min(start + Self.memorySlice, bytes.count)
                    try feed(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                    start = end
                }
            }, rowHandler: rowHandler)
        }
    }

    /// Parses a body pulled chunk by chunk from `source` (e.g. a file), sanitising on the way, so
    /// neither the document nor its rows are ever all in memory.
    public func read(streaming source: @escaping ByteSource, rowHandler: RowHandler? = nil) throws -> IntacctResponse {
        try read(chunks: { feed in
            var raw = [UInt8](repeating: 0, count: Self.streamChunk)
            while true {
                let count = raw.withUnsafeMutableBytes { source($0) }
                if count < 0 { throw XMLStreamError.malformed("the response could not be read to the end") }
                if count == 0 { return }
                try raw.withUnsafeBytes { try feed(UnsafeRawBufferPointer(rebasing: $0[0..<min(count, $0.count)])) }
            }
        }, rowHandler: rowHandler)
    }

    /// Big enough that the per-chunk work (one sanitiser scan, one libxml2 call) is noise, small enough
    /// not to show in peak memory: libxml2's push parser copies each chunk into an input buffer of its
    /// own, which grows to about four chunks (1.1 MB per document being parsed at 256 KiB, 0.25 MB at
    /// 32 KiB, measured with libxml2 2.9.14 on a 3 MB page).
    private static let streamChunk = 32 * 1024
    private static let memorySlice = 32 * 1024

    // MARK: - Parsing

    /// The one parse path: `produce` hands every chunk of the body, in order, to the function it is given.
    /// A clean chunk goes to libxml2 as it is; only a chunk with something to remove is copied.
    private func read(chunks produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void, rowHandler: RowHandler?) throws -> IntacctResponse {
        let sink = EventSink(rowHandler: rowHandler)
        let parser = try XMLPushParser(handler: sink)
        var sanitizer = XMLSanitizer()
        var scratch: [UInt8] = []
        try produce { chunk in
            if sanitizer.passesThrough(chunk) {
                try parser.parse(chunk)
            } else {
                scratch.removeAll(keepingCapacity: true)
                sanitizer.process(chunk, into: &scratch)
                try scratch.withUnsafeBytes { try parser.parse($0) }
            }
        }
        scratch.removeAll(keepingCapacity: true)
        sanitizer.finish(into: &scratch)
        try scratch.withUnsafeBytes { try parser.parse($0) }
        try parser.finish()
        guard sink.state.pointee.sawRoot else { throw XMLStreamError.malformed("no <response> element") }
        guard !sink.state.pointee.response.control.status.isEmpty else { throw XMLStreamError.malformed("response has no control/status") }
        var response = sink.state.pointee.response
        response.sanitizedCharacters = sanitizer.removed
        return response
    }

    /// Receives libxml2's events. The state sits behind a pointer rather than in a `var`: a class's
    /// stored property costs a dynamic exclusivity check per access, and there are millions of events.
    private final class EventSink: XMLEventHandler {
        let state: UnsafeMutablePointer<ParseState>

        init(rowHandler: RowHandler?) {
            state = .allocate(capacity: 1)
            state.initialize(to: ParseState(rowHandler: rowHandler))
        }

        deinit {
            state.pointee.text.deallocate()
            state.pointee.value.deallocate()
            state.deinitialize(count: 1)
            state.deallocate()
        }

        func startElement(_ name: XMLElementName, attributes: XMLAttributes) throws { try state.pointee.start(name, attributes) }
        func endElement() throws { try state.pointee.end() }
        func characters(_ bytes: UnsafeRawBufferPointer) { state.pointee.characters(bytes) }
    }

    /// Everything the single pass needs to remember. Envelope elements keep a name path (a handful of
    /// elements per response); rows use a cheaper field stack, as they are the bulk of the document.
    private struct ParseState {
        var response = IntacctResponse()
        let rowHandler: RowHandler?
        var sawRoot = false
        /// Depth of the next element to start (the root element is 0).
        var depth = 0
        var path: [String] = []
        var text = XMLTextBuffer()
        var error: IntacctErrorDetail?
        var result: IntacctResponse.Result?
        /// One Swift string per distinct interned name.
        var names: [UnsafeRawPointer: String] = [:]
        /// The name id that last started a row of the current result (nil outside one): the next row with
        /// the same id skips the envelope checks.
        var rowName: UnsafeRawPointer?

        var inRow = false
        var rowDepth = 0
        var fields: [RecordField] = []
        /// Fields open inside the current row; more than one only for nested fields (readByQuery's
        /// `DISPLAYCONTACT`), which is why the innermost one is kept apart from the stack.
        var fieldLevel = 0
        var fieldName = ""
        var fieldHasChild = false
        /// Names of the open fields around `fieldName`, outermost first; each of them has a child.
        var outerFields: [String] = []
        /// Bytes of the field being read; one String is made from them when the field ends.
        var value = XMLTextBuffer()
        /// Field names by position in the previous row: rows repeat the same fields in the same order, so
        /// a pointer comparison usually replaces a dictionary lookup.
        var namesByPosition: [(pointer: UnsafeRawPointer, name: String)] = []

        init(rowHandler: RowHandler?) {
            self.rowHandler = rowHandler
            fields.reserveCapacity(64)
        }

        mutating func start(_ name: XMLElementName, _ attributes: XMLAttributes) throws {
            let depth = self.depth
            self.depth += 1
            if inRow {
                startField(name)
            } else if depth == 4, name.id == rowName, path.count == 4, path[3] == "data" {
                text.removeAll()
                startRow(depth: depth)
            } else {
                try startEnvelopeElement(name, depth: depth, attributes: attributes)
            }
        }

        mutating func characters(_ bytes: UnsafeRawBufferPointer) {
            if inRow { value.append(bytes) } else { text.append(bytes) }
        }

        private mutating func string(_ name: XMLElementName) -> String {
            if let cached = names[name.id] { return cached }
            let string = name.string
            names[name.id] = string
            return string
        }

        private mutating func startField(_ name: XMLElementName) {
            let string: String
            if fieldLevel == 0 {
                let position = fields.count
                if position < namesByPosition.count, namesByPosition[position].pointer == name.id {
                    string = namesByPosition[position].name
                } else {
                    string = self.string(name)
                    if position < namesByPosition.count { namesByPosition[position] = (name.id, string) } else { namesByPosition.append((name.id, string)) }
                }
            } else {
                string = self.string(name)
                outerFields.append(fieldName)
            }
            fieldLevel += 1
            fieldName = string
            fieldHasChild = false
            value.removeAll()
        }

        private mutating func startRow(depth: Int) {
            inRow = true
            rowDepth = depth
            fields.removeAll(keepingCapacity: true)
        }

        private mutating func startEnvelopeElement(_ xmlName: XMLElementName, depth: Int, attributes: XMLAttributes) throws {
            let name = string(xmlName)
            text.removeAll()
            if depth == 0 {
                guard name == "response" else { throw XMLStreamError.malformed("root element is <\(name)>, not <response>") }
                sawRoot = true
            }
            path.append(name)
            switch (depth, name) {
            case (2, "authentication") where path[1] == "operation":
                response.authentication = IntacctResponse.Authentication()
            case (2, "result") where path[1] == "operation":
                result = IntacctResponse.Result()
                rowName = nil
            case (3, "data") where result != nil:
                var data = IntacctResponse.DataAttributes()
                data.listType = attributes["listtype"] ?? ""
                data.count = attributes["count"].flatMap { Int($0) }
                data.totalCount = attributes["totalcount"].flatMap { Int($0) }
                data.numRemaining = attributes["numremaining"].flatMap { Int($0) }
                data.offset = attributes["offset"].flatMap { Int($0) }
                data.resultID = attributes["resultId"] ?? attributes["resultid"] ?? ""
                result?.data = data
                rowName = nil
            case (_, "error") where path.dropLast().last == "errormessage":
                error = IntacctErrorDetail(errorNumber: "")
            default:
                if depth >= 4, path[3] == "data", let result, isRow(name, depth: depth, result: result) {
                    path.removeLast()
                    if depth == 4 { rowName = xmlName.id }
                    startRow(depth: depth)
                }
            }
        }

        private func isRow(_ name: String, depth: Int, result: IntacctResponse.Result) -> Bool {
            if result.function == "lookup" { return name.caseInsensitiveCompare("Field") == .orderedSame }
            guard depth == 4 else { return false }
            guard let listType = result.data?.listType, !listType.isEmpty else { return true }
            // ASCII case folding: object names are ASCII, and Foundation's compare is costly per row.
            return name.utf8.count == listType.utf8.count
                && zip(name.utf8, listType.utf8).allSatisfy { ($0 | 0x20) == ($1 | 0x20) }
        }

        mutating func end() throws {
            depth -= 1
            if inRow {
                if depth == rowDepth {
                    try endRow()
                } else {
                    endField()
                }
                return
            }
            guard let name = path.last else { return }
            let value = text.string
            text.removeAll()
            switch path.count {
            case 3 where path[1] == "control":
                switch name {
                case "status": response.control.status = value
                case "senderid": response.control.senderID = value
                case "controlid": response.control.controlID = value
                default: break
                }
            case 4 where path[2] == "authentication":
                switch name {
                case "status": response.authentication?.status = value
                case "userid": response.authentication?.userID = value
                case "companyid": response.authentication?.companyID = value
                case "locationid": response.authentication?.locationID = value
                case "sessiontimestamp": response.authentication?.sessionTimestamp = value
                case "sessiontimeout": response.authentication?.sessionTimeout = value
                default: break
                }
            case 4 where path[2] == "result":
                switch name {
                case "status": result?.status = value
                case "function":
                    result?.function = value
                    rowName = nil
                case "controlid": result?.controlID = value
                default: break
                }
            default: break
            }
            if error != nil, path.count >= 2, path[path.count - 2] == "error" {
                switch name {
                case "errorno": error?.errorNumber = value
                case "description": error?.description1 = value
                case "description2": error?.description2 = IntacctErrorDetail.decodingSupportID(value)
                case "correction": error?.correction = value
                default: break
                }
            }
            if name == "error", let finished = error {
                error = nil
                switch path.count {
                case 3: response.control.errors.append(finished)
                case 4: response.authentication?.errors.append(finished)
                case 5: result?.errors.append(finished)
                default: break
                }
            }
            if name == "result", path.count == 3, let finished = result {
                response.results.append(finished)
                result = nil
                rowName = nil
            }
            path.removeLast()
        }

        private mutating func endField() {
            guard fieldLevel > 0 else { return }
            if !fieldHasChild {
                let fullName = outerFields.isEmpty ? fieldName : (outerFields + [fieldName]).joined(separator: ".")
                fields.append(RecordField(name: fullName, value: value.string))
            }
            fieldLevel -= 1
            if fieldLevel > 0 {
                fieldName = outerFields.removeLast()
                fieldHasChild = true
            }
            value.removeAll()
        }

        private mutating func endRow() throws {
            inRow = false
            // The row gets an array of exactly its own size, and `fields` keeps its spare capacity for the
            // next row. Handing out `fields` itself would make every kept row carry that capacity (64
            // fields and up, mostly empty): four times a row's size, and most of a page's memory.
            let row = IntacctRow(fields: fields.withUnsafeBufferPointer { Array($0) })
            text.removeAll()
            guard result != nil else { return }
            if result!.function == "getAPISession" {
                result!.api = IntacctAPISession(
                    sessionID: row["sessionid"] ?? "",
                    endpoint: row["endpoint"] ?? "",
                    locationID: row["locationid"] ?? ""
                )
                return
            }
            // Mutate in place: a copy of `result` here would copy the whole row array per row.
            result!.rowCount += 1
            if let rowHandler {
                try rowHandler(response.results.count, row)
            } else {
                result!.rows.append(row)
            }
        }
    }
}
