/// How many records of each object each entity has at a given scale, which RECORDNOs they get and when
/// they were last modified before any mutation. All arithmetic: nothing here is stored per record.
///
/// Entity index 0 is the top level; 1...3 are E100, E200, E300.
struct CompanyLayout: Sendable {
    static let entityIDs = ["top", "E100", "E200", "E300"]
    /// Every journal entry has two debit lines and two credit lines, so batches balance by construction
    /// and line positions follow from the batch number.
    static let linesPerBatch = 4
    /// Bills come in groups of four with 0, 1, 2 and 1 payments: APPYMT and APBILL counts stay equal and
    /// the bill a payment applies to is arithmetic.
    static let billsPerCycle = 4

    let seed: UInt64
    let hash: DeterministicHash
    let clockStart: Int64
    /// Seconds east of UTC of the API user's time zone: timestamps are served and filtered in that local time.
    let utcOffset: Int64
    /// Journal batches and bills per entity (index 0 unused).
    let batches: [Int]
    let bills: [Int]
    /// AR invoices per entity (index 0 unused): an eighth of the bills, in whole cycles of four. The
    /// receivables come on top of `--scale` (about a tenth more records), so the seed's data stays as it was.
    let invoices: [Int]

    init(seed: UInt64, scale: Int, clockStart: Int64, utcOffset: Int64 = 0) {
        self.seed = seed
        self.utcOffset = utcOffset
        hash = DeterministicHash(seed: seed)
        self.clockStart = clockStart
        let dimensionCount = SandboxObject.seedObjects.filter { $0.level == .top }
            .reduce(0) { $0 + Self.dimensionCount($1) }
        let bulk = max(0, scale - dimensionCount)
        // E100 is the big subsidiary; shares keep the three entities visibly different in size.
        let shares = [0, 50, 30, 20]
        var batches = [0], bills = [0]
        for entity in 1...3 {
            let perEntity = bulk * shares[entity] / 100
            // GLBATCH + 4 GLENTRY + 4 GLDETAIL per batch (9 records) and two AP records per bill at twice
            // the batch count: 13 records per batch.
            let b = max(1, perEntity / 13)
            let remainder = max(0, perEntity - 9 * b)
            let n = max(Self.billsPerCycle, remainder / 2 / Self.billsPerCycle * Self.billsPerCycle)
            batches.append(b)
            bills.append(n)
        }
        self.batches = batches
        self.bills = bills
        invoices = bills.enumerated().map { entity, n in
            entity == 0 ? 0 : max(Self.billsPerCycle, n / 8 / Self.billsPerCycle * Self.billsPerCycle)
        }
    }

    static func dimensionCount(_ object: SandboxObject) -> Int {
        switch object {
        case .LOCATIONENTITY: return Dimensions.entities.count
        case .GLACCOUNT: return Dimensions.accounts.count
        case .DEPARTMENT: return Dimensions.departments.count
        case .LOCATION: return Dimensions.locations.count
        case .CLASS: return Dimensions.classes.count
        case .PROJECT: return Dimensions.projectCount
        case .VENDOR: return Dimensions.vendorCount
        case .CUSTOMER: return Dimensions.customerCount
        case .ITEM: return Dimensions.items.count
        case .EMPLOYEE: return Dimensions.employeeCount
        case .TASK: return Dimensions.projectCount * Dimensions.tasksPerProject
        case .PROVIDERBANKACCOUNT: return 3 * Dimensions.bankAccountsPerEntity
        case .CUSTOMER_CONTRACT: return Dimensions.referencedCustomers * Dimensions.contractsPerCustomer
        default: return 0
        }
    }

    /// Base (generated) records of `object` owned by `entity`.
    func count(_ object: SandboxObject, entity: Int) -> Int {
        switch object.level {
        case .top:
            return entity == 0 ? Self.dimensionCount(object) : 0
        case .entity:
            guard entity > 0 else { return 0 }
            switch object {
            case .GLBATCH: return batches[entity]
            case .GLENTRY, .GLDETAIL: return batches[entity] * Self.linesPerBatch
            case .APBILL, .APPYMT: return bills[entity]
            case .ARINVOICE, .ARPYMT: return invoices[entity]
            case .ARINVOICEITEM: return invoices[entity] * Self.linesPerInvoice
            case .ARADJUSTMENT, .ARADJUSTMENTITEM: return invoices[entity] / 2
            case .DEPOSIT: return invoices[entity] / Self.billsPerCycle
            case .CHECKINGACCOUNT: return Dimensions.checkingAccountsPerEntity
            case .SAVINGSACCOUNT: return Dimensions.bankAccountsPerEntity - Dimensions.checkingAccountsPerEntity
            case .CREDITCARD: return Dimensions.creditCardsPerEntity
            case .GLBUDGETITEM: return Dimensions.budgetAccounts.count * Dimensions.costCenterCount * 12
            default: return 0
            }
        }
    }

    /// RECORDNOs are unique per object across the company: each entity's range follows the previous one's.
    func recordOffset(_ object: SandboxObject, entity: Int) -> Int {
        var offset = 0
        var e = 1
        while e < entity { offset += count(object, entity: e); e += 1 }
        return offset
    }

    /// Base WHENMODIFIED: spread over the half year (dimensions: the year) before the clock start and
    /// strictly increasing in index, so a WHENMODIFIED range maps to an index range by binary search.
    func baseWhenModified(_ object: SandboxObject, entity: Int, index: Int) -> Int64 {
        let (begin, span, n) = window(object, entity: entity)
        return begin + Int64(index) * span / Int64(max(n, 1))
    }

    private func window(_ object: SandboxObject, entity: Int) -> (begin: Int64, span: Int64, count: Int) {
        let n = count(object, entity: entity)
        let days: Int64 = object.level == .top ? 365 : 180
        let span = max(days * 86_400, Int64(n))
        // Entities are staggered by a few minutes so their rows interleave rather than tie.
        let end = clockStart - 3600 - Int64(entity) * 97
        return (end - span, span, n)
    }

    /// The first index whose base WHENMODIFIED is at or after `time` (count if none).
    func firstIndex(_ object: SandboxObject, entity: Int, atOrAfter time: Int64) -> Int {
        var lo = 0, hi = count(object, entity: entity)
        while lo < hi {
            let mid = (lo + hi) / 2
            if baseWhenModified(object, entity: entity, index: mid) < time { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: Relations between generated records

    /// The bill a payment applies to.
    static func bill(ofPayment payment: Int) -> Int {
        let cycle = payment / billsPerCycle
        switch payment % billsPerCycle {
        case 0: return cycle * billsPerCycle + 1
        case 1, 2: return cycle * billsPerCycle + 2
        default: return cycle * billsPerCycle + 3
        }
    }

    /// The payments applied to a bill.
    static func payments(ofBill bill: Int) -> [Int] {
        let base = bill / billsPerCycle * billsPerCycle
        switch bill % billsPerCycle {
        case 0: return []
        case 1: return [base]
        case 2: return [base + 1, base + 2]
        default: return [base + 3]
        }
    }

    /// Lines per AR invoice; the second line takes what the first leaves of TOTALENTERED.
    static let linesPerInvoice = 2

    /// The invoice an adjustment (and its single line) applies to: invoices 0 and 2 of each cycle of four.
    static func invoice(ofAdjustment adjustment: Int) -> Int {
        adjustment / 2 * billsPerCycle + (adjustment % 2 == 0 ? 0 : 2)
    }

    /// The adjustment of an invoice, if it has one.
    static func adjustment(ofInvoice invoice: Int) -> Int? {
        switch invoice % billsPerCycle {
        case 0: return invoice / billsPerCycle * 2
        case 2: return invoice / billsPerCycle * 2 + 1
        default: return nil
        }
    }

    /// Share (percent) of the invoice's original amount an adjustment credits.
    static func adjustmentShare(_ adjustment: Int) -> Int64 { adjustment % 2 == 0 ? 5 : 10 }

    /// Share (percent) of the bill's original amount that a payment carries.
    static func paymentShare(_ payment: Int) -> Int64 {
        [100, 40, 35, 50][payment % billsPerCycle]
    }
}
