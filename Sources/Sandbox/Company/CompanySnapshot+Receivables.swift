/// Money of the receivables objects, shared by their rows and the totals. Amounts are whole units of the
/// invoice's transaction currency, multiples of 20 on every invoice, so the payment and adjustment shares
/// are whole units too and base amounts (units × a rate in cents) add up to the cent across objects.
extension CompanySnapshot {
    /// Whether an invoice is billed in the entity's foreign currency (about one in three).
    func invoiceIsForeign(entity: Int, invoice: Int) -> Bool {
        layout.hash.pick(3, 101, UInt64(entity), UInt64(invoice)) == 0
    }

    /// Base-currency cents per transaction-currency unit.
    func invoiceRate(entity: Int, invoice: Int) -> Int64 {
        invoiceIsForeign(entity: entity, invoice: invoice) ? Dimensions.foreignCurrency[entity].rate : 100
    }

    func invoiceCurrency(entity: Int, invoice: Int) -> String {
        invoiceIsForeign(entity: entity, invoice: invoice)
            ? Dimensions.foreignCurrency[entity].currency : Dimensions.entities[entity - 1].currency
    }

    func invoiceOriginalUnits(entity: Int, invoice: Int) -> Int64 {
        20 * (5 + Int64(layout.hash.value(102, UInt64(entity), UInt64(invoice)) % 2000))
    }

    /// TOTALENTERED in units: each revision adds 20, so applied payments and credits never exceed it.
    func invoiceUnits(entity: Int, invoice: Int) -> Int64 {
        invoiceOriginalUnits(entity: entity, invoice: invoice) + 20 * Int64(version(.ARINVOICE, entity: entity, index: invoice))
    }

    /// The units of one invoice line; the last line takes what the others leave.
    func invoiceLineUnits(entity: Int, invoice: Int, line: Int) -> Int64 {
        let total = invoiceUnits(entity: entity, invoice: invoice)
        let first = total * 3 / 5
        return line == 0 ? first : total - first
    }

    func arPaymentUnits(entity: Int, payment: Int) -> Int64 {
        let invoice = CompanyLayout.bill(ofPayment: payment)
        return invoiceOriginalUnits(entity: entity, invoice: invoice) * CompanyLayout.paymentShare(payment) / 100
    }

    func adjustmentUnits(entity: Int, adjustment: Int) -> Int64 {
        let invoice = CompanyLayout.invoice(ofAdjustment: adjustment)
        return invoiceOriginalUnits(entity: entity, invoice: invoice) * CompanyLayout.adjustmentShare(adjustment) / 100
    }

    /// Units paid by the invoice's payments that still exist.
    func invoicePaidUnits(entity: Int, invoice: Int) -> Int64 {
        CompanyLayout.payments(ofBill: invoice).filter { !isDeleted(.ARPYMT, entity: entity, index: $0) }
            .reduce(0) { $0 + arPaymentUnits(entity: entity, payment: $1) }
    }

    /// Units credited by the invoice's adjustment, if it still exists.
    func invoiceAdjustedUnits(entity: Int, invoice: Int) -> Int64 {
        guard let adjustment = CompanyLayout.adjustment(ofInvoice: invoice),
              !isDeleted(.ARADJUSTMENT, entity: entity, index: adjustment) else { return 0 }
        return adjustmentUnits(entity: entity, adjustment: adjustment)
    }

    /// A deposit's amount in cents of the entity's own currency.
    func depositAmount(entity: Int, deposit: Int) -> Int64 {
        (100 + Int64(layout.hash.value(103, UInt64(entity), UInt64(deposit)) % 50_000)) * 100
            + 25 * Int64(version(.DEPOSIT, entity: entity, index: deposit))
    }

    /// A budget line's amount in cents: a yearly figure per account and cost center, spread by month.
    func budgetAmount(entity: Int, index: Int) -> Int64 {
        let month = index % 12
        let pair = index / 12
        let yearly = 12_000_00 + Int64(layout.hash.value(104, UInt64(entity), UInt64(pair)) % 600_000_00)
        return yearly / 12 + Int64(month) * 100 + 1000 * Int64(version(.GLBUDGETITEM, entity: entity, index: index))
    }
}
