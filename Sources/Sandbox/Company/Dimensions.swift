/// The small, fixed dimension tables of the sandbox company. They do not grow with `--scale`, so they are
/// plain literals; only WHENMODIFIED (and revisions after a mutate) are computed.
enum Dimensions {
    struct Entity { let id: String; let name: String; let currency: String }
    static let entities: [Entity] = [
        Entity(id: "E100", name: "Demo US Inc.", currency: "USD"),
        Entity(id: "E200", name: "Demo UK Ltd", currency: "GBP"),
        Entity(id: "E300", name: "Demo EU GmbH", currency: "EUR"),
    ]

    struct Account {
        let number: String, title: String, type: String, normal: String, category: String, categoryKey: Int
    }
    static let accounts: [Account] = {
        let raw: [(String, String, String, Int)] = [
            ("1000", "Cash - Operating", "Cash and Cash Equivalents", 1),
            ("1010", "Cash - Payroll", "Cash and Cash Equivalents", 1),
            ("1200", "Accounts Receivable", "Receivables", 2),
            ("1300", "Prepaid Expenses", "Other Current Assets", 3),
            ("1500", "Computer Equipment", "Property and Equipment", 4),
            ("1510", "Accumulated Depreciation", "Property and Equipment", 4),
            ("2000", "Accounts Payable", "Accounts Payable", 5),
            ("2100", "Accrued Liabilities", "Accrued Liabilities", 6),
            ("2200", "Sales Tax Payable", "Accrued Liabilities", 6),
            ("3000", "Common Stock", "Equity", 7),
            ("3100", "Retained Earnings", "Equity", 7),
            ("4000", "Product Revenue", "Revenue", 8),
            ("4100", "Service Revenue", "Revenue", 8),
            ("4900", "Other Income", "Other Income", 14),
            ("5000", "Cost of Goods Sold", "Cost of Sales", 9),
            ("5100", "Hosting Costs", "Cost of Sales", 9),
            ("6000", "Salaries and Wages", "Payroll Expense", 10),
            ("6010", "Payroll Taxes", "Payroll Expense", 10),
            ("6020", "Employee Benefits", "Payroll Expense", 10),
            ("6100", "Rent", "Occupancy", 11),
            ("6110", "Utilities", "Occupancy", 11),
            ("6200", "Software Subscriptions", "Operating Expenses", 12),
            ("6210", "Office Supplies", "Operating Expenses", 12),
            ("6300", "Travel", "Operating Expenses", 12),
            ("6310", "Meals & Entertainment", "Operating Expenses", 12),
            ("6400", "Professional Fees", "Operating Expenses", 12),
            ("6500", "Marketing Programs", "Operating Expenses", 12),
            ("6600", "Depreciation Expense", "Operating Expenses", 12),
            ("6700", "Bank Fees", "Other Expense", 13),
            ("7000", "Interest Expense", "Other Expense", 13),
        ]
        return raw.map { number, title, category, key in
            let first = number.first!
            let balanceSheet = first < "4"
            let creditNormal = first == "2" || first == "3" || first == "4" || number == "1510"
            return Account(number: number, title: title, type: balanceSheet ? "balancesheet" : "incomestatement",
                           normal: creditNormal ? "credit" : "debit", category: category, categoryKey: key)
        }
    }()
    /// Accounts debited by journal lines (expenses and assets) and credited (cash, payables, accruals).
    static let debitAccounts = [3, 4, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]
    static let creditAccounts = [0, 6, 7]
    static let payablesAccount = 6

    /// (id, title, parent index) with parents listed before children; four levels deep.
    static let departments: [(id: String, title: String, parent: Int?)] = [
        ("D000", "Company", nil),
        ("D100", "Operations", 0), ("D200", "Engineering", 0), ("D300", "Sales & Marketing", 0), ("D400", "G&A", 0),
        ("D110", "Customer Support", 1), ("D120", "Facilities", 1),
        ("D210", "Platform", 2), ("D220", "Product Engineering", 2), ("D230", "Quality Assurance", 2),
        ("D310", "Sales", 3), ("D320", "Marketing", 3),
        ("D410", "Finance", 4), ("D420", "People", 4), ("D430", "Legal", 4),
        ("D111", "Support Tier 1", 5), ("D211", "Infrastructure", 7), ("D212", "Data", 7),
        ("D311", "Enterprise Sales", 10), ("D411", "Accounting", 12),
    ]

    /// (id, name, parent index, entity index 1...3).
    static let locations: [(id: String, name: String, parent: Int?, entity: Int)] = [
        ("L100", "US Headquarters", nil, 1), ("L110", "New York Office", 0, 1), ("L120", "Austin Office", 0, 1),
        ("L200", "London Headquarters", nil, 2), ("L210", "Manchester Office", 3, 2),
        ("L300", "Berlin Headquarters", nil, 3), ("L310", "Paris Office", 5, 3), ("L320", "Amsterdam Office", 5, 3),
    ]
    /// Location indices per entity index (0 = top, none), computed once: journal lines look them up per row.
    static let locationsByEntity: [[Int]] = (0...3).map { entity in locations.indices.filter { locations[$0].entity == entity } }
    static func locations(ofEntity entity: Int) -> [Int] { locationsByEntity[entity] }

    static let classes: [(id: String, name: String, description: String, parent: Int?)] = [
        ("C100", "Direct", "Direct sales channel", nil),
        ("C200", "Indirect", "Partner and marketplace channel", nil),
        ("C110", "Direct - Enterprise", "Enterprise accounts", 0),
        ("C120", "Direct - SMB", "Small and mid-size accounts", 0),
        ("C210", "Indirect - Partners", "Reseller partners", 1),
        ("C220", "Indirect - Marketplace", "Cloud marketplaces", 1),
    ]

    static let projectCount = 24
    static let vendorCount = 150
    /// GL lines and bills only use vendors below this index, so the tail can be deleted without
    /// breaking the foreign-key invariant.
    static let referencedVendors = 120

    static let vendorFirst = ["Acme", "Northwind", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli",
                              "Vandelay", "O'Brien", "Pied Piper", "Soylent", "Wonka", "Tyrell", "Cyberdyne",
                              "Gringotts", "Oceanic", "Monarch", "Aperture", "Massive Dynamic"]
    static let vendorSecond = ["Supplies", "Consulting", "Logistics", "Software", "& Sons", "Facilities",
                               "Cloud Services", "Legal", "Travel", "Catering"]
    static let vendorSuffix = ["Inc.", "LLC", "Ltd", "GmbH", "Corp."]
    static let vendorTypes = ["Supplier", "Contractor", "Utility", "Software", "Professional Services"]
    static let projectWords = ["Apollo", "Borealis", "Cascade", "Delta", "Ember", "Falcon", "Granite", "Horizon"]
    static let projectKinds = ["Migration", "Rollout", "Audit", "Expansion", "Upgrade", "Integration"]
    static let projectStatuses = ["In Progress", "Completed", "Not Started", "On Hold"]
    static let journals = ["GJ", "APJ", "PYRJ", "ADJ"]
    static let moduleKeys = ["2.GL", "3.AP", "2.GL", "2.GL"]
    static let lineDescriptions = ["Monthly accrual", "Vendor invoice", "Payroll allocation", "Reclass",
                                   "Prepaid amortization", "Depreciation", "Hosting charges", "Travel reimbursement"]
    static let paymentMethods = ["Check", "EFT", "ACH", "Credit Card"]
}

// MARK: Tables of the objects beyond the seed (customers, items, people, cash, budgets)

extension Dimensions {
    static let customerCount = 80
    /// Invoices, payments and contracts only name customers below this index, so the tail can be deleted.
    static let referencedCustomers = 60
    static let contractsPerCustomer = 2
    static let customerFirst = ["Bluebird", "Cedar", "Evergreen", "Foxglove", "Harbor", "Juniper", "Keystone",
                                "Lakeside", "Meridian", "Northstar", "Orchard", "Pinnacle", "Redwood", "Summit"]
    static let customerSecond = ["Retail", "Health", "Media", "Foods", "Energy", "Analytics", "Hotels", "Schools"]
    static let customerTypes = ["Enterprise", "Mid-Market", "SMB", "Public Sector"]
    static let terms = ["Net 30", "Net 45", "Net 60", "Due on receipt"]
    static let receivablesAccount = 2

    /// (id, name, type, product line, price in cents, cost in cents).
    static let items: [(id: String, name: String, type: String, productLine: String, price: Int64, cost: Int64)] = {
        let lines = ["Licenses", "Services", "Hardware", "Support"]
        let kinds = ["Non-Inventory", "Non-Inventory (Sales only)", "Inventory", "Kit"]
        let names = ["Platform seat", "Analytics add-on", "Onboarding day", "Training session", "Edge appliance",
                     "Sensor kit", "Premium support", "Extended warranty", "API bundle", "Storage tier"]
        return (0..<40).map { i in
            let price = Int64(50 + (i * 37) % 950) * 100
            return ("I\(1001 + i)", names[i % names.count] + (i < names.count ? "" : " \(i / names.count + 1)"),
                    kinds[i % kinds.count], lines[i % lines.count], price, price * Int64(35 + i % 30) / 100)
        }
    }()
    /// Invoice lines only sell items below this index.
    static let referencedItems = 30

    static let employeeCount = 60
    /// Supervisors are among the first employees, who therefore cannot be deleted.
    static let supervisors = 10
    static let givenNames = ["Ada", "Bruno", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana", "Ivan", "Julia",
                             "Kofi", "Lena", "Mateo", "Nadia", "Omar", "Priya"]
    static let familyNames = ["Okafor", "Schmidt", "Tanaka", "Silva", "Novak", "Haddad", "Larsen", "Moreau", "Kowalski", "Reyes"]
    static let jobTitles = ["Accountant", "Engineer", "Account Executive", "Support Specialist", "Analyst", "Manager"]
    static let employeeTypes = ["Full Time", "Part Time", "Contractor"]

    static let tasksPerProject = 3
    static let taskNames = ["Discovery", "Build", "Handover"]
    static let taskStatuses = ["Not Started", "In Progress", "Completed", "On Hold"]

    /// Bank accounts per entity: the first are checking accounts, the rest savings.
    static let bankAccountsPerEntity = 5
    static let checkingAccountsPerEntity = 3
    static let creditCardsPerEntity = 2
    static let banks = ["First Harbor Bank", "Meridian Trust", "Northern Savings", "Union Commercial"]

    /// Income-statement accounts budgeted per cost center (the departments right under the root) and month.
    static let budgetAccounts = [11, 12, 16, 17, 19, 21, 23, 26]
    static let costCenterCount = 4
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                             "September", "October", "November", "December"]

    /// Foreign transaction currency per entity and its rate to the base currency, in base cents per unit.
    static let foreignCurrency: [(currency: String, rate: Int64)] = [("", 100), ("EUR", 108), ("USD", 79), ("USD", 92)]
}
