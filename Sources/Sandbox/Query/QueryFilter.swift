import Catalog
import Foundation

/// A filter as the `query` function's `<filter>` element (or a readByQuery string) describes it.
indirect enum QueryFilter: Sendable, CustomStringConvertible {
    enum Comparison: String, Sendable { case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=" }

    case and([QueryFilter])
    case or([QueryFilter])
    case not(QueryFilter)
    case compare(field: String, Comparison, value: String)
    case like(field: String, pattern: String, negated: Bool)
    case inList(field: String, values: [String], negated: Bool)
    case between(field: String, low: String, high: String)
    case isNull(field: String, negated: Bool)

    /// A stable text form: the cache key of a materialised result.
    var description: String {
        switch self {
        case .and(let children): return "(" + children.map(\.description).joined(separator: " AND ") + ")"
        case .or(let children): return "(" + children.map(\.description).joined(separator: " OR ") + ")"
        case .not(let child): return "NOT " + child.description
        case .compare(let field, let op, let value): return "\(field) \(op.rawValue) '\(value)'"
        case .like(let field, let pattern, let negated): return "\(field) \(negated ? "NOT LIKE" : "LIKE") '\(pattern)'"
        case .inList(let field, let values, let negated): return "\(field) \(negated ? "NOT IN" : "IN") ('\(values.joined(separator: "','"))')"
        case .between(let field, let low, let high): return "\(field) BETWEEN '\(low)' AND '\(high)'"
        case .isNull(let field, let negated): return "\(field) IS \(negated ? "NOT " : "")NULL"
        }
    }

    var fieldNames: [String] {
        switch self {
        case .and(let c), .or(let c): return c.flatMap(\.fieldNames)
        case .not(let c): return c.fieldNames
        case .compare(let f, _, _), .like(let f, _, _), .inList(let f, _, _), .between(let f, _, _), .isNull(let f, _): return [f]
        }
    }
}

/// A query's problem, reported as a failed `<result>` (not a crash, not a control error).
struct QueryError: Error, Sendable {
    var errorno: String = "DL02000001"
    var description: String = "Query Failed"
    var description2: String
    var correction: String = ""
}

/// A typed value a row is compared with: numbers and times compare as numbers, the rest as text.
enum FilterValue: Sendable {
    case number(Double)
    case text(String)
    /// A text record key (GLDETAIL's `<BATCHKEY>-<GLENTRYKEY>-<LINE_NO>--accrual`): compared with digit
    /// runs as numbers, which is the order the sandbox lists ties in, so keyset paging
    /// (`RECORDNO > 'last seen'`) agrees with `ORDER BY RECORDNO`.
    case key(String)

    static func parse(_ raw: String, as type: FieldType, caseInsensitive: Bool) -> FilterValue? {
        switch type {
        case .integer, .decimal, .percent:
            return Double(raw.trimmingCharacters(in: .whitespaces)).map { .number($0) }
        case .date, .timestamp:
            return IntacctTime.parse(raw).map { .number(Double($0)) }
        default:
            return .text(caseInsensitive ? raw.lowercased() : raw)
        }
    }

    static func compare(_ a: FilterValue, _ b: FilterValue) -> Int {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.text(let x), .text(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.key(let x), .key(let y)): return RecordNumberOrder.compare(x, y)
        case (.number, _): return -1
        case (_, .number): return 1
        case (.text(let x), .key(let y)), (.key(let x), .text(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        }
    }

    /// The value of a field for comparisons: the object's key field compares naturally when it is text.
    static func parse(_ raw: String, field: Int, schema: ObjectSchema, caseInsensitive: Bool) -> FilterValue? {
        if field == schema.keyField && schema.fields[field].type == .text { return .key(raw) }
        return parse(raw, as: schema.fields[field].type, caseInsensitive: caseInsensitive)
    }

}

/// A filter bound to one object's schema, with operand values parsed once.
indirect enum CompiledFilter: Sendable {
    case and([CompiledFilter])
    case or([CompiledFilter])
    case not(CompiledFilter)
    case compare(field: Int, QueryFilter.Comparison, FilterValue)
    case like(field: Int, pattern: [Character], negated: Bool)
    case inList(field: Int, values: [FilterValue], negated: Bool)
    case between(field: Int, FilterValue, FilterValue)
    case isNull(field: Int, negated: Bool)
    case constant(Bool)

    static func compile(_ filter: QueryFilter, schema: ObjectSchema, caseInsensitive: Bool) throws -> CompiledFilter {
        func field(_ name: String) throws -> (Int, FieldType) {
            guard let index = schema.field(named: name) else {
                throw QueryError(description2: "Invalid field \(name) for object \(schema.object.rawValue) in filter")
            }
            return (index, schema.fields[index].type)
        }
        func value(_ raw: String, _ type: FieldType, _ name: String) throws -> FilterValue {
            if let index = schema.field(named: name), index == schema.keyField, type == .text { return .key(raw) }
            guard let v = FilterValue.parse(raw, as: type, caseInsensitive: caseInsensitive) else {
                throw QueryError(description2: "Invalid value '\(raw)' for field \(name) of type \(type.rawValue)")
            }
            return v
        }
        switch filter {
        case .and(let children):
            return .and(try children.map { try compile($0, schema: schema, caseInsensitive: caseInsensitive) })
        case .or(let children):
            return .or(try children.map { try compile($0, schema: schema, caseInsensitive: caseInsensitive) })
        case .not(let child):
            return .not(try compile(child, schema: schema, caseInsensitive: caseInsensitive))
        case .compare(let name, let op, let raw):
            let (index, type) = try field(name)
            return .compare(field: index, op, try value(raw, type, name))
        case .like(let name, let pattern, let negated):
            let (index, _) = try field(name)
            return .like(field: index, pattern: Array(caseInsensitive ? pattern.lowercased() : pattern), negated: negated)
        case .inList(let name, let values, let negated):
            let (index, type) = try field(name)
            return .inList(field: index, values: try values.map { try value($0, type, name) }, negated: negated)
        case .between(let name, let low, let high):
            let (index, type) = try field(name)
            return .between(field: index, try value(low, type, name), try value(high, type, name))
        case .isNull(let name, let negated):
            let (index, _) = try field(name)
            return .isNull(field: index, negated: negated)
        }
    }

    func matches(_ row: [String], schema: ObjectSchema, caseInsensitive: Bool) -> Bool {
        func typed(_ field: Int) -> FilterValue? {
            let raw = row[field]
            if raw.isEmpty { return nil }
            return FilterValue.parse(raw, field: field, schema: schema, caseInsensitive: caseInsensitive)
        }
        switch self {
        case .constant(let value): return value
        case .and(let children): return children.allSatisfy { $0.matches(row, schema: schema, caseInsensitive: caseInsensitive) }
        case .or(let children): return children.contains { $0.matches(row, schema: schema, caseInsensitive: caseInsensitive) }
        case .not(let child): return !child.matches(row, schema: schema, caseInsensitive: caseInsensitive)
        case .compare(let field, let op, let operand):
            // SQL semantics: a null field matches no comparison except "not equal".
            guard let v = typed(field) else { return op == .notEqual }
            let c = FilterValue.compare(v, operand)
            switch op {
            case .equal: return c == 0
            case .notEqual: return c != 0
            case .less: return c < 0
            case .lessOrEqual: return c <= 0
            case .greater: return c > 0
            case .greaterOrEqual: return c >= 0
            }
        case .like(let field, let pattern, let negated):
            let text = caseInsensitive ? row[field].lowercased() : row[field]
            return Self.like(Array(text), pattern) != negated
        case .inList(let field, let values, let negated):
            guard let v = typed(field) else { return negated }
            return values.contains { FilterValue.compare(v, $0) == 0 } != negated
        case .between(let field, let low, let high):
            guard let v = typed(field) else { return false }
            return FilterValue.compare(v, low) >= 0 && FilterValue.compare(v, high) <= 0
        case .isNull(let field, let negated):
            return row[field].isEmpty != negated
        }
    }

    /// SQL LIKE: `%` any run, `_` one character.
    static func like(_ text: [Character], _ pattern: [Character]) -> Bool {
        var t = 0, p = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count && (pattern[p] == "_" || pattern[p] == text[t]) { t += 1; p += 1 }
            else if p < pattern.count && pattern[p] == "%" { star = p; mark = t; p += 1 }
            else if star >= 0 { p = star + 1; mark += 1; t = mark }
            else { return false }
        }
        while p < pattern.count && pattern[p] == "%" { p += 1 }
        return p == pattern.count
    }
}
