import Foundation

/// Renders `<data>` elements for reads: rows are generated on the fly and appended straight into bytes.
enum PageWriter {
    /// Fields where the control-character fault goes, in order of preference (a vendor NAME first).
    private static let injectionTargets = ["NAME", "VENDORNAME", "TITLE", "DESCRIPTION", "BATCH_TITLE", "ACCOUNTTITLE"]

    struct Page {
        var sequence: any RecordSequence
        var snapshot: CompanySnapshot
        var object: SandboxObject
        var fields: [Int]
        var start: Int
        var count: Int
        var injectControlCharacters: Bool
    }

    /// `query`: `<data listtype="OBJECT" totalcount offset count numremaining>` with UPPERCASE rows.
    static func queryData(_ page: Page) -> [UInt8] {
        var out = XMLBuffer(capacity: 256 + page.count * page.fields.count * 40)
        let name = page.object.rawValue
        out.raw("<data")
        out.attribute("listtype", name)
        out.attribute("totalcount", String(page.sequence.count))
        out.attribute("offset", String(page.start))
        out.attribute("count", String(page.count))
        out.attribute("numremaining", String(page.sequence.count - page.start - page.count))
        out.raw(">")
        writeRows(&out, page, rowElement: name)
        out.close("data")
        return out.bytes
    }

    /// `readByQuery`/`readMore`: lowercase listtype and rows, `resultId` empty when nothing remains.
    static func readByQueryData(_ page: Page, resultID: String) -> [UInt8] {
        var out = XMLBuffer(capacity: 256 + page.count * page.fields.count * 40)
        let name = page.object.rawValue.lowercased()
        out.raw("<data")
        out.attribute("listtype", name)
        out.attribute("count", String(page.count))
        out.attribute("totalcount", String(page.sequence.count))
        out.attribute("numremaining", String(page.sequence.count - page.start - page.count))
        out.attribute("resultId", resultID)
        out.raw(">")
        writeRows(&out, page, rowElement: name)
        out.close("data")
        return out.bytes
    }

    private static func writeRows(_ out: inout XMLBuffer, _ page: Page, rowElement: String) {
        let fields = page.snapshot.fields(of: page.object)
        let generator = RecordGenerator(snapshot: page.snapshot)
        let names = page.fields.map { fields[$0].name }
        var target = -1
        if page.injectControlCharacters {
            target = injectionTargets.lazy.compactMap { name in page.fields.firstIndex { fields[$0].name == name } }.first
                ?? page.fields.firstIndex { fields[$0].type == .text } ?? 0
        }
        let extended = page.fields.contains { page.object.schema.extendedFields.contains($0) }
        for position in page.start..<(page.start + page.count) {
            let ref = page.sequence.ref(at: position)
            let row = generator.row(page.object, entity: ref.entity, index: ref.index, extended: extended)
            out.open(rowElement)
            for (i, field) in page.fields.enumerated() {
                if i == target {
                    // Raw C0 bytes in the middle of the value: stripping them gives the clean value back.
                    let value = Array(row[field])
                    let middle = value.count / 2
                    out.open(names[i])
                    out.text(String(value[..<middle]))
                    out.bytes.append(contentsOf: [0x01, 0x0B])
                    out.text(String(value[middle...]))
                    out.close(names[i])
                } else {
                    out.element(names[i], row[field])
                }
            }
            out.close(rowElement)
        }
    }

    /// `lookup`: the object's fields under `data/Type/Fields/Field` — ID, LABEL, DESCRIPTION, REQUIRED,
    /// READONLY, DATATYPE and ISCUSTOM, custom fields (the company's and those added at run time) last.
    static func lookupData(_ object: SandboxObject, snapshot: CompanySnapshot) -> [UInt8] {
        var out = XMLBuffer()
        out.raw("<data")
        out.attribute("listtype", "All")
        out.attribute("count", "1")
        out.raw("><Type")
        out.attribute("Name", object.rawValue)
        out.attribute("DocumentType", "")
        out.raw("><Fields>")
        let schema = object.schema
        let key = schema.fields[schema.keyField].name
        for field in snapshot.fields(of: object) {
            out.open("Field")
            out.element("ID", field.name)
            out.element("LABEL", label(field.name))
            out.element("DESCRIPTION", field.isCustom ? "Custom field" : "")
            out.element("REQUIRED", field.name == key ? "true" : "false")
            // Report rows (GLDETAIL) and the audit trail cannot be written; nor can keys and timestamps.
            let readOnly = object == .GLDETAIL || object == .AUDITHISTORY || field.name == key || field.name == "WHENMODIFIED"
            out.element("READONLY", readOnly ? "true" : "false")
            out.element("DATATYPE", field.type.rawValue)
            out.element("ISCUSTOM", field.isCustom ? "true" : "false")
            out.close("Field")
        }
        out.raw("</Fields></Type></data>")
        return out.bytes
    }

    /// `CUSTOMFIELD_PO_NUMBER` → `Po Number`: a readable label like the ones Intacct shows.
    private static func label(_ name: String) -> String {
        name.split(separator: "_").filter { $0 != "CUSTOMFIELD" }.map { $0.capitalized }.joined(separator: " ")
    }
}
