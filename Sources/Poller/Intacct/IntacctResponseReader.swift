import Foundation
import Shared

/// Reads an Intacct response with the streaming XML reader: the envelope into `IntacctResponse`, rows
/// one at a time, never a tree. Bytes XML forbids are removed first (see `XMLSanitizer`).
///
/// Row elements are the children of `result/data` whose name matches `listtype` case-insensitively
/// (query sends UPPERCASE, readByQuery lowercase); for `lookup` they are the `Field` elements.
public struct IntacctResponseReader {
    /// Receives each row as soon as it is complete: the index of its result and the row.
    public typealias RowHandler = (Int, IntacctRow) throws -> Void

    public init() {}

    /// Parses a complete body. Without a handler, rows are collected into each result's `rows`.
    public func read(_ body: Data, rowHandler: RowHandler? = nil) throws -> IntacctResponse {
        let (clean, removed) = XMLSanitizer.sanitize(body)
        var response = try clean.withUnsafeBytes { bytes in
            try parse(XMLStreamReader(bytes: UnsafeRawBufferPointer(bytes)), rowHandler: rowHandler)
        }
        response.sanitizedCharacters = removed
        return response
    }

    /// Parses a body pulled chunk by chunk from `source` (e.g. a file), sanitising on the way, so
    /// neither the document nor its rows are ever all in memory.
    public func read(streaming source: @escaping XMLStreamReader.ByteSource, rowHandler: RowHandler? = nil) throws -> IntacctResponse {
        let sanitizing = SanitizingSource(source: source)
        var response = try parse(XMLStreamReader(source: sanitizing.read), rowHandler: rowHandler)
        response.sanitizedCharacters = sanitizing.sanitizer.removed
        return response
    }

    // MARK: - Parsing

    private func parse(_ xml: XMLStreamReader, rowHandler: RowHandler?) throws -> IntacctResponse {
        var state = ParseState(rowHandler: rowHandler)
        while try xml.read() {
            switch xml.kind {
            case .startElement:
                let empty = xml.isEmptyElement
                if state.inRow {
                    state.startField(xml)
                } else {
                    try state.startEnvelopeElement(xml)
                }
                if empty { try state.end(depth: xml.depth) }
            case .text:
                if state.inRow { xml.appendValue(to: &state.value) } else { xml.appendValue(to: &state.text) }
            case .endElement:
                try state.end(depth: xml.depth)
            case .other:
                continue
            }
        }
        guard state.sawRoot else { throw XMLStreamError.malformed("no <response> element") }
        guard !state.response.control.status.isEmpty else { throw XMLStreamError.malformed("response has no control/status") }
        return state.response
    }

    /// Everything the single pass needs to remember. Envelope elements keep a name path (a handful of
    /// elements per response); rows use a cheaper field stack, as they are the bulk of the document.
    private struct ParseState {
        var response = IntacctResponse()
        let rowHandler: RowHandler?
        var sawRoot = false
        var path: [String] = []
        var text: [UInt8] = []
        var error: IntacctErrorDetail?
        var result: IntacctResponse.Result?

        var inRow = false
        var rowDepth = 0
        var fields: [RecordField] = []
        var fieldNames: [String] = []
        var fieldHasChild: [Bool] = []
        /// Text of the field being read, built straight from libxml2's buffer.
        var value: String?
        /// Field names by position in the previous row: rows repeat the same fields in the same order, so
        /// a pointer comparison usually replaces a dictionary lookup.
        var namesByPosition: [(pointer: UnsafeRawPointer, name: String)] = []

        init(rowHandler: RowHandler?) {
            self.rowHandler = rowHandler
            fields.reserveCapacity(64)
            text.reserveCapacity(256)
        }

        mutating func startField(_ xml: XMLStreamReader) {
            let name: String
            if fieldNames.isEmpty, let pointer = xml.namePointer {
                let position = fields.count
                if position < namesByPosition.count, namesByPosition[position].pointer == pointer {
                    name = namesByPosition[position].name
                } else {
                    name = xml.name(at: pointer)
                    if position < namesByPosition.count { namesByPosition[position] = (pointer, name) } else { namesByPosition.append((pointer, name)) }
                }
            } else {
                name = xml.name
            }
            if !fieldHasChild.isEmpty { fieldHasChild[fieldHasChild.count - 1] = true }
            fieldNames.append(name)
            fieldHasChild.append(false)
            value = nil
        }

        mutating func startEnvelopeElement(_ xml: XMLStreamReader) throws {
            let name = xml.name
            let depth = xml.depth
            text.removeAll(keepingCapacity: true)
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
            case (3, "data") where result != nil:
                var data = IntacctResponse.DataAttributes()
                data.listType = xml.attribute("listtype") ?? ""
                data.count = xml.attribute("count").flatMap { Int($0) }
                data.totalCount = xml.attribute("totalcount").flatMap { Int($0) }
                data.numRemaining = xml.attribute("numremaining").flatMap { Int($0) }
                data.offset = xml.attribute("offset").flatMap { Int($0) }
                data.resultID = xml.attribute("resultId") ?? xml.attribute("resultid") ?? ""
                result?.data = data
            case (_, "error") where path.dropLast().last == "errormessage":
                error = IntacctErrorDetail(errorNumber: "")
            default:
                if depth >= 4, path[3] == "data", let result, isRow(name, depth: depth, result: result) {
                    path.removeLast()
                    inRow = true
                    rowDepth = depth
                    fields.removeAll(keepingCapacity: true)
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

        mutating func end(depth: Int) throws {
            if inRow {
                if depth == rowDepth {
                    try endRow()
                } else {
                    endField()
                }
                return
            }
            guard let name = path.last else { return }
            let value = String(decoding: text, as: UTF8.self)
            text.removeAll(keepingCapacity: true)
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
                case "function": result?.function = value
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
            }
            path.removeLast()
        }

        private mutating func endField() {
            guard let name = fieldNames.popLast(), let hadChild = fieldHasChild.popLast() else { return }
            if !hadChild {
                let fullName = fieldNames.isEmpty ? name : (fieldNames + [name]).joined(separator: ".")
                fields.append(RecordField(name: fullName, value: value ?? ""))
            }
            value = nil
        }

        private mutating func endRow() throws {
            inRow = false
            let row = IntacctRow(fields: fields)
            fields.removeAll(keepingCapacity: true)
            text.removeAll(keepingCapacity: true)
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

    /// Feeds libxml2 sanitised chunks from an underlying byte source.
    private final class SanitizingSource {
        let source: XMLStreamReader.ByteSource
        var sanitizer = XMLSanitizer()
        private var raw = [UInt8](repeating: 0, count: 256 * 1024)
        private var queue: [UInt8] = []
        private var queueStart = 0
        private var finished = false

        init(source: @escaping XMLStreamReader.ByteSource) {
            self.source = source
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
            while queueStart == queue.count && !finished {
                queue.removeAll(keepingCapacity: true)
                queueStart = 0
                let count = raw.withUnsafeMutableBytes { source($0) }
                if count < 0 { return -1 }
                if count == 0 {
                    finished = true
                    sanitizer.finish(into: &queue)
                } else {
                    raw.withUnsafeBytes { sanitizer.process(UnsafeRawBufferPointer(rebasing: $0[0..<count]), into: &queue) }
                }
            }
            let available = min(buffer.count, queue.count - queueStart)
            guard available > 0 else { return 0 }
            queue.withUnsafeBytes { bytes in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[queueStart..<queueStart + available]))
            }
            queueStart += available
            return available
        }
    }
}
