/// The `untypeable_value` fault: one record's field gets text appended (`1234.50` → `1234.50 USD`), the
/// kind of value a type-checked column refuses. Applied to the whole response body after it is written,
/// so it works the same for `query`, `readByQuery` and `readMore` pages and leaves every other row alone.
enum UntypeableValue {
    static func apply(_ fault: SandboxFault, to body: [UInt8]) -> [UInt8] {
        guard let recordno = fault.recordno, let object = fault.object else { return body }
        let field = (fault.field ?? "AMOUNT").uppercased()
        let suffix = fault.suffix ?? " USD"
        var text = String(decoding: body, as: UTF8.self)
        guard let hit = text.range(of: "<RECORDNO>\(recordno)</RECORDNO>") else { return body }
        // The row around the key: `<APPYMT>…</APPYMT>` for query, `<appymt>…</appymt>` for readByQuery.
        let names = [object.uppercased(), object.lowercased()]
        let rowStart = names.compactMap { text.range(of: "<\($0)>", options: .backwards, range: text.startIndex..<hit.lowerBound)?.upperBound }.max()
            ?? text.startIndex
        let rowEnd = names.compactMap { text.range(of: "</\($0)>", range: hit.upperBound..<text.endIndex)?.lowerBound }.min()
            ?? text.endIndex
        guard let valueEnd = text.range(of: "</\(field)>", range: rowStart..<rowEnd) else { return body }
        text.insert(contentsOf: suffix, at: valueEnd.lowerBound)
        return Array(text.utf8)
    }
}
