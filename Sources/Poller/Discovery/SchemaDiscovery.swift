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

    public init(client: IntacctClient, mapping: SchemaMapping?, refreshInterval: Duration? = .zero, logger: Logger,
                clock: any ServiceClock = .system) {
        self.client = client
        self.mapping = mapping
        self.refreshInterval = refreshInterval
        self.logger = logger
        self.clock = clock
    }

    /// `object` with discovered custom fields and types, then the mapping file's overrides.
    public func resolve(_ object: IntacctObject) async -> IntacctObject {
        let fields = await discovered(object.name)
        return DiscoveredSchema.merge(object, discovered: fields, mapping: mapping?[object: object.name])
    }

    /// Fields lookup reported for `object`, from the cache while it is fresh.
    public func discovered(_ object: String) async -> [DiscoveredField]? {
        guard let refreshInterval else { return nil }
        let now = clock.now
        if let cached = cache[object], refreshInterval > .zero, now - cached.fetchedAt < refreshInterval {
            return cached.fields
        }
        do {
            // Custom fields are defined company-wide: a top-level session sees every object's definition.
            let fields = try await client.lookup(object: object).map(\.discoveredField)
            let previous = Set(cache[object]?.fields.map(\.name) ?? [])
            let added = fields.filter { $0.isCustom && !previous.contains($0.name) }.map(\.name)
            if cache[object] != nil, !added.isEmpty {
                logger.info("new Intacct fields discovered", metadata: ["object": "\(object)", "fields": "\(added.joined(separator: ","))"])
            }
            cache[object] = (fields, now)
            return fields
        } catch {
            logger.warning("lookup failed; using the last known fields", metadata: ["object": "\(object)", "error": "\(error)"])
            return cache[object]?.fields
        }
    }
}
