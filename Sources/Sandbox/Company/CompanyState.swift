/// A revision of one generated record: its values are regenerated from (seed, object, index, version).
struct Modification: Sendable {
    var version: Int
    var whenModified: Int64
}

/// Which records of one (entity, object) were modified or deleted since the clock started.
struct ObjectOverlay: Sendable {
    var modified: [Int: Modification] = [:]
    /// Index → time of deletion.
    var deleted: [Int: Int64] = [:]
}

struct OverlayKey: Hashable, Sendable {
    var entity: Int
    var object: SandboxObject
}

/// One AUDITHISTORY row, written by a mutate.
struct AuditEntry: Sendable {
    var id: Int
    var object: SandboxObject
    var entity: Int
    var objectKey: String
    var accessMode: String
    var accessTime: Int64
}

/// Everything that changes after start-up: the clock and the sparse overlays. It is a value, so a query
/// takes a snapshot and pages it without seeing later mutations half-applied.
struct CompanyState: Sendable {
    var now: Int64
    var overlays: [OverlayKey: ObjectOverlay] = [:]
    var audit: [AuditEntry] = []
    /// Bumped by every mutate, so cached query results from older states are not reused.
    var generation = 0
    /// Custom fields added at run time, per object, after the schema's own fields in this order.
    var addedFields: [SandboxObject: [AddedField]] = [:]

    func overlay(_ object: SandboxObject, entity: Int) -> ObjectOverlay? {
        overlays[OverlayKey(entity: entity, object: object)]
    }
}

/// The immutable layout plus one state: everything needed to produce any record's current version.
struct CompanySnapshot: Sendable {
    let layout: CompanyLayout
    let state: CompanyState

    /// A TIMESTAMP value as Intacct serves it: local time of the API user, without an offset.
    func timestamp(_ t: Int64) -> String { IntacctTime.timestamp(t + layout.utcOffset) }

    /// A timestamp (or date) a client sent in a filter, read as local time: the UTC instant.
    func parseTimestamp(_ text: String) -> Int64? { IntacctTime.parse(text).map { $0 - layout.utcOffset } }

    /// The schema's fields followed by the fields added at run time: what lookup lists and what a
    /// select may name. Row values follow this order.
    func fields(of object: SandboxObject) -> [ObjectSchema.Field] {
        let added = state.addedFields[object] ?? []
        if added.isEmpty { return object.schema.fields }
        return object.schema.fields + added.map { ObjectSchema.Field(name: $0.name, type: $0.type, isCustom: true) }
    }

    /// A field's position in `fields(of:)`, matched case-insensitively like the schema's own.
    func fieldIndex(_ object: SandboxObject, _ name: String) -> Int? {
        if let index = object.schema.field(named: name) { return index }
        let wanted = name.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        guard let position = state.addedFields[object]?.firstIndex(where: { $0.name == wanted }) else { return nil }
        return object.schema.fields.count + position
    }

    func isDeleted(_ object: SandboxObject, entity: Int, index: Int) -> Bool {
        state.overlay(object, entity: entity)?.deleted[index] != nil
    }

    func version(_ object: SandboxObject, entity: Int, index: Int) -> Int {
        state.overlay(object, entity: entity)?.modified[index]?.version ?? 0
    }

    func whenModified(_ object: SandboxObject, entity: Int, index: Int) -> Int64 {
        if object == .AUDITHISTORY { return state.audit[index].accessTime }
        if let overlay = state.overlay(object, entity: entity) {
            if let m = overlay.modified[index] { return m.whenModified }
            if let d = overlay.deleted[index] { return d }
        }
        return layout.baseWhenModified(object, entity: entity, index: index)
    }

    /// Integer RECORDNO (GLDETAIL: the GLENTRY's, which orders its composite key the same way within a
    /// batch; AUDITHISTORY: the ID).
    func recordNumber(_ object: SandboxObject, entity: Int, index: Int) -> Int {
        switch object {
        case .AUDITHISTORY: return state.audit[index].id
        case .GLDETAIL: return layout.recordOffset(.GLENTRY, entity: entity) + index + 1
        default: return layout.recordOffset(object, entity: entity) + index + 1
        }
    }

    /// The key as Intacct sends it.
    func recordNo(_ object: SandboxObject, entity: Int, index: Int) -> String {
        if object == .GLDETAIL {
            let batch = layout.recordOffset(.GLBATCH, entity: entity) + index / CompanyLayout.linesPerBatch + 1
            let entry = layout.recordOffset(.GLENTRY, entity: entity) + index + 1
            return "\(batch)-\(entry)-\(index % CompanyLayout.linesPerBatch + 1)--accrual"
        }
        return String(recordNumber(object, entity: entity, index: index))
    }

    // MARK: Money, shared by rows and totals

    /// Debit amounts (cents) of a batch's two debit lines; the credit lines split their sum.
    func batchLineAmounts(entity: Int, batch: Int, version: Int) -> [Int64] {
        let h = layout.hash
        let a = 1000 + Int64(h.value(11, UInt64(entity), UInt64(batch), UInt64(version)) % 2_500_000)
        let b = 500 + Int64(h.value(12, UInt64(entity), UInt64(batch), UInt64(version)) % 800_000)
        let c = (a + b) / 2
        return [a, b, c, a + b - c]
    }

    func billOriginalAmount(entity: Int, bill: Int) -> Int64 {
        5000 + Int64(layout.hash.value(21, UInt64(entity), UInt64(bill)) % 1_995_000)
    }

    /// TOTALENTERED grows by 25.00 per revision, so payments already applied never exceed it.
    func billEntered(entity: Int, bill: Int) -> Int64 {
        billOriginalAmount(entity: entity, bill: bill) + Int64(version(.APBILL, entity: entity, index: bill)) * 2500
    }

    func paymentAmount(entity: Int, payment: Int) -> Int64 {
        let bill = CompanyLayout.bill(ofPayment: payment)
        return billOriginalAmount(entity: entity, bill: bill) * CompanyLayout.paymentShare(payment) / 100
    }

    func billPaid(entity: Int, bill: Int) -> Int64 {
        var paid: Int64 = 0
        for p in CompanyLayout.payments(ofBill: bill) where !isDeleted(.APPYMT, entity: entity, index: p) {
            paid += paymentAmount(entity: entity, payment: p)
        }
        return paid
    }

    /// A bill's payments that still exist.
    func livePayments(entity: Int, bill: Int) -> [Int] {
        CompanyLayout.payments(ofBill: bill).filter { !isDeleted(.APPYMT, entity: entity, index: $0) }
    }
}

/// Cents as Intacct's decimal text: `1234.50`, `-3.07`.
func formatMoney(_ cents: Int64) -> String {
    let negative = cents < 0
    let value = negative ? -cents : cents
    let fraction = value % 100
    return (negative ? "-" : "") + String(value / 100) + (fraction < 10 ? ".0" : ".") + String(fraction)
}
