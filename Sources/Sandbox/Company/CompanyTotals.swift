import Foundation

/// Count and money of one object in one entity, over records that are not deleted.
public struct SandboxObjectTotal: Sendable, Codable, Equatable {
    public var count: Int
    /// The object's money field summed: GLENTRY/GLDETAIL debits, APBILL TOTALENTERED, APPYMT AMOUNT,
    /// PROJECT BUDGETAMOUNT; "0.00" for the others.
    public var amount: String
    /// APBILL: sum of TOTALDUE.
    public var open: String?
    /// APBILL: sum of TOTALPAID (must equal the entity's APPYMT amount).
    public var paid: String?
    /// GLENTRY/GLDETAIL: sums of debit and credit lines (equal, since every batch balances).
    public var debits: String?
    public var credits: String?
}

/// Entity (`top`, `E100`, …) → object → totals.
public typealias SandboxTotals = [String: [String: SandboxObjectTotal]]

extension CompanySnapshot {
    /// Walks batches and bills arithmetically; no row is generated for the bulk objects, so even scale
    /// 1,000,000 takes well under a second.
    func totals() -> SandboxTotals {
        var result: SandboxTotals = [:]
        let generator = RecordGenerator(snapshot: self)
        for entity in 0..<CompanyLayout.entityIDs.count {
            var perObject: [String: SandboxObjectTotal] = [:]
            for object in SandboxObject.allCases {
                if object == .AUDITHISTORY {
                    let n = state.audit.lazy.filter { $0.entity == entity }.count
                    perObject[object.rawValue] = SandboxObjectTotal(count: n, amount: "0.00")
                    continue
                }
                let n = layout.count(object, entity: entity)
                if (object.level == .top) != (entity == 0) { continue }
                let deleted = state.overlay(object, entity: entity)?.deleted.count ?? 0
                var total = SandboxObjectTotal(count: n - deleted, amount: "0.00")
                switch object {
                case .GLENTRY, .GLDETAIL:
                    var debits: Int64 = 0, credits: Int64 = 0
                    for batch in 0..<layout.count(.GLBATCH, entity: entity) where !isDeleted(.GLBATCH, entity: entity, index: batch) {
                        let amounts = batchLineAmounts(entity: entity, batch: batch, version: version(object, entity: entity, index: batch * CompanyLayout.linesPerBatch))
                        debits += amounts[0] + amounts[1]
                        credits += amounts[2] + amounts[3]
                    }
                    total.amount = formatMoney(debits)
                    total.debits = formatMoney(debits)
                    total.credits = formatMoney(credits)
                case .APBILL:
                    var entered: Int64 = 0, paid: Int64 = 0
                    for bill in 0..<n where !isDeleted(.APBILL, entity: entity, index: bill) {
                        entered += billEntered(entity: entity, bill: bill)
                        paid += billPaid(entity: entity, bill: bill)
                    }
                    total.amount = formatMoney(entered)
                    total.paid = formatMoney(paid)
                    total.open = formatMoney(entered - paid)
                case .APPYMT:
                    var sum: Int64 = 0
                    for payment in 0..<n where !isDeleted(.APPYMT, entity: entity, index: payment) {
                        sum += paymentAmount(entity: entity, payment: payment)
                    }
                    total.amount = formatMoney(sum)
                case .PROJECT:
                    let budget = ObjectSchema.all[.PROJECT]!.fieldIndex["BUDGETAMOUNT"]!
                    var sum: Int64 = 0
                    for i in 0..<n where !isDeleted(.PROJECT, entity: 0, index: i) {
                        sum += parseMoney(generator.row(.PROJECT, entity: 0, index: i)[budget]) ?? 0
                    }
                    total.amount = formatMoney(sum)
                default:
                    break
                }
                perObject[object.rawValue] = total
            }
            result[CompanyLayout.entityIDs[entity]] = perObject
        }
        return result
    }
}

/// Decimal text with at most two places → cents.
func parseMoney(_ text: String) -> Int64? {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, let whole = Int64(parts[0].isEmpty ? "0" : String(parts[0]).replacingOccurrences(of: "-", with: "")) else { return nil }
    var cents = whole * 100
    if parts.count == 2 {
        let fraction = String(parts[1].prefix(2)).padding(toLength: 2, withPad: "0", startingAt: 0)
        guard let f = Int64(fraction) else { return nil }
        cents += f
    }
    return text.hasPrefix("-") ? -cents : cents
}
