import Catalog
import RecordContract

/// One line of a balance report as a record of its balance object: field names upper-cased (the
/// legacy functions answer in lower case), the period added, and a key Intacct does not give.
enum BalanceLine {
    /// Fields that tell one line of a period from another; amounts never do.
    static let identifying = ["REPORTINGBOOK", "CURRENCY"] + BalanceObjects.dimensions

    /// The record for `row` of `period`, or nil when the line names no account (it cannot be keyed).
    static func record(_ row: IntacctRow, period: BalancePeriod) -> IntacctRow? {
        var fields: [RecordField] = []
        fields.reserveCapacity(row.fields.count + 3)
        for field in row.fields where !["RECORDNO", "PERIODSTART", "PERIODEND"].contains(field.name.uppercased()) {
            fields.append(RecordField(name: field.name.uppercased(), value: field.value))
        }
        let values = Dictionary(fields.map { ($0.name, $0.value) }) { first, _ in first }
        guard let account = values["GLACCOUNTNO"], !account.isEmpty else { return nil }
        // `period|account` then `|NAME=value` for each identifying field the line has: stable across runs,
        // and distinct for lines Intacct breaks down by book, currency or dimension.
        var key = period.description + "|" + account
        for name in identifying {
            if let value = values[name], !value.isEmpty { key += "|" + name + "=" + value }
        }
        return IntacctRow(fields: [
            RecordField(name: "RECORDNO", value: key),
            RecordField(name: "PERIODSTART", value: period.startText),
            RecordField(name: "PERIODEND", value: period.endText),
        ] + fields)
    }
}
