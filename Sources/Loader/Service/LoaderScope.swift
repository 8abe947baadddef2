import Foundation
import RecordContract

/// Which topics one consumer group loads, and under which group id.
///
/// - a subsidiary: group `bigquery-loader.<company>.<entity>`, topics `^intacct\.<company>\.<entity>\.[a-z_]+$`;
/// - `top` (chart of accounts, dimensions, vendors): group `bigquery-loader.<company>.top`, shared by
///   every worker started with `--entity top` or with `include_top: true`, so each top partition has
///   exactly one owner in the whole fleet;
/// - the audit topic: group `bigquery-loader.<company>._audit`, shared the same way by workers with `audit: true`.
///
/// Another subsidiary's topics never match, so its loaders never touch them.
public struct LoaderScope: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case entity(String)
        case audit
    }

    /// Company as topics spell it (lowercase).
    public let company: String
    public let kind: Kind
    /// The subsidiary as the operator and the poller spell it (`E100`, `top`), for audit records; `_audit`
    /// for the audit topic's scope.
    public let entity: String

    public init(company: String, entity: String) {
        self.company = company.lowercased()
        kind = .entity(entity.lowercased())
        self.entity = entity
    }

    /// The company-wide audit topic's scope.
    public static func audit(company: String) -> LoaderScope { LoaderScope(company: company, kind: .audit) }

    private init(company: String, kind: Kind) {
        self.company = company.lowercased()
        self.kind = kind
        entity = "_audit"
    }

    public var groupID: String {
        switch kind {
        case let .entity(entity): "bigquery-loader.\(company).\(entity)"
        case .audit: "bigquery-loader.\(company)._audit"
        }
    }

    /// A librdkafka regex subscription (leading `^`): matches topics created later too.
    public var subscription: String {
        switch kind {
        case let .entity(entity): Topics(company: company).recordsSubscription(entity: entity)
        case .audit: Topics(company: company).auditSubscription
        }
    }

    public func matches(topic: String) -> Bool {
        topic.range(of: subscription, options: .regularExpression) != nil
    }

    public var description: String { groupID }

    /// Ids that can be part of a topic name and a group id.
    public static func isValidIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.utf8.allSatisfy {
            (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 95 || $0 == 45
        }
    }
}
