import Foundation
import Logging
import Catalog
import Operations

/// Keeps each object's field list current with Intacct's own `lookup`, so a custom field created in
/// Intacct is selected by the next run of its streams without a restart. `lookup` is one small call per
/// object; it is repeated at most every `refreshInterval` (zero: before every run). If it fails, the last
/// good answer (or the catalog plus the mapping file) is used and the stream runs anyway: discovery
/// must never stop data from moving.
public actor SchemaDiscovery {
    private let client: IntacctClient
    private let mapping: SchemaMapping?
    /// nil: never call lookup (the mapping file alone decides).
    private let refreshInterval: Duration?
    private let logger: Logger
    /// Ages the cache, so the refresh interval moves with the poller's time.
    private let clock: any ServiceClock
    private var cache: [String: (fields: [DiscoveredField], fetchedAt: ContinuousClock.Instant)] = [:]
    /// Why the latest lookup of an object failed, for the error of a stream that cannot run without it.
    private var lastFailure: [String: IntacctError] = [:]

    public init(client: IntacctClient, mapping: SchemaMapping?, refreshInterval: Duration? = .zero, logger: Logger,
                clock: any ServiceClock = .system) {
        self.client = client
        self.mapping = mapping
        self.refreshInterval = refreshInterval
        self.logger = logger
        self.clock = clock
    }

    /// `object` as this company has it: lookup's fields and types, then the mapping file's overrides.
    /// Throws only when no fields are known at all (an object outside the catalog whose lookup failed):
    /// a query with an empty select list cannot run.
    public func resolve(_ object: IntacctObject) async throws -> IntacctObject {
        let fields = await discovered(object.name)
        let merged = DiscoveredSchema.merge(object, discovered: fields, mapping: mapping?[object: object.name])
        guard !merged.fields.isEmpty else { throw ObjectDefinitionError.noFieldsKnown(object: object.name, lastFailure[object.name]) }
        return merged
    }

    /// Start-up and `check`: asks lookup about every object of `targets` once and returns the targets
    /// with their objects resolved (so snapshot reading and delete detection are decided from what
    /// Intacct says). An object outside the built-in catalog that Intacct rejects fails with Intacct's
    /// own error (a misspelt or unsubscribed object); a catalog object Intacct rejects fails only when
    /// `strict` (`check`): at start-up it keeps the catalog's fields, so one object without permission
    /// fails its own runs (audited) while the others flow. When lookup cannot be reached, objects whose
    /// fields the catalog or mapping file knows go on, the others fail.
    public func prepare(_ targets: [PollTarget], strict: Bool = false) async throws -> [PollTarget] {
        var resolved: [String: IntacctObject] = [:]
        for object in targets.map(\.object) where resolved[object.name] == nil {
            if refreshInterval != nil {
                do {
                    try await refresh(object.name)
                } catch let error as IntacctError {
                    if case .resultFailed = error, strict || object.takesEveryListedField {
                        throw ObjectDefinitionError.rejectedByIntacct(object: object.name, error)
                    }
                    if DiscoveredSchema.merge(object, discovered: nil, mapping: mapping?[object: object.name]).fields.isEmpty {
                        throw ObjectDefinitionError.noFieldsKnown(object: object.name, error)
                    }
                    logger.warning("lookup failed at start-up; using the catalog", metadata: ["object": "\(object.name)", "error": "\(error)"])
                }
            }
            let merged = DiscoveredSchema.merge(object, discovered: cache[object.name]?.fields, mapping: mapping?[object: object.name])
            guard !merged.fields.isEmpty else { throw ObjectDefinitionError.noFieldsKnown(object: object.name, nil) }
            if cache[object.name] != nil, merged.field(named: merged.keyField) == nil {
                throw ObjectDefinitionError.keyFieldMissing(object: object.name, keyField: merged.keyField)
            }
            resolved[object.name] = merged
        }
        return targets.map { target in
            var target = target
            target.object = resolved[target.object.name] ?? target.object
            return target
        }
    }

    /// Fields lookup reported for `object`, from the cache while it is fresh.
    public func discovered(_ object: String) async -> [DiscoveredField]? {
        guard let refreshInterval else { return nil }
        let now = clock.now
        if let cached = cache[object], refreshInterval > .zero, now - cached.fetchedAt < refreshInterval {
            return cached.fields
        }
        do {
            try await refresh(object)
        } catch {
            lastFailure[object] = error as? IntacctError
            logger.warning("lookup failed; using the last known fields", metadata: ["object": "\(object)", "error": "\(error)"])
        }
        return cache[object]?.fields
    }

    /// One lookup call, remembered.
    private func refresh(_ object: String) async throws {
        // Custom fields are defined company-wide: a top-level session sees every object's definition.
        let fields = try await client.lookup(object: object).map(\.discoveredField)
        let previous = Set(cache[object]?.fields.map(\.name) ?? [])
        let added = fields.filter { $0.isCustom && !previous.contains($0.name) }.map(\.name)
        if cache[object] != nil, !added.isEmpty {
            logger.info("new Intacct fields discovered", metadata: ["object": "\(object)", "fields": "\(added.joined(separator: ","))"])
        }
        cache[object] = (fields, clock.now)
        lastFailure[object] = nil
    }
}
