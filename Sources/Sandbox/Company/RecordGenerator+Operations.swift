import Timestamps

/// Items, employees, project tasks, budget lines and the platform object CUSTOMER_CONTRACT.
extension RecordGenerator {
    func item(_ i: Int) -> [String] {
        let item = Dimensions.items[i]
        return [
            String(i + 1), item.id, revised(item.name, .ITEM, i), item.type, item.productLine, i % 19 == 18 ? "inactive" : "active",
            formatMoney(item.price), formatMoney(item.cost), "Count", item.type == "Inventory" ? "true" : "false",
            created(.ITEM, i), wm(.ITEM, 0, i),
        ]
    }

    static func employeeID(_ i: Int) -> String {
        let n = String(i + 1)
        return "EMP-" + String(repeating: "0", count: max(0, 4 - n.count)) + n
    }

    func employeeName(_ i: Int) -> String {
        Dimensions.givenNames[hash.pick(Dimensions.givenNames.count, 141, UInt64(i))] + " "
            + Dimensions.familyNames[hash.pick(Dimensions.familyNames.count, 142, UInt64(i))]
    }

    func employee(_ i: Int) -> [String] {
        let name = employeeName(i)
        let location = Dimensions.locations[hash.pick(Dimensions.locations.count, 143, UInt64(i))]
        let base = layout.baseWhenModified(.EMPLOYEE, entity: 0, index: i)
        let started = base - Int64(30 + hash.pick(2000, 144, UInt64(i))) * 86_400
        let left = i % 15 == 14
        return [
            String(i + 1), Self.employeeID(i), revised(name, .EMPLOYEE, i),
            Dimensions.jobTitles[hash.pick(Dimensions.jobTitles.count, 145, UInt64(i))],
            Dimensions.departments[1 + hash.pick(Dimensions.departments.count - 1, 146, UInt64(i))].id, location.id,
            i < Dimensions.supervisors ? "" : Self.employeeID(i % Dimensions.supervisors), IntacctTime.date(started),
            left ? IntacctTime.date(base - 86_400) : "",
            Dimensions.employeeTypes[hash.pick(Dimensions.employeeTypes.count, 147, UInt64(i))], left ? "inactive" : "active",
            Dimensions.entities[location.entity - 1].currency, created(.EMPLOYEE, i), wm(.EMPLOYEE, 0, i),
        ]
    }

    func task(_ i: Int) -> [String] {
        let project = i / Dimensions.tasksPerProject, position = i % Dimensions.tasksPerProject
        let word = Dimensions.projectWords[project % Dimensions.projectWords.count]
        let kind = Dimensions.projectKinds[hash.pick(Dimensions.projectKinds.count, 41, UInt64(project))]
        let parent = project * Dimensions.tasksPerProject
        let begin = layout.baseWhenModified(.TASK, entity: 0, index: i) - Int64(hash.pick(60, 151, UInt64(i))) * 86_400
        return [
            String(i + 1), "\(Self.projectID(project))-T\(position + 1)",
            revised(Dimensions.taskNames[position], .TASK, i), String(project + 1), Self.projectID(project), "\(word) \(kind)",
            position == 0 ? "" : String(parent + 1), position == 0 ? "" : "\(Self.projectID(project))-T1",
            Dimensions.items[hash.pick(Dimensions.referencedItems, 152, UInt64(i))].id, i % 4 == 3 ? "false" : "true",
            Dimensions.taskStatuses[hash.pick(Dimensions.taskStatuses.count, 153, UInt64(i))],
            IntacctTime.date(begin), IntacctTime.date(begin + Int64(14 + hash.pick(90, 154, UInt64(i))) * 86_400),
            formatMoney(Int64(8 + hash.pick(200, 155, UInt64(i))) * 100), String(1 + hash.pick(5, 156, UInt64(i))),
            created(.TASK, i), wm(.TASK, 0, i),
        ]
    }

    /// Index → (account, cost center, month): twelve months per account and cost center.
    func budgetItem(entity: Int, index i: Int) -> [String] {
        let month = i % 12, pair = i / 12
        let account = Dimensions.accounts[Dimensions.budgetAccounts[pair / Dimensions.costCenterCount]]
        let department = Dimensions.departments[1 + pair % Dimensions.costCenterCount]
        let start = Int64(CivilDate.days(year: 2026, month: month + 1, day: 1)) * 86_400
        let end = (month == 11 ? Int64(CivilDate.days(year: 2027, month: 1, day: 1)) * 86_400 : Int64(CivilDate.days(year: 2026, month: month + 2, day: 1)) * 86_400) - 86_400
        return [
            recordNumber(.GLBUDGETITEM, entity, i), String(entity), "FY2026-\(CompanyLayout.entityIDs[entity])",
            account.number, account.title, department.id, Dimensions.locations[Dimensions.locations(ofEntity: entity)[0]].id,
            String(month + 1), "Month Ended \(Dimensions.monthNames[month]) 2026", IntacctTime.date(start), IntacctTime.date(end),
            formatMoney(snapshot.budgetAmount(entity: entity, index: i)), "Budget", "0.00", "Per Period",
            Dimensions.entities[entity - 1].currency, CompanyLayout.entityIDs[entity], wm(.GLBUDGETITEM, entity, i),
        ]
    }

    func customerContract(_ i: Int) -> [String] {
        let customer = i / Dimensions.contractsPerCustomer
        let base = layout.baseWhenModified(.CUSTOMER_CONTRACT, entity: 0, index: i)
        let start = base - Int64(hash.pick(300, 161, UInt64(i))) * 86_400
        let description = i % 2 == 0 ? "Subscription agreement" : "Support agreement"
        return [
            String(i + 1), "CTR-\(10_001 + i)", revised(description, .CUSTOMER_CONTRACT, i), String(customer + 1),
            Self.customerID(customer), formatMoney(Int64(1 + hash.pick(200, 162, UInt64(i))) * 500_00),
            IntacctTime.date(start), IntacctTime.date(start + 365 * 86_400),
            ["Active", "Renewal", "Expired"][hash.pick(3, 163, UInt64(i))], "api_user",
            created(.CUSTOMER_CONTRACT, i), wm(.CUSTOMER_CONTRACT, 0, i),
        ]
    }
}
