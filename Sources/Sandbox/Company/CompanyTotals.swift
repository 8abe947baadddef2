import Foundation

/// Count and money of one object in one entity, over records that are not deleted.
public struct SandboxObjectTotal: Sendable, Codable, Equatable {
    public var count: Int
    /// The object's money field summed, in the entity's base currency: GLENTRY/GLDETAIL debits, APBILL
    /// TOTALENTERED, APPYMT AMOUNT, PROJECT BUDGETAMOUNT, ARINVOICE/ARPYMT/ARADJUSTMENT/DEPOSIT TOTALENTERED,
    /// ARINVOICEITEM/ARADJUSTMENTITEM/GLBUDGETITEM AMOUNT; "0.00" for the others.
    public var amount: String
    /// APBILL, ARINVOICE: sum of TOTALDUE.
    public var open: String?
    /// APBILL, ARINVOICE: sum of TOTALPAID (must equal the entity's APPYMT / ARPYMT amount).
    public var paid: String?
    /// ARINVOICE: sum of the credits of its live adjustments (equals the entity's ARADJUSTMENT amount).
    public var adjusted: String?
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
                    total.amount = liveSum(.APPYMT, entity: entity, count: n) { paymentAmount(entity: entity, payment: $0) }
                case .ARINVOICE:
                    var entered: Int64 = 0, paid: Int64 = 0, adjusted: Int64 = 0
                    for invoice in 0..<n where !isDeleted(.ARINVOICE, entity: entity, index: invoice) {
                        let rate = invoiceRate(entity: entity, invoice: invoice)
                        entered += invoiceUnits(entity: entity, invoice: invoice) * rate
                        paid += invoicePaidUnits(entity: entity, invoice: invoice) * rate
                        adjusted += invoiceAdjustedUnits(entity: entity, invoice: invoice) * rate
                    }
                    total.amount = formatMoney(entered)
                    total.paid = formatMoney(paid)
                    total.adjusted = formatMoney(adjusted)
                    total.open = formatMoney(entered - paid - adjusted)
                case .ARINVOICEITEM:
                    total.amount = liveSum(.ARINVOICEITEM, entity: entity, count: n) { line in
                        let invoice = line / CompanyLayout.linesPerInvoice
                        return invoiceLineUnits(entity: entity, invoice: invoice, line: line % CompanyLayout.linesPerInvoice)
                            * invoiceRate(entity: entity, invoice: invoice)
                    }
                case .ARPYMT:
                    total.amount = liveSum(.ARPYMT, entity: entity, count: n) { payment in
                        arPaymentUnits(entity: entity, payment: payment)
                            * invoiceRate(entity: entity, invoice: CompanyLayout.bill(ofPayment: payment))
                    }
                case .ARADJUSTMENT, .ARADJUSTMENTITEM:
                    total.amount = liveSum(object, entity: entity, count: n) { adjustment in
                        adjustmentUnits(entity: entity, adjustment: adjustment)
                            * invoiceRate(entity: entity, invoice: CompanyLayout.invoice(ofAdjustment: adjustment))
                    }
                case .DEPOSIT:
                    total.amount = liveSum(.DEPOSIT, entity: entity, count: n) { depositAmount(entity: entity, deposit: $0) }
                case .GLBUDGETITEM:
                    total.amount = liveSum(.GLBUDGETITEM, entity: entity, count: n) { budgetAmount(entity: entity, index: $0) }
                case .PROJECT:
                    let budget = ObjectSchema.all[.PROJECT]!.fieldIndex["BUDGETAMOUNT"]!
                    total.amount = liveSum(.PROJECT, entity: 0, count: n) { parseMoney(generator.row(.PROJECT, entity: 0, index: $0)[budget]) ?? 0 }
                default:
                    break
                }
                perObject[object.rawValue] = total
            }
            result[CompanyLayout.entityIDs[entity]] = perObject
        }
        return result
    }

    /// One money figure summed over the records of `object` in `entity` that are not deleted, as text.
    private func liveSum(_ object: SandboxObject, entity: Int, count: Int, _ amount: (Int) -> Int64) -> String {
        var sum: Int64 = 0
        for index in 0..<count where !isDeleted(object, entity: entity, index: index) {
            sum += amount(index)
        }
        return formatMoney(sum)
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
