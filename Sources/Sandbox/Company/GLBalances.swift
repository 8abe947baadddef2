import Foundation

/// GL debits and credits of one entity for one cost center and account category: what a controller
/// reconciles the warehouse against. The cost center is the department directly under the root of the
/// department hierarchy (Operations, Engineering…), so every line rolls up through its sub-departments.
public struct SandboxGLBalance: Sendable, Codable, Equatable {
    public var entity: String
    public var costCenter: String
    public var category: String
    public var debits: String
    public var credits: String

    enum CodingKeys: String, CodingKey {
        case entity, costCenter = "cost_center", category, debits, credits
    }
}

extension CompanySnapshot {
    /// Walks every live GLENTRY line (the rows `glentry_current` holds), so it costs one generated row
    /// per line: about a second at scale 1,000,000.
    func glBalances() -> [SandboxGLBalance] {
        let schema = ObjectSchema.all[.GLENTRY]!
        let departmentField = schema.fieldIndex["DEPARTMENTID"]!, accountField = schema.fieldIndex["ACCOUNTNO"]!
        let typeField = schema.fieldIndex["TR_TYPE"]!, amountField = schema.fieldIndex["AMOUNT"]!
        let costCenterOf = Self.costCenters()
        let categoryOf = Dictionary(uniqueKeysWithValues: Dimensions.accounts.map { ($0.number, $0.category) })
        let generator = RecordGenerator(snapshot: self)
        var balances: [SandboxGLBalance] = []
        for entity in 1..<CompanyLayout.entityIDs.count {
            var sums: [String: [String: (debits: Int64, credits: Int64)]] = [:]
            for index in 0..<layout.count(.GLENTRY, entity: entity) where !isDeleted(.GLENTRY, entity: entity, index: index) {
                let row = generator.row(.GLENTRY, entity: entity, index: index)
                let costCenter = costCenterOf[row[departmentField]] ?? row[departmentField]
                let category = categoryOf[row[accountField]] ?? ""
                let amount = parseMoney(row[amountField]) ?? 0
                var sum = sums[costCenter, default: [:]][category, default: (0, 0)]
                if row[typeField] == "1" { sum.debits += amount } else { sum.credits += amount }
                sums[costCenter, default: [:]][category] = sum
            }
            for (costCenter, byCategory) in sums.sorted(by: { $0.key < $1.key }) {
                for (category, sum) in byCategory.sorted(by: { $0.key < $1.key }) {
                    balances.append(SandboxGLBalance(
                        entity: CompanyLayout.entityIDs[entity], costCenter: costCenter, category: category,
                        debits: formatMoney(sum.debits), credits: formatMoney(sum.credits)))
                }
            }
        }
        return balances
    }

    /// Department id → id of its ancestor directly below the root (itself, if it is one).
    static func costCenters() -> [String: String] {
        let departments = Dimensions.departments
        var result: [String: String] = [:]
        for (index, department) in departments.enumerated() {
            var current = index
            while let parent = departments[current].parent, departments[parent].parent != nil { current = parent }
            result[department.id] = departments[current].id
        }
        return result
    }
}
