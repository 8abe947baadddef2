/// What a mutate changed, by RECORDNO of the requested object (plus the records changed with them).
public struct SandboxMutation: Sendable, Codable, Equatable {
    /// RECORDNOs of the requested object given a new version (WHENMODIFIED = the clock's now).
    public var modified: [String]
    /// RECORDNOs of the requested object deleted.
    public var deleted: [String]
    /// Other objects changed to keep the invariants (a batch's lines, a bill whose payment was deleted…),
    /// as `OBJECT` → RECORDNOs; each of those has its own AUDITHISTORY row.
    public var cascaded: [String: [String]]
}

/// Why a mutate was refused.
public struct SandboxMutationError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

extension CompanyState {
    /// Modifies and deletes records so that every contract invariant still holds afterwards:
    /// journal batches change or disappear as a whole (so they stay balanced), deleting a bill deletes its
    /// payments, deleting a payment revises its bill's TOTALPAID, and only unreferenced vendors can be deleted.
    mutating func mutate(layout: CompanyLayout, object: SandboxObject, entity: Int, modify: Int, delete: Int) throws -> SandboxMutation {
        guard object != .AUDITHISTORY else { throw SandboxMutationError(description: "AUDITHISTORY is written by the sandbox, not mutated") }
        if object.level == .entity && entity == 0 {
            throw SandboxMutationError(description: "\(object.rawValue) lives in an entity (E100, E200, E300), not at the top level")
        }
        if object.level == .top && entity != 0 {
            throw SandboxMutationError(description: "\(object.rawValue) is a top-level object; use entity \"top\"")
        }
        if delete > 0 && Self.firstDeletable(object) == nil {
            throw SandboxMutationError(description: "deleting \(object.rawValue) records would break the hierarchy or foreign-key invariants; only VENDOR, CUSTOMER, ITEM, EMPLOYEE, TASK, PROVIDERBANKACCOUNT, CUSTOMER_CONTRACT and entity documents (GL, AP, AR, deposits, cards, budgets) can be deleted")
        }
        generation += 1
        var changes = ChangeLog(object: object)
        let unitObject = Self.unit(of: object)
        let unitCount = layout.count(unitObject, entity: entity)
        var chosen = Set<Int>()
        var attempt: UInt64 = 0

        func pick(deletable: Bool) -> Int? {
            let lower = deletable ? Self.firstDeletable(object) ?? 0 : 0
            let range = unitCount - lower
            guard range > 0 else { return nil }
            func usable(_ unit: Int) -> Bool {
                !chosen.contains(unit) && overlays[OverlayKey(entity: entity, object: unitObject)]?.deleted[unit] == nil
            }
            for _ in 0..<64 {
                attempt += 1
                let unit = lower + layout.hash.pick(range, 97, UInt64(generation), attempt)
                if usable(unit) { return unit }
            }
            return (lower..<unitCount).first(where: usable)
        }

        for _ in 0..<max(0, modify) {
            guard let unit = pick(deletable: false) else { break }
            chosen.insert(unit)
            for (member, index) in members(of: unitObject, unit: unit) {
                revise(member, entity: entity, index: index, layout: layout, changes: &changes)
            }
        }
        for _ in 0..<max(0, delete) {
            guard let unit = pick(deletable: true) else { break }
            chosen.insert(unit)
            for (member, index) in members(of: unitObject, unit: unit) {
                remove(member, entity: entity, index: index, layout: layout, changes: &changes)
            }
            if unitObject == .APBILL {
                for payment in CompanyLayout.payments(ofBill: unit)
                where overlays[OverlayKey(entity: entity, object: .APPYMT)]?.deleted[payment] == nil {
                    remove(.APPYMT, entity: entity, index: payment, layout: layout, changes: &changes)
                }
            }
            if unitObject == .ARINVOICE {
                for payment in CompanyLayout.payments(ofBill: unit)
                where overlays[OverlayKey(entity: entity, object: .ARPYMT)]?.deleted[payment] == nil {
                    remove(.ARPYMT, entity: entity, index: payment, layout: layout, changes: &changes)
                }
                if let adjustment = CompanyLayout.adjustment(ofInvoice: unit),
                   overlays[OverlayKey(entity: entity, object: .ARADJUSTMENT)]?.deleted[adjustment] == nil {
                    for (member, index) in members(of: .ARADJUSTMENT, unit: adjustment) {
                        remove(member, entity: entity, index: index, layout: layout, changes: &changes)
                    }
                }
            }
            if unitObject == .ARPYMT || unitObject == .ARADJUSTMENT {
                // The invoice's TOTALPAID or TOTALDUE just changed: a new WHENMODIFIED, same revision.
                let invoice = unitObject == .ARPYMT ? CompanyLayout.bill(ofPayment: unit) : CompanyLayout.invoice(ofAdjustment: unit)
                if overlays[OverlayKey(entity: entity, object: .ARINVOICE)]?.deleted[invoice] == nil {
                    touch(.ARINVOICE, entity: entity, index: invoice, layout: layout, changes: &changes, bumpVersion: false)
                }
            }
            if unitObject == .APPYMT {
                // The bill's TOTALPAID/TOTALDUE just changed: it gets a new WHENMODIFIED, same revision.
                let bill = CompanyLayout.bill(ofPayment: unit)
                if overlays[OverlayKey(entity: entity, object: .APBILL)]?.deleted[bill] == nil {
                    touch(.APBILL, entity: entity, index: bill, layout: layout, changes: &changes, bumpVersion: false)
                }
            }
        }
        return changes.result
    }

    /// Records that change together: a journal entry with its lines, an invoice with its lines (the last
    /// line takes what the others leave of TOTALENTERED), an adjustment with its line.
    static func unit(of object: SandboxObject) -> SandboxObject {
        switch object {
        case .GLENTRY, .GLDETAIL: return .GLBATCH
        case .ARINVOICEITEM: return .ARINVOICE
        case .ARADJUSTMENTITEM: return .ARADJUSTMENT
        default: return object
        }
    }

    /// The first index of a deletable record, nil when the object's records cannot be deleted: top-level
    /// records others refer to (the referenced head of vendors, customers, items, supervisors) stay, and so
    /// do dimensions, bank accounts deposits and bank feeds point at, and the audit trail.
    static func firstDeletable(_ object: SandboxObject) -> Int? {
        switch object {
        case .VENDOR: return Dimensions.referencedVendors
        case .CUSTOMER: return Dimensions.referencedCustomers
        case .ITEM: return Dimensions.referencedItems
        case .EMPLOYEE: return Dimensions.supervisors
        case .TASK, .PROVIDERBANKACCOUNT, .CUSTOMER_CONTRACT: return 0
        case .CHECKINGACCOUNT, .SAVINGSACCOUNT, .AUDITHISTORY: return nil
        default: return object.level == .entity ? 0 : nil
        }
    }

    private func members(of unitObject: SandboxObject, unit: Int) -> [(SandboxObject, Int)] {
        if unitObject == .ARINVOICE {
            return [(.ARINVOICE, unit)] + (0..<CompanyLayout.linesPerInvoice).map { (.ARINVOICEITEM, unit * CompanyLayout.linesPerInvoice + $0) }
        }
        if unitObject == .ARADJUSTMENT { return [(.ARADJUSTMENT, unit), (.ARADJUSTMENTITEM, unit)] }
        guard unitObject == .GLBATCH else { return [(unitObject, unit)] }
        let lines = (0..<CompanyLayout.linesPerBatch).map { unit * CompanyLayout.linesPerBatch + $0 }
        return [(.GLBATCH, unit)] + lines.map { (.GLENTRY, $0) } + lines.map { (.GLDETAIL, $0) }
    }

    private mutating func revise(_ object: SandboxObject, entity: Int, index: Int, layout: CompanyLayout, changes: inout ChangeLog) {
        touch(object, entity: entity, index: index, layout: layout, changes: &changes, bumpVersion: true)
    }

    private mutating func touch(_ object: SandboxObject, entity: Int, index: Int, layout: CompanyLayout,
                                changes: inout ChangeLog, bumpVersion: Bool) {
        let key = OverlayKey(entity: entity, object: object)
        var overlay = overlays[key] ?? ObjectOverlay()
        let version = (overlay.modified[index]?.version ?? 0) + (bumpVersion ? 1 : 0)
        overlay.modified[index] = Modification(version: version, whenModified: now)
        overlays[key] = overlay
        let recordNo = CompanySnapshot(layout: layout, state: self).recordNo(object, entity: entity, index: index)
        changes.add(object, recordNo, deleted: false)
        appendAudit(object, entity: entity, key: recordNo, mode: "M")
    }

    private mutating func remove(_ object: SandboxObject, entity: Int, index: Int, layout: CompanyLayout, changes: inout ChangeLog) {
        let key = OverlayKey(entity: entity, object: object)
        var overlay = overlays[key] ?? ObjectOverlay()
        overlay.modified[index] = nil
        overlay.deleted[index] = now
        overlays[key] = overlay
        let recordNo = CompanySnapshot(layout: layout, state: self).recordNo(object, entity: entity, index: index)
        changes.add(object, recordNo, deleted: true)
        appendAudit(object, entity: entity, key: recordNo, mode: "D")
    }

    private mutating func appendAudit(_ object: SandboxObject, entity: Int, key: String, mode: String) {
        audit.append(AuditEntry(id: audit.count + 1, object: object, entity: entity, objectKey: key, accessMode: mode, accessTime: now))
    }
}

private struct ChangeLog {
    let object: SandboxObject
    var result = SandboxMutation(modified: [], deleted: [], cascaded: [:])

    mutating func add(_ changed: SandboxObject, _ recordNo: String, deleted: Bool) {
        if changed == object {
            if deleted { result.deleted.append(recordNo) } else { result.modified.append(recordNo) }
        } else {
            result.cascaded[changed.rawValue, default: []].append(recordNo)
        }
    }
}
