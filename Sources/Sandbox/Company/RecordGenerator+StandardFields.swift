/// The rest of Intacct's standard fields on GLACCOUNT, DEPARTMENT and GLDETAIL, appended after the
/// contract's own fields (whose values they never change). Most follow from the row itself: names of the
/// dimensions a line names, transaction amounts equal to base amounts (journals post in base currency),
/// audit columns; the fields a company without those modules leaves empty stay empty.
extension RecordGenerator {
    private static let departmentTitles = Dictionary(uniqueKeysWithValues: Dimensions.departments.map { ($0.id, $0.title) })
    private static let locationNames = Dictionary(uniqueKeysWithValues: Dimensions.locations.map { ($0.id, $0.name) })
    private static let classes = Dictionary(uniqueKeysWithValues: Dimensions.classes.enumerated().map { ($1.id, (key: $0 + 1, name: $1.name)) })

    private static func recordURL(_ object: String, _ key: String) -> String {
        "https://sandbox.intacct.local/ia/acct/ur.phtml?.r=\(object.lowercased())&.key=\(key)"
    }

    func glAccountStandardFields(_ i: Int, _ row: [String]) -> [String] {
        let income = Dimensions.accounts[i].type == "incomestatement"
        let retained = Dimensions.accounts.firstIndex { $0.number == "3100" }!
        let flag = { (on: Bool) in on ? "true" : "false" }
        return row + [
            income ? Dimensions.accounts[retained].number : "", income ? Dimensions.accounts[retained].title : "", "false", "", "",
            income ? String(retained + 1) : "", "None", "1", "1", flag(i == Dimensions.receivablesAccount || i == Dimensions.payablesAccount),
            "false", "", "false", "", "", "", "", "api_user", "api_user", "", "", "",
            flag(i % 5 == 0), flag(i == Dimensions.receivablesAccount), flag(i == Dimensions.payablesAccount), "false", "false",
            flag(i % 4 == 0), "false", "false", "false", "false", "false", "false", "false", "false",
            Self.recordURL("GLACCOUNT", row[0]),
        ]
    }

    func departmentStandardFields(_ i: Int, _ row: [String]) -> [String] {
        let supervisor = i % Dimensions.supervisors
        return row + [
            String(supervisor + 1), Self.employeeID(supervisor), employeeName(supervisor), Dimensions.departments[i].title,
            "1", "1", "", "api_user", "api_user", Self.recordURL("DEPARTMENT", row[0]),
        ]
    }

    /// Positions are those of the contract's APBILL fields (RECORDNO … WHENMODIFIED). Bills are in the
    /// entity's own currency, so transaction amounts equal base amounts and the rate is 1.
    func apBillStandardFields(_ row: [String]) -> [String] {
        let vendor = row[3], vendorName = row[4], created = row[6], entered = row[10], paid = row[11], due = row[12]
        let currency = row[13], entity = row[16]
        let entityIndex = CompanyLayout.entityIDs.firstIndex(of: entity) ?? 0
        return row + [
            "apbill", "", "", "", Int(vendor.dropFirst()).map(String.init) ?? "", "", "", "", due, "", "Net 30", "1", "",
            "", "", "Normal", currency, "", "", "1.00", "0.00", entered, "0.00", paid, due, vendorName, vendorName, "", "",
            "", "", "3.AP", "", "false", created + " 00:00:00", "1", "1", "", "false", "", "", "0.00", "0.00", "0.00", "",
            "", "api_user", "api_user", "", "", "", "", "false", "", "", "", "", "", "", "", "", "api_user", "api_user",
            String(entityIndex), entityIndex > 0 ? Dimensions.entities[entityIndex - 1].name : "", Self.recordURL("APBILL", row[0]),
        ]
    }

    /// Positions are those of the contract's GLDETAIL fields (RECORDNO … WHENMODIFIED).
    func glDetailStandardFields(_ row: [String]) -> [String] {
        let batchDate = row[2], batchNo = row[3], title = row[4], department = row[10], location = row[11]
        let classID = row[12], project = row[13], vendor = row[14], currency = row[15]
        let debit = row[16], credit = row[17], amount = row[18], entity = row[21], modified = row[22]
        let vendorIndex = vendor.isEmpty ? nil : Int(vendor.dropFirst()).map { $0 - 1 }
        let projectIndex = project.isEmpty ? nil : Int(project.dropFirst()).map { $0 - 1001 }
        let projectName = projectIndex.map { p in
            Dimensions.projectWords[p % Dimensions.projectWords.count] + " "
                + Dimensions.projectKinds[hash.pick(Dimensions.projectKinds.count, 41, UInt64(p))]
        }
        let classInfo = Self.classes[classID]
        return row + [
            String(title.prefix { $0 != " " }), "ACCRUAL", "", modified, "JE-\(entity)-\(batchNo)", "false", "",
            debit == "0.00" ? "-1" : "1", "", "false", Self.departmentTitles[department] ?? "", Self.locationNames[location] ?? "",
            currency, "", debit, credit, amount, "", "", "", "", "", entity, "", "", "", batchDate, "", "", "", "", "", "",
            "", "", "", "", "api_user", "Posted", "Posted", modified, "1", "1",
            classInfo.map { String($0.key) } ?? "", classInfo?.name ?? "", "", "", "",
            vendorIndex.map { String($0 + 1) } ?? "", vendorIndex.map { vendorName($0) } ?? "",
            "", "", "", "", "", "", projectIndex.map { String($0 + 1) } ?? "", projectName ?? "",
            "", "", "", "", "", "", "", "", "", "", "", "", Self.recordURL("GLDETAIL", row[0]),
        ]
    }
}
