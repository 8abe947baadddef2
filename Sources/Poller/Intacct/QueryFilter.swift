import Foundation
import Timestamps

/// A filter for the `query` function, mirroring Intacct's operator elements. The same tree renders as
/// the structured `<filter>` XML for `query` and as the string query language for `readByQuery`.
///
/// `and`/`or` take two filters plus any number more, because Intacct rejects a logical operator with
/// fewer than two children; `allOf`/`anyOf` build them from a list.
public indirect enum QueryFilter: Sendable, Equatable {
    case equalTo(String, String)
    case notEqualTo(String, String)
    case lessThan(String, String)
    case lessThanOrEqualTo(String, String)
    case greaterThan(String, String)
    case greaterThanOrEqualTo(String, String)
    case like(String, String)
    case notLike(String, String)
    case between(String, String, String)
    /// At least one value; an empty list is rejected when the request is written.
    case `in`(String, [String])
    case notIn(String, [String])
    case isNull(String)
    case isNotNull(String)
    case and(QueryFilter, QueryFilter, [QueryFilter] = [])
    case or(QueryFilter, QueryFilter, [QueryFilter] = [])

    /// The conjunction of `filters`: nil for none, the filter itself for one, `and` for more.
    public static func allOf(_ filters: [QueryFilter]) -> QueryFilter? {
        switch filters.count {
        case 0: nil
        case 1: filters[0]
        default: .and(filters[0], filters[1], Array(filters.dropFirst(2)))
        }
    }

    /// The disjunction of `filters`: nil for none, the filter itself for one, `or` for more.
    public static func anyOf(_ filters: [QueryFilter]) -> QueryFilter? {
        switch filters.count {
        case 0: nil
        case 1: filters[0]
        default: .or(filters[0], filters[1], Array(filters.dropFirst(2)))
        }
    }

    /// `field >= instant` for a TIMESTAMP field, the instant written in Intacct's local form for `zone`:
    /// Intacct compares TIMESTAMP filters against the API user's local time, not UTC.
    public static func atOrAfter(_ field: String, _ instant: Date, in zone: IntacctTimeZone) -> QueryFilter {
        .greaterThanOrEqualTo(field, zone.localText(instant))
    }

    /// Writes `<filter>…</filter>`.
    public func writeFilter(into writer: inout XMLWriter) throws {
        try writer.element("filter") { try write(into: &$0) }
    }

    /// Writes this operator element (without the `<filter>` wrapper).
    public func write(into writer: inout XMLWriter) throws {
        switch self {
        case let .equalTo(field, value): compare("equalto", field, value, &writer)
        case let .notEqualTo(field, value): compare("notequalto", field, value, &writer)
        case let .lessThan(field, value): compare("lessthan", field, value, &writer)
        case let .lessThanOrEqualTo(field, value): compare("lessthanorequalto", field, value, &writer)
        case let .greaterThan(field, value): compare("greaterthan", field, value, &writer)
        case let .greaterThanOrEqualTo(field, value): compare("greaterthanorequalto", field, value, &writer)
        case let .like(field, value): compare("like", field, value, &writer)
        case let .notLike(field, value): compare("notlike", field, value, &writer)
        case let .between(field, low, high):
            writer.element("between") {
                $0.element("field", field)
                $0.element("value", low)
                $0.element("value", high)
            }
        case let .in(field, values), let .notIn(field, values):
            guard !values.isEmpty else { throw IntacctError.invalidRequest("'\(operatorName)' filter on \(field) has no values") }
            writer.element(operatorName) {
                $0.element("field", field)
                for value in values { $0.element("value", value) }
            }
        case let .isNull(field): writer.element("isnull") { $0.element("field", field) }
        case let .isNotNull(field): writer.element("isnotnull") { $0.element("field", field) }
        case let .and(first, second, more), let .or(first, second, more):
            try writer.element(operatorName) { writer in
                for child in [first, second] + more { try child.write(into: &writer) }
            }
        }
    }

    /// The readByQuery query language: `FIELD >= '01/01/2024 00:00:00' AND STATUS = 'active'`.
    /// Values are single-quoted with `'` written as `\'`; XML escaping happens when the request is written.
    public func queryString() throws -> String {
        switch self {
        case let .equalTo(field, value): return "\(field) = \(Self.quoted(value))"
        case let .notEqualTo(field, value): return "NOT \(field) = \(Self.quoted(value))"
        case let .lessThan(field, value): return "\(field) < \(Self.quoted(value))"
        case let .lessThanOrEqualTo(field, value): return "\(field) <= \(Self.quoted(value))"
        case let .greaterThan(field, value): return "\(field) > \(Self.quoted(value))"
        case let .greaterThanOrEqualTo(field, value): return "\(field) >= \(Self.quoted(value))"
        case let .like(field, value): return "\(field) LIKE \(Self.quoted(value))"
        case let .notLike(field, value): return "\(field) NOT LIKE \(Self.quoted(value))"
        case let .between(field, low, high): return "\(field) >= \(Self.quoted(low)) AND \(field) <= \(Self.quoted(high))"
        case let .in(field, values), let .notIn(field, values):
            if values.isEmpty { throw IntacctError.invalidRequest("'\(operatorName)' filter on \(field) has no values") }
            return "\(field) \(isNegated ? "NOT IN" : "IN") (\(values.map(Self.quoted).joined(separator: ", ")))"
        case let .isNull(field): return "\(field) IS NULL"
        case let .isNotNull(field): return "\(field) IS NOT NULL"
        case let .and(first, second, more), let .or(first, second, more):
            return try ([first, second] + more)
                .map { child in child.isCompound ? "(\(try child.queryString()))" : try child.queryString() }
                .joined(separator: isAnd ? " AND " : " OR ")
        }
    }

    private var operatorName: String {
        switch self {
        case .in: "in"
        case .notIn: "notin"
        case .and: "and"
        case .or: "or"
        default: ""
        }
    }

    private var isNegated: Bool { if case .notIn = self { true } else { false } }
    private var isAnd: Bool { if case .and = self { true } else { false } }

    // `between` renders as two comparisons joined by AND, so it needs parentheses inside an OR too.
    private var isCompound: Bool {
        switch self {
        case .and, .or, .between: true
        default: false
        }
    }

    private func compare(_ name: String, _ field: String, _ value: String, _ writer: inout XMLWriter) {
        writer.element(name) {
            $0.element("field", field)
            $0.element("value", value)
        }
    }

    static func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
