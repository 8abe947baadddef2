/// Customers and the receivables documents: invoices with lines, payments applied to them, and credit
/// adjustments with one line each. Per invoice TOTALDUE = TOTALENTERED − TOTALPAID − the adjustment's
/// TOTALENTERED, in base and in transaction currency alike.
extension RecordGenerator {
    static func customerID(_ i: Int) -> String {
        let n = String(i + 1)
        return "C" + String(repeating: "0", count: max(0, 4 - n.count)) + n
    }

    func customerName(_ i: Int) -> String {
        Dimensions.customerFirst[hash.pick(Dimensions.customerFirst.count, 111, UInt64(i))] + " "
            + Dimensions.customerSecond[hash.pick(Dimensions.customerSecond.count, 112, UInt64(i))] + " "
            + Dimensions.vendorSuffix[hash.pick(Dimensions.vendorSuffix.count, 113, UInt64(i))]
    }

    func customer(_ i: Int) -> [String] {
        // Parents are among the first 20 customers and never have parents themselves.
        let parent: Int? = i >= 20 && i % 9 == 0 ? i % 20 : nil
        return [
            String(i + 1), Self.customerID(i), revised(customerName(i), .CUSTOMER, i),
            parent.map { String($0 + 1) } ?? "", parent.map { Self.customerID($0) } ?? "", parent.map { customerName($0) } ?? "",
            Dimensions.customerTypes[hash.pick(Dimensions.customerTypes.count, 114, UInt64(i))],
            Dimensions.accounts[Dimensions.receivablesAccount].number,
            Dimensions.terms[hash.pick(Dimensions.terms.count, 115, UInt64(i))], i % 15 == 14 ? "inactive" : "active",
            formatMoney(Int64(hash.pick(40, 116, UInt64(i)) + 1) * 2_500_00), i % 23 == 22 ? "true" : "false",
            Dimensions.entities[i % 3].currency, created(.CUSTOMER, i), wm(.CUSTOMER, 0, i),
        ]
    }

    func invoiceCustomer(entity: Int, invoice: Int) -> Int {
        hash.pick(Dimensions.referencedCustomers, 117, UInt64(entity), UInt64(invoice))
    }

    func entityObjectCreated(_ object: SandboxObject, _ entity: Int, _ index: Int, salt: UInt64) -> Int64 {
        layout.baseWhenModified(object, entity: entity, index: index) - Int64(1 + hash.pick(20, salt, UInt64(entity), UInt64(index))) * 86_400
    }

    func recordNumber(_ object: SandboxObject, _ entity: Int, _ index: Int) -> String {
        String(layout.recordOffset(object, entity: entity) + index + 1)
    }

    func arInvoice(entity: Int, index k: Int) -> [String] {
        let v = snapshot.version(.ARINVOICE, entity: entity, index: k)
        let rate = snapshot.invoiceRate(entity: entity, invoice: k)
        let units = snapshot.invoiceUnits(entity: entity, invoice: k)
        let paid = snapshot.invoicePaidUnits(entity: entity, invoice: k)
        let due = units - paid - snapshot.invoiceAdjustedUnits(entity: entity, invoice: k)
        let customer = invoiceCustomer(entity: entity, invoice: k)
        let createdAt = entityObjectCreated(.ARINVOICE, entity, k, salt: 118)
        let lastPayment = CompanyLayout.payments(ofBill: k).last { !snapshot.isDeleted(.ARPYMT, entity: entity, index: $0) }
        let whenPaid = due == 0 && lastPayment != nil
            ? IntacctTime.date(layout.baseWhenModified(.ARPYMT, entity: entity, index: lastPayment!)) : ""
        let state = due == 0 ? "Paid" : (paid > 0 ? "Partially Paid" : "Posted")
        let description = "Invoice for " + Dimensions.items[hash.pick(Dimensions.referencedItems, 119, UInt64(entity), UInt64(k))].name.lowercased()
        return [
            recordNumber(.ARINVOICE, entity, k), "INV-\(CompanyLayout.entityIDs[entity])-\(k + 1)", state,
            Self.customerID(customer), customerName(customer), "SO-\(20_000 + hash.pick(70_000, 120, UInt64(entity), UInt64(k)))",
            IntacctTime.date(createdAt), IntacctTime.date(createdAt + 86_400), IntacctTime.date(createdAt + 30 * 86_400), whenPaid,
            formatMoney(units * rate), formatMoney(paid * rate), formatMoney(due * rate),
            formatMoney(units * 100), formatMoney(paid * 100), formatMoney(due * 100),
            snapshot.invoiceCurrency(entity: entity, invoice: k), Dimensions.entities[entity - 1].currency, formatMoney(rate),
            v == 0 ? description : description + " (rev \(v))", CompanyLayout.entityIDs[entity], wm(.ARINVOICE, entity, k),
        ]
    }

    func arInvoiceItem(entity: Int, index j: Int) -> [String] {
        let invoice = j / CompanyLayout.linesPerInvoice, line = j % CompanyLayout.linesPerInvoice
        let v = snapshot.version(.ARINVOICE, entity: entity, index: invoice)
        let units = snapshot.invoiceLineUnits(entity: entity, invoice: invoice, line: line)
        let item = Dimensions.items[hash.pick(Dimensions.referencedItems, 121, UInt64(entity), UInt64(j))]
        let locations = Dimensions.locations(ofEntity: entity)
        let description = "\(item.name) (\(item.productLine.lowercased()))"
        return [
            recordNumber(.ARINVOICEITEM, entity, j), recordNumber(.ARINVOICE, entity, invoice), String(line + 1), item.id,
            Dimensions.accounts[line == 0 ? 11 : 12].number,
            Dimensions.departments[1 + hash.pick(Dimensions.departments.count - 1, 122, UInt64(entity), UInt64(j))].id,
            Dimensions.locations[locations[hash.pick(locations.count, 123, UInt64(entity), UInt64(j))]].id,
            Self.customerID(invoiceCustomer(entity: entity, invoice: invoice)),
        ] + amounts(entity: entity, invoice: invoice, units: units) + [
            v == 0 ? description : description + " (rev \(v))", CompanyLayout.entityIDs[entity], wm(.ARINVOICEITEM, entity, j),
        ]
    }

    func arPayment(entity: Int, index p: Int) -> [String] {
        let v = snapshot.version(.ARPYMT, entity: entity, index: p)
        let invoice = CompanyLayout.bill(ofPayment: p)
        let units = snapshot.arPaymentUnits(entity: entity, payment: p)
        return [
            recordNumber(.ARPYMT, entity, p), Self.customerID(invoiceCustomer(entity: entity, invoice: invoice)),
            recordNumber(.ARINVOICE, entity, invoice),
            Dimensions.paymentMethods[(hash.pick(4, 124, UInt64(entity), UInt64(p)) + v) % 4],
            IntacctTime.date(layout.baseWhenModified(.ARPYMT, entity: entity, index: p)),
            "RCPT-\(CompanyLayout.entityIDs[entity])-\(p + 1)" + (v == 0 ? "" : "-R\(v)"),
        ] + amounts(entity: entity, invoice: invoice, units: units) + [
            "Posted", CompanyLayout.entityIDs[entity], wm(.ARPYMT, entity, p),
        ]
    }

    func arAdjustment(entity: Int, index a: Int) -> [String] {
        let v = snapshot.version(.ARADJUSTMENT, entity: entity, index: a)
        let invoice = CompanyLayout.invoice(ofAdjustment: a)
        let units = snapshot.adjustmentUnits(entity: entity, adjustment: a)
        let customer = invoiceCustomer(entity: entity, invoice: invoice)
        let createdAt = entityObjectCreated(.ARADJUSTMENT, entity, a, salt: 125)
        let description = a % 2 == 0 ? "Early payment discount" : "Service credit"
        return [
            recordNumber(.ARADJUSTMENT, entity, a), "ADJ-\(CompanyLayout.entityIDs[entity])-\(a + 1)", "Posted",
            Self.customerID(customer), customerName(customer), recordNumber(.ARINVOICE, entity, invoice),
            "CM-\(CompanyLayout.entityIDs[entity])-\(a + 1)", IntacctTime.date(createdAt), IntacctTime.date(createdAt + 86_400),
        ] + amounts(entity: entity, invoice: invoice, units: units) + [
            v == 0 ? description : description + " (rev \(v))", CompanyLayout.entityIDs[entity], wm(.ARADJUSTMENT, entity, a),
        ]
    }

    func arAdjustmentItem(entity: Int, index a: Int) -> [String] {
        let v = snapshot.version(.ARADJUSTMENT, entity: entity, index: a)
        let invoice = CompanyLayout.invoice(ofAdjustment: a)
        let units = snapshot.adjustmentUnits(entity: entity, adjustment: a)
        let locations = Dimensions.locations(ofEntity: entity)
        let description = "Credit against invoice INV-\(CompanyLayout.entityIDs[entity])-\(invoice + 1)"
        return [
            recordNumber(.ARADJUSTMENTITEM, entity, a), recordNumber(.ARADJUSTMENT, entity, a), "1",
            Dimensions.accounts[11].number,
            Dimensions.departments[1 + hash.pick(Dimensions.departments.count - 1, 126, UInt64(entity), UInt64(a))].id,
            Dimensions.locations[locations[hash.pick(locations.count, 127, UInt64(entity), UInt64(a))]].id,
        ] + amounts(entity: entity, invoice: invoice, units: units) + [
            v == 0 ? description : description + " (rev \(v))", CompanyLayout.entityIDs[entity], wm(.ARADJUSTMENTITEM, entity, a),
        ]
    }

    /// What every receivables line and payment carries after its own fields: the amount in the entity's
    /// base currency and in the invoice's, then those two currencies; the invoice fixes the rate.
    private func amounts(entity: Int, invoice: Int, units: Int64) -> [String] {
        let rate = snapshot.invoiceRate(entity: entity, invoice: invoice)
        return [
            formatMoney(units * rate), formatMoney(units * 100),
            snapshot.invoiceCurrency(entity: entity, invoice: invoice), Dimensions.entities[entity - 1].currency,
        ]
    }
}
