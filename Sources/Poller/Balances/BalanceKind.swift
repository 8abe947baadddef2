import Catalog

/// The two balance reports Intacct's legacy API answers, each landing in a table of its own.
public enum BalanceKind: String, Sendable, CaseIterable, Codable {
    case trialBalance = "trial_balance"
    case accountBalances = "account_balances"

    /// The function element Intacct expects.
    public var functionName: String {
        switch self {
        case .trialBalance: "get_trialbalance"
        case .accountBalances: "get_accountbalances"
        }
    }

    /// The object (and so the topic and table) its lines are published as.
    public var object: IntacctObject {
        switch self {
        case .trialBalance: BalanceObjects.trialBalance
        case .accountBalances: BalanceObjects.accountBalance
        }
    }
}
