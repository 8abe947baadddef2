import Catalog
import Foundation
import Synchronization

/// Turns a `QuerySpec` into an ordered `RecordSequence` over one snapshot.
///
/// The common incremental read — `WHENMODIFIED >= t ORDER BY WHENMODIFIED, RECORDNO` in one entity — is
/// answered arithmetically (`ScopeSequence`), so any page at any offset costs about a page of work. Anything
/// else is materialised once as references and cached for the following pages.
struct QueryEngine {
    let snapshot: CompanySnapshot
    let cache: QueryCache

    func execute(_ spec: QuerySpec) throws -> any RecordSequence {
        let schema = spec.object.schema
        var (low, high, residual) = Self.splitTimeRange(spec.filter, timeField: schema.timeField.map { schema.fields[$0].name } ?? "",
                                                             parse: snapshot.parseTimestamp)
        let compiled = try residual.map { try CompiledFilter.compile($0, schema: schema, caseInsensitive: spec.caseInsensitive) }
        if low > high { (low, high) = (1, 0) }
        let natural = isNaturalOrder(spec.order, schema: schema)

        if spec.object != .AUDITHISTORY, compiled == nil, natural, spec.scopes.count == 1 {
            return ScopeSequence(snapshot: snapshot, object: spec.object, entity: spec.scopes[0], from: low, through: high)
        }
        // Keyset paging (`WHENMODIFIED >= t AND (WHENMODIFIED > t OR RECORDNO > r)`) is the same range with
        // a short prefix of ties at t cut off; answering it arithmetically keeps every page O(page).
        if spec.object != .AUDITHISTORY, natural, spec.scopes.count == 1, let residual,
           let after = Self.keysetTail(residual, low: low, schema: schema, parse: snapshot.parseTimestamp) {
            let scope = ScopeSequence(snapshot: snapshot, object: spec.object, entity: spec.scopes[0], from: low, through: high)
            var skip = 0
            while skip < scope.count {
                let ref = scope.ref(at: skip)
                guard snapshot.whenModified(spec.object, entity: ref.entity, index: ref.index) == low else { break }
                let key = snapshot.recordNo(spec.object, entity: ref.entity, index: ref.index)
                let order = schema.keyIsNumeric
                    ? FilterValue.compare(.number(Double(key) ?? 0), .number(Double(after) ?? 0))
                    : RecordNumberOrder.compare(key, after)
                guard order <= 0 else { break }
                skip += 1
            }
            return SkippedSequence(base: scope, skip: skip)
        }
        let key = spec.cacheKey + "|\(snapshot.state.generation)"
        if let cached = cache.lookup(key) { return cached }

        let generator = RecordGenerator(snapshot: snapshot)
        var candidates: [[RecordRef]] = []
        if spec.object == .AUDITHISTORY {
            let visible = Set(spec.scopes)
            candidates.append(snapshot.state.audit.indices.compactMap { i in
                let entry = snapshot.state.audit[i]
                guard visible.contains(entry.entity), entry.accessTime >= low, entry.accessTime <= high else { return nil }
                return RecordRef(entity: entry.entity, index: i)
            })
        } else {
            for entity in spec.scopes {
                let scope = ScopeSequence(snapshot: snapshot, object: spec.object, entity: entity, from: low, through: high)
                candidates.append((0..<scope.count).map { scope.ref(at: $0) })
            }
        }
        if let compiled {
            candidates = candidates.map { refs in
                refs.filter { ref in
                    compiled.matches(generator.row(spec.object, entity: ref.entity, index: ref.index), schema: schema, caseInsensitive: spec.caseInsensitive)
                }
            }
        }
        let result: [RecordRef]
        if natural {
            result = mergeNatural(candidates, object: spec.object)
        } else {
            result = sort(candidates.flatMap { $0 }, spec: spec, generator: generator)
        }
        let sequence = MaterializedSequence(refs: result)
        cache.store(key, sequence)
        return sequence
    }

    /// Pulls the incremental field's range out of a top-level AND, so it can become an index range;
    /// what is left is evaluated row by row.
    /// `parse` reads a filter value as the UTC instant (values arrive in the API user's local time).
    static func splitTimeRange(_ filter: QueryFilter?, timeField: String, parse: (String) -> Int64?) -> (Int64, Int64, QueryFilter?) {
        guard let filter else { return (.min, .max, nil) }
        var low = Int64.min, high = Int64.max
        var rest: [QueryFilter] = []
        let conjuncts: [QueryFilter]
        if case .and(let children) = filter { conjuncts = children } else { conjuncts = [filter] }
        for conjunct in conjuncts {
            switch conjunct {
            case .compare(let field, let op, let value) where field.uppercased() == timeField && op != .notEqual:
                guard let t = parse(value) else { rest.append(conjunct); continue }
                switch op {
                case .equal: low = max(low, t); high = min(high, t)
                case .greater: low = max(low, t + 1)
                case .greaterOrEqual: low = max(low, t)
                case .less: high = min(high, t - 1)
                case .lessOrEqual: high = min(high, t)
                case .notEqual: break
                }
            case .between(let field, let a, let b) where field.uppercased() == timeField:
                guard let t1 = parse(a), let t2 = parse(b) else { rest.append(conjunct); continue }
                low = max(low, t1); high = min(high, t2)
            default:
                rest.append(conjunct)
            }
        }
        let residual: QueryFilter? = rest.isEmpty ? nil : (rest.count == 1 ? rest[0] : .and(rest))
        return (low, high, residual)
    }

    /// The `r` of a residual `WHENMODIFIED > t OR KEY > r` whose `t` is the range's lower bound.
    static func keysetTail(_ residual: QueryFilter, low: Int64, schema: ObjectSchema, parse: (String) -> Int64?) -> String? {
        guard low != .min, let timeField = schema.timeField, case .or(let children) = residual, children.count == 2,
              case .compare(let timeName, .greater, let timeValue) = children[0],
              case .compare(let keyName, .greater, let keyValue) = children[1],
              timeName.uppercased() == schema.fields[timeField].name,
              keyName.uppercased() == schema.fields[schema.keyField].name,
              parse(timeValue) == low else { return nil }
        return keyValue
    }

    /// No order, or WHENMODIFIED ascending optionally followed by RECORDNO ascending: the order the
    /// generated data already has.
    private func isNaturalOrder(_ order: [(field: Int, descending: Bool)], schema: ObjectSchema) -> Bool {
        if order.isEmpty { return true }
        guard let timeField = schema.timeField, order[0].field == timeField, !order[0].descending else { return false }
        if order.count == 1 { return true }
        return order.count == 2 && order[1].field == schema.keyField && !order[1].descending
    }

    private func naturalKey(_ object: SandboxObject, _ ref: RecordRef) -> (Int64, Int) {
        (snapshot.whenModified(object, entity: ref.entity, index: ref.index),
         snapshot.recordNumber(object, entity: ref.entity, index: ref.index))
    }

    private func mergeNatural(_ lists: [[RecordRef]], object: SandboxObject) -> [RecordRef] {
        if lists.count == 1 { return lists[0] }
        var positions = [Int](repeating: 0, count: lists.count)
        var heads: [(Int64, Int)?] = lists.map { $0.first.map { naturalKey(object, $0) } }
        var result: [RecordRef] = []
        result.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        while true {
            var best = -1
            for i in heads.indices {
                guard let head = heads[i] else { continue }
                if best < 0 || head < heads[best]! { best = i }
            }
            if best < 0 { break }
            result.append(lists[best][positions[best]])
            positions[best] += 1
            heads[best] = positions[best] < lists[best].count ? naturalKey(object, lists[best][positions[best]]) : nil
        }
        return result
    }

    private func sort(_ refs: [RecordRef], spec: QuerySpec, generator: RecordGenerator) -> [RecordRef] {
        let schema = spec.object.schema
        let keyed: [(ref: RecordRef, values: [FilterValue?], natural: (Int64, Int))] = refs.map { ref in
            let row = generator.row(spec.object, entity: ref.entity, index: ref.index)
            let values = spec.order.map { item -> FilterValue? in
                let raw = row[item.field]
                return raw.isEmpty ? nil : FilterValue.parse(raw, field: item.field, schema: schema, caseInsensitive: spec.caseInsensitive)
            }
            return (ref, values, naturalKey(spec.object, ref))
        }
        let sorted = keyed.sorted { a, b in
            for (i, item) in spec.order.enumerated() {
                let c: Int
                switch (a.values[i], b.values[i]) {
                case (nil, nil): c = 0
                case (nil, _): c = -1 // nulls first ascending, as Intacct's database does
                case (_, nil): c = 1
                case (let x?, let y?): c = FilterValue.compare(x, y)
                }
                if c != 0 { return item.descending ? c > 0 : c < 0 }
            }
            return a.natural < b.natural
        }
        return sorted.map(\.ref)
    }
}

/// A few recent materialised results, keyed by query and company generation. Small on purpose: a poller
/// pages through one query at a time per object.
final class QueryCache: Sendable {
    private let entries = Mutex<[(key: String, value: MaterializedSequence)]>([])
    private let capacity = 8

    func lookup(_ key: String) -> MaterializedSequence? {
        entries.withLock { entries in entries.first { $0.key == key }?.value }
    }

    func store(_ key: String, _ value: MaterializedSequence) {
        entries.withLock { entries in
            entries.removeAll { $0.key == key }
            entries.append((key, value))
            if entries.count > capacity { entries.removeFirst() }
        }
    }
}
