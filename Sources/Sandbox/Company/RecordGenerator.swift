/// Produces the current version of any record as field strings in schema order. Pure: the same snapshot
/// and index always give the same row, which is what makes paging, determinism and `--scale` cheap.
struct RecordGenerator {
    let snapshot: CompanySnapshot

    var layout: CompanyLayout { snapshot.layout }
    var hash: DeterministicHash { snapshot.layout.hash }

    /// Every field of `snapshot.fields(of: object)`: the object's own, its custom fields, and fields
    /// added at run time (empty unless the record changed after the field was added).
    /// `extended: false` leaves the extended standard fields (`ObjectSchema`'s second list) empty: a page
    /// that selects none of them skips some seventy values per GLDETAIL row. Positions stay the same.
    func row(_ object: SandboxObject, entity: Int, index: Int, extended: Bool = true) -> [String] {
        var values = extended || object.schema.extendedFields.isEmpty
            ? standardRow(object, entity: entity, index: index)
            : contractRow(object, entity: entity, index: index) + Array(repeating: "", count: object.schema.extendedFields.count)
        let schema = object.schema
        let added = snapshot.state.addedFields[object] ?? []
        guard schema.fields.count > schema.standardFieldCount || !added.isEmpty else { return values }
        let custom = CustomFieldValues(snapshot: snapshot)
        for field in schema.fields[schema.standardFieldCount...] {
            values.append(custom.value(field.name, field.type, object: object, entity: entity, index: index))
        }
        if !added.isEmpty {
            let modified = snapshot.whenModified(object, entity: entity, index: index)
            for field in added {
                values.append(modified >= field.addedAt
                    ? custom.value(field.name, field.type, object: object, entity: entity, index: index) : "")
            }
        }
        return values
    }

    /// The contract's fields of the objects that also have extended standard fields.
    private func contractRow(_ object: SandboxObject, entity: Int, index: Int) -> [String] {
        switch object {
        case .GLACCOUNT: return glAccount(index)
        case .DEPARTMENT: return department(index)
        case .GLDETAIL: return glDetail(entity: entity, index: index)
        case .APBILL: return apBill(entity: entity, index: index)
        default: return standardRow(object, entity: entity, index: index)
        }
    }

    private func standardRow(_ object: SandboxObject, entity: Int, index: Int) -> [String] {
        switch object {
        case .LOCATIONENTITY: return locationEntity(index)
        case .GLACCOUNT: return glAccountStandardFields(index, glAccount(index))
        case .DEPARTMENT: return departmentStandardFields(index, department(index))
        case .LOCATION: return location(index)
        case .CLASS: return classRow(index)
        case .PROJECT: return project(index)
        case .VENDOR: return vendor(index)
        case .GLBATCH: return glBatch(entity: entity, index: index)
        case .GLENTRY: return glEntry(entity: entity, index: index)
        case .GLDETAIL: return glDetailStandardFields(glDetail(entity: entity, index: index))
        case .APBILL: return apBillStandardFields(apBill(entity: entity, index: index))
        case .APPYMT: return apPayment(entity: entity, index: index)
        case .AUDITHISTORY: return auditHistory(index)
        case .CUSTOMER: return customer(index)
        case .ARINVOICE: return arInvoice(entity: entity, index: index)
        case .ARINVOICEITEM: return arInvoiceItem(entity: entity, index: index)
        case .ARPYMT: return arPayment(entity: entity, index: index)
        case .ARADJUSTMENT: return arAdjustment(entity: entity, index: index)
        case .ARADJUSTMENTITEM: return arAdjustmentItem(entity: entity, index: index)
        case .CHECKINGACCOUNT: return bankAccount(.CHECKINGACCOUNT, entity: entity, index: index)
        case .SAVINGSACCOUNT: return bankAccount(.SAVINGSACCOUNT, entity: entity, index: index)
        case .CREDITCARD: return creditCard(entity: entity, index: index)
        case .DEPOSIT: return deposit(entity: entity, index: index)
        case .PROVIDERBANKACCOUNT: return providerBankAccount(index)
        case .ITEM: return item(index)
        case .EMPLOYEE: return employee(index)
        case .TASK: return task(index)
        case .GLBUDGETITEM: return budgetItem(entity: entity, index: index)
        case .CUSTOMER_CONTRACT: return customerContract(index)
        }
    }

    // MARK: Top-level dimensions

    func wm(_ object: SandboxObject, _ entity: Int, _ index: Int) -> String {
        snapshot.timestamp(snapshot.whenModified(object, entity: entity, index: index))
    }

    func created(_ object: SandboxObject, _ index: Int) -> String {
        let base = layout.baseWhenModified(object, entity: 0, index: index)
        return snapshot.timestamp(base - Int64(hash.pick(90 * 86_400, 31, UInt64(index))))
    }

    /// Revised dimension names carry the revision, so a modify is visible in the data, not only in WHENMODIFIED.
    func revised(_ text: String, _ object: SandboxObject, _ index: Int) -> String {
        let v = snapshot.version(object, entity: 0, index: index)
        return v == 0 ? text : "\(text) (rev \(v))"
    }

    private func locationEntity(_ i: Int) -> [String] {
        let e = Dimensions.entities[i]
        return [String(i + 1), e.id, revised(e.name, .LOCATIONENTITY, i), e.currency, "active", wm(.LOCATIONENTITY, 0, i)]
    }

    private func glAccount(_ i: Int) -> [String] {
        let a = Dimensions.accounts[i]
        return [
            String(i + 1), a.number, revised(a.title, .GLACCOUNT, i), a.type, a.normal,
            a.type == "balancesheet" ? "non-closing account" : "closing account",
            a.category, String(a.categoryKey), "active",
            a.type == "incomestatement" ? "true" : "false", i % 3 == 0 ? "true" : "false",
            created(.GLACCOUNT, i), wm(.GLACCOUNT, 0, i),
        ]
    }

    private func department(_ i: Int) -> [String] {
        let d = Dimensions.departments[i]
        let parent = d.parent.map { Dimensions.departments[$0] }
        return [
            String(i + 1), d.id, revised(d.title, .DEPARTMENT, i),
            d.parent.map { String($0 + 1) } ?? "", parent?.id ?? "", parent?.title ?? "",
            "active", created(.DEPARTMENT, i), wm(.DEPARTMENT, 0, i),
        ]
    }

    private func location(_ i: Int) -> [String] {
        let l = Dimensions.locations[i]
        return [
            String(i + 1), l.id, revised(l.name, .LOCATION, i), l.parent.map { String($0 + 1) } ?? "",
            l.parent.map { Dimensions.locations[$0].id } ?? "", "active",
            Dimensions.entities[l.entity - 1].currency, wm(.LOCATION, 0, i),
        ]
    }

    private func classRow(_ i: Int) -> [String] {
        let c = Dimensions.classes[i]
        let parent = c.parent.map { Dimensions.classes[$0] }
        return [
            String(i + 1), c.id, revised(c.name, .CLASS, i), c.description,
            c.parent.map { String($0 + 1) } ?? "", parent?.id ?? "", parent?.name ?? "",
            "active", created(.CLASS, i), wm(.CLASS, 0, i),
        ]
    }

    static func projectID(_ i: Int) -> String { "P" + String(1001 + i) }

    private func project(_ i: Int) -> [String] {
        let word = Dimensions.projectWords[i % Dimensions.projectWords.count]
        let kind = Dimensions.projectKinds[hash.pick(Dimensions.projectKinds.count, 41, UInt64(i))]
        let parent: Int? = i >= 6 && i % 3 == 0 ? i % 6 : nil
        let location = Dimensions.locations[i % Dimensions.locations.count]
        let budget = 100_000 + Int64(hash.value(42, UInt64(i)) % 50_000_000)
        return [
            String(i + 1), Self.projectID(i), revised("\(word) \(kind)", .PROJECT, i),
            parent.map { String($0 + 1) } ?? "", parent.map { Self.projectID($0) } ?? "",
            Dimensions.projectStatuses[hash.pick(4, 43, UInt64(i))], i % 11 == 10 ? "inactive" : "active",
            location.id, Dimensions.entities[location.entity - 1].currency, formatMoney(budget),
            wm(.PROJECT, 0, i),
        ]
    }

    static func vendorID(_ i: Int) -> String {
        let n = String(i + 1)
        return "V" + String(repeating: "0", count: max(0, 4 - n.count)) + n
    }

    func vendorName(_ i: Int) -> String {
        let h = hash
        return Dimensions.vendorFirst[h.pick(Dimensions.vendorFirst.count, 51, UInt64(i))] + " "
            + Dimensions.vendorSecond[h.pick(Dimensions.vendorSecond.count, 52, UInt64(i))] + " "
            + Dimensions.vendorSuffix[h.pick(Dimensions.vendorSuffix.count, 53, UInt64(i))]
    }

    private func vendor(_ i: Int) -> [String] {
        // Parents are among the first 20 vendors and never have parents themselves.
        let parent: Int? = i >= 20 && i % 7 == 0 ? i % 20 : nil
        let credit = Int64(hash.pick(50, 54, UInt64(i)) + 1) * 1_000_00
        return [
            String(i + 1), Self.vendorID(i), revised(vendorName(i), .VENDOR, i),
            parent.map { String($0 + 1) } ?? "", parent.map { Self.vendorID($0) } ?? "",
            Dimensions.vendorTypes[hash.pick(Dimensions.vendorTypes.count, 55, UInt64(i))],
            Dimensions.accounts[Dimensions.payablesAccount].number,
            i % 13 == 12 ? "inactive" : "active", formatMoney(credit), i % 17 == 16 ? "true" : "false",
            created(.VENDOR, i), wm(.VENDOR, 0, i),
        ]
    }

    // MARK: General ledger

    private func batchDate(entity: Int, batch: Int) -> Int64 {
        layout.baseWhenModified(.GLBATCH, entity: entity, index: batch) - Int64(hash.pick(4, 61, UInt64(entity), UInt64(batch))) * 86_400
    }

    private func batchTitle(entity: Int, batch: Int, version: Int) -> String {
        let journal = Dimensions.journals[hash.pick(4, 62, UInt64(entity), UInt64(batch))]
        let base = "\(journal) entry \(batch + 1) - \(Dimensions.lineDescriptions[hash.pick(8, 63, UInt64(entity), UInt64(batch))])"
        return version == 0 ? base : base + " (rev \(version))"
    }

    private func glBatch(entity: Int, index b: Int) -> [String] {
        let v = snapshot.version(.GLBATCH, entity: entity, index: b)
        let batchKey = layout.recordOffset(.GLBATCH, entity: entity) + b + 1
        return [
            String(batchKey), String(b + 1), Dimensions.journals[hash.pick(4, 62, UInt64(entity), UInt64(b))],
            IntacctTime.date(batchDate(entity: entity, batch: b)), batchTitle(entity: entity, batch: b, version: v),
            "JE-\(CompanyLayout.entityIDs[entity])-\(b + 1)", "Posted", CompanyLayout.entityIDs[entity],
            wm(.GLBATCH, entity, b),
        ]
    }

    /// The dimensions and amount of one journal line, shared by GLENTRY and GLDETAIL.
    private struct Line {
        var account: Int, department: Int, location: Int, classIndex: Int, project: Int?, vendor: Int?
        var debit: Bool, amount: Int64, description: String
    }

    private func line(entity: Int, index: Int, version: Int) -> Line {
        let batch = index / CompanyLayout.linesPerBatch
        let position = index % CompanyLayout.linesPerBatch
        let debit = position < 2
        let amounts = snapshot.batchLineAmounts(entity: entity, batch: batch, version: version)
        let h = hash, e = UInt64(entity), i = UInt64(index)
        let accounts = debit ? Dimensions.debitAccounts : Dimensions.creditAccounts
        let account = accounts[h.pick(accounts.count, 71, e, i)]
        let locations = Dimensions.locations(ofEntity: entity)
        let vendor: Int? = account == Dimensions.payablesAccount || h.pick(3, 72, e, i) == 0
            ? h.pick(Dimensions.referencedVendors, 73, e, i) : nil
        let project: Int? = h.pick(4, 74, e, i) == 0 ? h.pick(Dimensions.projectCount, 75, e, i) : nil
        return Line(
            account: account, department: 1 + h.pick(Dimensions.departments.count - 1, 76, e, i),
            location: locations[h.pick(locations.count, 77, e, i)], classIndex: h.pick(Dimensions.classes.count, 78, e, i),
            project: project, vendor: vendor, debit: debit, amount: amounts[position],
            description: Dimensions.lineDescriptions[h.pick(8, 79, e, i)] + (version == 0 ? "" : " (rev \(version))")
        )
    }

    /// What the ledger needs of a journal line, without rendering its row: the balances walk every line.
    func ledgerLine(entity: Int, index: Int) -> LedgerLine {
        let l = line(entity: entity, index: index, version: snapshot.version(.GLENTRY, entity: entity, index: index))
        let batch = index / CompanyLayout.linesPerBatch
        let journal = Dimensions.journals[hash.pick(4, 62, UInt64(entity), UInt64(batch))]
        return LedgerLine(account: l.account, department: l.department, debit: l.debit, amount: l.amount,
                          day: batchDate(entity: entity, batch: batch) / 86_400, adjusting: journal == "ADJ")
    }

    private func glEntry(entity: Int, index: Int) -> [String] {
        let v = snapshot.version(.GLENTRY, entity: entity, index: index)
        let l = line(entity: entity, index: index, version: v)
        let batch = index / CompanyLayout.linesPerBatch
        return [
            String(layout.recordOffset(.GLENTRY, entity: entity) + index + 1), String(batch + 1),
            String(layout.recordOffset(.GLBATCH, entity: entity) + batch + 1),
            String(index % CompanyLayout.linesPerBatch + 1), IntacctTime.date(batchDate(entity: entity, batch: batch)),
            Dimensions.accounts[l.account].number, Dimensions.departments[l.department].id,
            Dimensions.locations[l.location].id, Dimensions.classes[l.classIndex].id,
            l.project.map { Self.projectID($0) } ?? "", l.vendor.map { Self.vendorID($0) } ?? "",
            l.debit ? "1" : "-1", formatMoney(l.amount), Dimensions.entities[entity - 1].currency, l.description,
            "Posted", CompanyLayout.entityIDs[entity], wm(.GLENTRY, entity, index),
        ]
    }

    private func glDetail(entity: Int, index: Int) -> [String] {
        let v = snapshot.version(.GLDETAIL, entity: entity, index: index)
        let l = line(entity: entity, index: index, version: v)
        let batch = index / CompanyLayout.linesPerBatch
        let date = IntacctTime.date(batchDate(entity: entity, batch: batch))
        let amount = formatMoney(l.amount)
        return [
            snapshot.recordNo(.GLDETAIL, entity: entity, index: index),
            String(layout.recordOffset(.GLBATCH, entity: entity) + batch + 1), date, String(batch + 1),
            batchTitle(entity: entity, batch: batch, version: v),
            Dimensions.moduleKeys[hash.pick(4, 62, UInt64(entity), UInt64(batch))],
            String(index % CompanyLayout.linesPerBatch + 1), date,
            Dimensions.accounts[l.account].number, Dimensions.accounts[l.account].title,
            Dimensions.departments[l.department].id, Dimensions.locations[l.location].id,
            Dimensions.classes[l.classIndex].id, l.project.map { Self.projectID($0) } ?? "",
            l.vendor.map { Self.vendorID($0) } ?? "", Dimensions.entities[entity - 1].currency,
            l.debit ? amount : "0.00", l.debit ? "0.00" : amount, amount,
            String(layout.recordOffset(.GLENTRY, entity: entity) + index + 1), "Posted",
            CompanyLayout.entityIDs[entity], wm(.GLDETAIL, entity, index),
        ]
    }

    // MARK: Accounts payable

    func billVendor(entity: Int, bill: Int) -> Int {
        hash.pick(Dimensions.referencedVendors, 81, UInt64(entity), UInt64(bill))
    }

    private func apBill(entity: Int, index k: Int) -> [String] {
        let v = snapshot.version(.APBILL, entity: entity, index: k)
        let entered = snapshot.billEntered(entity: entity, bill: k)
        let paid = snapshot.billPaid(entity: entity, bill: k)
        let vendor = billVendor(entity: entity, bill: k)
        let base = layout.baseWhenModified(.APBILL, entity: entity, index: k)
        let createdAt = base - Int64(1 + hash.pick(20, 82, UInt64(entity), UInt64(k))) * 86_400
        let state = paid == 0 ? "Posted" : (paid >= entered ? "Paid" : "Partially Paid")
        let lastPayment = snapshot.livePayments(entity: entity, bill: k).last
        let whenPaid = paid >= entered && lastPayment != nil
            ? IntacctTime.date(layout.baseWhenModified(.APPYMT, entity: entity, index: lastPayment!)) : ""
        let number = String(layout.recordOffset(.APBILL, entity: entity) + k + 1)
        let description = "Invoice for " + Dimensions.lineDescriptions[hash.pick(8, 83, UInt64(entity), UInt64(k))].lowercased()
        return [
            number, "BILL-\(CompanyLayout.entityIDs[entity])-\(k + 1)", state, Self.vendorID(vendor), vendorName(vendor),
            "INV-\(10_000 + hash.pick(90_000, 84, UInt64(entity), UInt64(k)))", IntacctTime.date(createdAt),
            IntacctTime.date(createdAt + 86_400), IntacctTime.date(createdAt + 30 * 86_400), whenPaid,
            formatMoney(entered), formatMoney(paid), formatMoney(entered - paid),
            Dimensions.entities[entity - 1].currency, v == 0 ? description : description + " (rev \(v))",
            hash.pick(25, 85, UInt64(entity), UInt64(k)) == 0 ? "true" : "false",
            CompanyLayout.entityIDs[entity], wm(.APBILL, entity, k),
        ]
    }

    private func apPayment(entity: Int, index p: Int) -> [String] {
        let v = snapshot.version(.APPYMT, entity: entity, index: p)
        let bill = CompanyLayout.bill(ofPayment: p)
        let method = Dimensions.paymentMethods[(hash.pick(4, 91, UInt64(entity), UInt64(p)) + v) % 4]
        return [
            String(layout.recordOffset(.APPYMT, entity: entity) + p + 1), Self.vendorID(billVendor(entity: entity, bill: bill)),
            String(layout.recordOffset(.APBILL, entity: entity) + bill + 1), method,
            IntacctTime.date(layout.baseWhenModified(.APPYMT, entity: entity, index: p)),
            "PAY-\(CompanyLayout.entityIDs[entity])-\(p + 1)" + (v == 0 ? "" : "-R\(v)"),
            formatMoney(snapshot.paymentAmount(entity: entity, payment: p)),
            Dimensions.entities[entity - 1].currency, "Complete", CompanyLayout.entityIDs[entity],
            wm(.APPYMT, entity, p),
        ]
    }

    // MARK: Audit trail

    private func auditHistory(_ i: Int) -> [String] {
        let a = snapshot.state.audit[i]
        return [
            String(a.id), a.object.rawValue.lowercased(), a.objectKey, a.accessMode,
            snapshot.timestamp(a.accessTime), "sandbox_admin", a.entity == 0 ? "" : CompanyLayout.entityIDs[a.entity],
        ]
    }
}
