import Foundation
import Timestamps

/// `balances:` in the poller's configuration: which of Intacct's balance reports to move, for which
/// periods and entities. Absent, no balances are read.
///
/// ```yaml
/// balances:
///   kinds: [trial_balance, account_balances]   # default: both
///   recent_months: 3                            # this month and the two before (UTC calendar)
///   periods: ["2024-12", "2024-01-01..2024-12-31"]
///   entities: [E100, E200]                      # default: poller.entities
///   schedule: "0 * * * *"                       # the service's cron; default: hourly
/// ```
public struct BalanceSettings: Decodable, Sendable, Equatable {
    public var kinds: [BalanceKind]
    /// Months counted back from the current one (which is included), read on every run.
    public var recentMonths: Int
    /// Fixed periods read on every run, besides the recent months.
    public var periods: [BalancePeriod]
    /// Nil: the poller's entities.
    public var entities: [String]?
    /// When the service reads them (`poll --once` reads them after its streams).
    public var schedule: CronExpression

    enum CodingKeys: String, CodingKey {
        case kinds, recentMonths = "recent_months", periods, entities, schedule
    }

    public init(kinds: [BalanceKind] = BalanceKind.allCases, recentMonths: Int = 0, periods: [BalancePeriod] = [], entities: [String]? = nil,
                schedule: CronExpression = BalanceSettings.hourly) {
        self.kinds = kinds
        self.recentMonths = recentMonths
        self.periods = periods
        self.entities = entities
        self.schedule = schedule
    }

    // A balance report is one request per entity, kind and period: hourly keeps them fresh through the close
    // at a cost the streams do not notice.
    public static let hourly = try! CronExpression("0 * * * *")

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let names = try c.decodeIfPresent([String].self, forKey: .kinds) {
            kinds = try names.map { name in
                guard let kind = BalanceKind(rawValue: name) else {
                    throw DecodingError.dataCorruptedError(forKey: .kinds, in: c, debugDescription:
                        "unknown balance kind '\(name)'; known: \(BalanceKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }
        } else {
            kinds = BalanceKind.allCases
        }
        recentMonths = try c.decodeIfPresent(Int.self, forKey: .recentMonths) ?? 0
        periods = try (c.decodeIfPresent([String].self, forKey: .periods) ?? []).map { text in
            guard let period = BalancePeriod(text) else {
                throw DecodingError.dataCorruptedError(forKey: .periods, in: c, debugDescription:
                    "'\(text)' is not a month (2024-01) or a date range (2024-01-01..2024-03-31)")
            }
            return period
        }
        entities = try c.decodeIfPresent([String].self, forKey: .entities)
        if let text = try c.decodeIfPresent(String.self, forKey: .schedule) {
            do { schedule = try CronExpression(text) } catch {
                throw DecodingError.dataCorruptedError(forKey: .schedule, in: c, debugDescription: "\(error)")
            }
        } else {
            schedule = Self.hourly
        }
        guard (0...120).contains(recentMonths) else {
            throw DecodingError.dataCorruptedError(forKey: .recentMonths, in: c, debugDescription: "must be 0 to 120")
        }
        guard !kinds.isEmpty, recentMonths > 0 || !periods.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .periods, in: c, debugDescription: "name at least one kind and one period (periods or recent_months)")
        }
    }

    /// The periods of a run on `date`: the fixed ones, then the recent months, each once.
    public func periods(on date: Date) -> [BalancePeriod] {
        let today = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        var seen = Set<BalancePeriod>()
        return (periods + BalancePeriod.months(endingWith: today, count: recentMonths)).filter { seen.insert($0).inserted }
    }
}
