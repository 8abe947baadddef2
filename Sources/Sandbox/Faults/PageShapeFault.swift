/// Reshapes the rows of a rendered `query` page for the `misnamed_rows` and `unordered_rows` faults,
/// leaving the `<data>` attributes as they were, as in the traffic recordings these faults reproduce.
enum PageShapeFault {
    /// `data` is one `<data …>…</data>` element whose rows are `<rowElement>` children.
    static func apply(_ kind: SandboxFault.Kind, to data: [UInt8], rowElement: String) -> [UInt8] {
        let open = Array("<\(rowElement)>".utf8)
        let close = Array("</\(rowElement)>".utf8)
        var rows: [ArraySlice<UInt8>] = []
        var index = 0
        var prefixEnd: Int?
        var lastEnd = 0
        while let start = find(open, in: data, from: index), let end = find(close, in: data, from: start) {
            if prefixEnd == nil { prefixEnd = start }
            rows.append(data[start..<(end + close.count)])
            index = end + close.count
            lastEnd = index
        }
        guard let prefixEnd else { return data }
        switch kind {
        case .misnamedRows:
            let renamed = rowElement + "_ROW"
            let body = rows.flatMap { row -> [UInt8] in
                Array("<\(renamed)>".utf8) + row.dropFirst(open.count).dropLast(close.count) + Array("</\(renamed)>".utf8)
            }
            return Array(data[..<prefixEnd]) + body + Array(data[lastEnd...])
        case .unorderedRows:
            return Array(data[..<prefixEnd]) + rows.reversed().flatMap { $0 } + Array(data[lastEnd...])
        default:
            return data
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var i = from
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
