import Timestamps

/// Cash management: each entity's checking and savings accounts and credit cards, deposits into its
/// checking accounts, and the bank-feed links (PROVIDERBANKACCOUNT) of every bank account.
extension RecordGenerator {
    /// Bank accounts are numbered per entity: the first `checkingAccountsPerEntity` are checking accounts.
    static func bankAccountID(entity: Int, account: Int) -> String {
        let checking = account < Dimensions.checkingAccountsPerEntity
        let number = checking ? account + 1 : account - Dimensions.checkingAccountsPerEntity + 1
        return (checking ? "CHK-" : "SAV-") + CompanyLayout.entityIDs[entity] + "-\(number)"
    }

    func bankAccount(_ object: SandboxObject, entity: Int, index i: Int) -> [String] {
        let account = object == .CHECKINGACCOUNT ? i : Dimensions.checkingAccountsPerEntity + i
        let bank = Dimensions.banks[hash.pick(Dimensions.banks.count, 131, UInt64(entity), UInt64(account))]
        let v = snapshot.version(object, entity: entity, index: i)
        let headquarters = Dimensions.locations(ofEntity: entity)[0]
        return [
            recordNumber(object, entity, i), Self.bankAccountID(entity: entity, account: account),
            String(100_000_000 + hash.pick(900_000_000, 132, UInt64(entity), UInt64(account))),
            Dimensions.accounts[account == 1 ? 1 : 0].number, v == 0 ? bank : "\(bank) (rev \(v))",
            String(10_000_000 + hash.pick(90_000_000, 133, UInt64(entity), UInt64(account))) + "0",
            Dimensions.entities[entity - 1].currency, "active", Dimensions.locations[headquarters].id,
            CompanyLayout.entityIDs[entity], snapshot.timestamp(entityObjectCreated(object, entity, i, salt: 134)),
            wm(object, entity, i),
        ]
    }

    func creditCard(entity: Int, index i: Int) -> [String] {
        let v = snapshot.version(.CREDITCARD, entity: entity, index: i)
        let description = i % 2 == 0 ? "Corporate travel card" : "Software purchasing card"
        return [
            recordNumber(.CREDITCARD, entity, i), "CC-\(CompanyLayout.entityIDs[entity])-\(i + 1)", i % 2 == 0 ? "Visa" : "MasterCard",
            "XXXX-XXXX-XXXX-" + String(1000 + hash.pick(9000, 135, UInt64(entity), UInt64(i))),
            v == 0 ? description : description + " (rev \(v))", String(1 + hash.pick(12, 136, UInt64(entity), UInt64(i))),
            String(2027 + hash.pick(4, 137, UInt64(entity), UInt64(i))), "Credit",
            RecordGenerator.vendorID(hash.pick(Dimensions.referencedVendors, 138, UInt64(entity), UInt64(i))),
            Dimensions.entities[entity - 1].currency, "active", CompanyLayout.entityIDs[entity],
            snapshot.timestamp(entityObjectCreated(.CREDITCARD, entity, i, salt: 139)), wm(.CREDITCARD, entity, i),
        ]
    }

    func deposit(entity: Int, index d: Int) -> [String] {
        let v = snapshot.version(.DEPOSIT, entity: entity, index: d)
        let amount = formatMoney(snapshot.depositAmount(entity: entity, deposit: d))
        let description = "Customer receipts batch \(d + 1)"
        return [
            recordNumber(.DEPOSIT, entity, d), "DEP-\(CompanyLayout.entityIDs[entity])-\(d + 1)",
            Self.bankAccountID(entity: entity, account: hash.pick(Dimensions.checkingAccountsPerEntity, 140, UInt64(entity), UInt64(d))),
            IntacctTime.date(layout.baseWhenModified(.DEPOSIT, entity: entity, index: d)),
            v == 0 ? description : description + " (rev \(v))", amount, amount,
            Dimensions.entities[entity - 1].currency, Dimensions.entities[entity - 1].currency, "Deposited",
            CompanyLayout.entityIDs[entity], wm(.DEPOSIT, entity, d),
        ]
    }

    /// One bank-feed link per bank account of every entity; it carries no WHENMODIFIED.
    func providerBankAccount(_ i: Int) -> [String] {
        let entity = i / Dimensions.bankAccountsPerEntity + 1
        let account = i % Dimensions.bankAccountsPerEntity
        let v = snapshot.version(.PROVIDERBANKACCOUNT, entity: 0, index: i)
        let headquarters = Dimensions.locations(ofEntity: entity)[0]
        return [
            String(i + 1), "BANKFEED", v == 0 ? "Sage Bank Feeds" : "Sage Bank Feeds (rev \(v))",
            Self.bankAccountID(entity: entity, account: account),
            account < Dimensions.checkingAccountsPerEntity ? "checkingaccount" : "savingsaccount",
            i % 7 == 6 ? "inactive" : "active", Dimensions.locations[headquarters].id,
            Dimensions.entities[entity - 1].currency, created(.PROVIDERBANKACCOUNT, i),
        ]
    }
}
