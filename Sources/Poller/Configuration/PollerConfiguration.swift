import Foundation
import Catalog
import Configuration
import Kafka
import Operations

/// Everything `intacct-bigquery poll` reads from its configuration file, validated once at start-up.
public struct PollerConfiguration: Decodable, Sendable {
    /// Company id as it appears in topics and keys (`intacct.<company>.…`), usually Intacct's company id.
    public var company: String
    public var kafka: KafkaSettings
    public var intacct: IntacctSettings
    public var poller: PollerSettings
    public var logging: LoggingConfiguration
    /// `balances:`: Intacct's balance reports to move; nil reads none.
    public var balances: BalanceSettings?

    enum CodingKeys: String, CodingKey { case company, kafka, intacct, poller, logging, balances }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        company = try c.decode(String.self, forKey: .company)
        kafka = try c.decode(KafkaSettings.self, forKey: .kafka)
        intacct = try c.decode(IntacctSettings.self, forKey: .intacct)
        poller = try c.decode(PollerSettings.self, forKey: .poller)
        logging = try c.decodeIfPresent(LoggingConfiguration.self, forKey: .logging) ?? LoggingConfiguration()
        balances = try c.decodeIfPresent(BalanceSettings.self, forKey: .balances)
        guard !company.isEmpty, company.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw DecodingError.dataCorruptedError(forKey: .company, in: c, debugDescription: "must be letters, digits, - or _ (it becomes part of topic names)")
        }
    }

    public static func load(from path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PollerConfiguration {
        try ConfigurationLoader(environment: environment).load(PollerConfiguration.self, from: path)
    }
}

/// `poller:` — what to read and when.
public struct PollerSettings: Decodable, Sendable {
    /// Subsidiaries whose entity-level objects are read, each with its own session.
    public var entities: [String]
    public var objects: [ObjectSettings]
    /// Re-read this far behind the watermark: Intacct timestamps have one-second resolution and a
    /// transaction may commit after a later one was already visible.
    public var overlap: Duration
    /// Default schedule for objects that name none.
    public var schedule: PollSchedule
    /// How often keys are reconciled for objects whose deletes AUDITHISTORY cannot show.
    public var reconciliation: CronExpression
    public var httpPort: UInt16
    /// How often the service logs its progress.
    public var progressInterval: Duration
    /// Run `lookup` before streams read, selecting custom fields (`discover`, default true).
    public var discover: Bool
    /// Repeat lookup for an object at most this often (`discovery_interval_seconds`; 0: before every run).
    public var discoveryInterval: Duration
    /// The mapping file written by `intacct-bigquery discover --write` (`mapping_file`), if any.
    public var mappingFile: String?

    enum CodingKeys: String, CodingKey {
        case entities, objects, overlapSeconds = "overlap_seconds", schedule, reconciliation, httpPort = "http_port"
        case progressIntervalSeconds = "progress_interval_seconds"
        case discover, discoveryIntervalSeconds = "discovery_interval_seconds", mappingFile = "mapping_file"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        entities = try c.decodeIfPresent([String].self, forKey: .entities) ?? []
        objects = try c.decode([ObjectSettings].self, forKey: .objects)
        overlap = .seconds(try c.decodeIfPresent(Int.self, forKey: .overlapSeconds) ?? 300)
        schedule = try c.decodeIfPresent(ScheduleSettings.self, forKey: .schedule)?.schedule
            ?? .closeCycle(CloseCycleSchedule(otherwise: try CronExpression("0 2 * * *")))
        let reconciliationText = try c.decodeIfPresent(String.self, forKey: .reconciliation) ?? "0 3 * * 0"
        do { reconciliation = try CronExpression(reconciliationText) } catch {
            throw DecodingError.dataCorruptedError(forKey: .reconciliation, in: c, debugDescription: "\(error)")
        }
        httpPort = try c.decodeIfPresent(UInt16.self, forKey: .httpPort) ?? 8081
        let progressSeconds = try c.decodeIfPresent(Int.self, forKey: .progressIntervalSeconds) ?? 30
        guard progressSeconds >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .progressIntervalSeconds, in: c, debugDescription: "must be at least 1")
        }
        progressInterval = .seconds(progressSeconds)
        discover = try c.decodeIfPresent(Bool.self, forKey: .discover) ?? true
        let discoverySeconds = try c.decodeIfPresent(Int.self, forKey: .discoveryIntervalSeconds) ?? 0
        guard discoverySeconds >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .discoveryIntervalSeconds, in: c, debugDescription: "must not be negative")
        }
        discoveryInterval = .seconds(discoverySeconds)
        mappingFile = try c.decodeIfPresent(String.self, forKey: .mappingFile)
        // The mapping file says what lookup cannot (level, key and money field), and targets need the
        // level before anything runs: applied here, so a file that does not load fails start-up now.
        var mapping: SchemaMapping?
        if let path = mappingFile {
            do { mapping = try SchemaMapping.load(from: path) } catch {
                throw DecodingError.dataCorruptedError(forKey: .mappingFile, in: c, debugDescription: "\(error)")
            }
            objects = objects.map { entry in
                var entry = entry
                entry.object = ObjectCatalog.standard.definition(of: entry.object.name, mapping: mapping?[object: entry.object.name])
                return entry
            }
        }
        let fileNamesFields = { (object: String) in
            mapping?[object: object]?.fields.values.contains { $0.include == true || $0.custom == true } ?? false
        }
        if !discover, let blind = objects.first(where: { $0.object.awaitsDiscovery && !fileNamesFields($0.object.name) }) {
            throw DecodingError.dataCorruptedError(forKey: .objects, in: c, debugDescription:
                "\(blind.object.name) is not in the built-in catalog, so its fields come from lookup: set poller.discover to true, or list its fields in poller.mapping_file")
        }
        if let overlapSeconds = try c.decodeIfPresent(Int.self, forKey: .overlapSeconds), overlapSeconds < 0 {
            throw DecodingError.dataCorruptedError(forKey: .overlapSeconds, in: c, debugDescription: "must not be negative")
        }
        guard !objects.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .objects, in: c, debugDescription: "must name at least one object")
        }
        var seen: Set<String> = []
        for entry in objects where !seen.insert(entry.object.name).inserted {
            throw DecodingError.dataCorruptedError(forKey: .objects, in: c, debugDescription: "names \(entry.object.name) twice")
        }
        if objects.contains(where: { $0.object.level == .entity }) && entities.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: .entities, in: c,
                debugDescription: "must list the subsidiaries (e.g. [E100, E200]) because entity-level objects are configured")
        }
    }
}

/// One entry of `poller.objects`: any Intacct object by name (`APBILL`, `CUSTOMER`, a custom object's
/// integration name), bare or as a mapping with a schedule and delete detection.
public struct ObjectSettings: Decodable, Sendable {
    public enum DeleteDetection: String, Decodable, Sendable {
        case auditHistory = "audit_history", reconciliation, none
    }

    public var object: IntacctObject
    public var schedule: PollSchedule?
    public var deletes: DeleteDetection

    enum CodingKeys: String, CodingKey { case name, schedule, deletes }

    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            object = try Self.lookup(name, codingPath: decoder.codingPath)
            schedule = nil
            deletes = .auditHistory
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        object = try Self.lookup(try c.decode(String.self, forKey: .name), codingPath: c.codingPath + [CodingKeys.name])
        schedule = try c.decodeIfPresent(ScheduleSettings.self, forKey: .schedule)?.schedule
        deletes = try c.decodeIfPresent(DeleteDetection.self, forKey: .deletes) ?? .auditHistory
    }

    /// The catalog's defaults for `name`, or an entry `lookup` fills in. Only the spelling is checked
    /// here: whether Intacct knows the object is its own answer, asked at start-up and by `check`.
    private static func lookup(_ name: String, codingPath: [any CodingKey]) throws -> IntacctObject {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        // The name becomes a topic segment and a BigQuery table name.
        guard !trimmed.isEmpty, trimmed.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription:
                "object name \"\(name)\" must be letters, digits or _ (an Intacct object or custom object integration name)"))
        }
        return ObjectCatalog.standard.definition(of: trimmed)
    }
}

/// A schedule in YAML: `"*/15 * * * *"` (cron) or
/// `{close_cycle: {business_days_before: 3, business_days_after: 5, every_minutes: 15, otherwise: "0 2 * * *"}}`.
struct ScheduleSettings: Decodable {
    var schedule: PollSchedule

    enum CodingKeys: String, CodingKey { case closeCycle = "close_cycle" }
    enum CloseKeys: String, CodingKey {
        case before = "business_days_before", after = "business_days_after", everyMinutes = "every_minutes", otherwise
    }

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            do { schedule = .cron(try CronExpression(text)) } catch {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
            }
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self).nestedContainer(keyedBy: CloseKeys.self, forKey: .closeCycle)
        let otherwiseText = try c.decodeIfPresent(String.self, forKey: .otherwise) ?? "0 2 * * *"
        let otherwise: CronExpression
        do { otherwise = try CronExpression(otherwiseText) } catch {
            throw DecodingError.dataCorruptedError(forKey: .otherwise, in: c, debugDescription: "\(error)")
        }
        let minutes = try c.decodeIfPresent(Int.self, forKey: .everyMinutes) ?? 15
        guard minutes >= 1 else { throw DecodingError.dataCorruptedError(forKey: .everyMinutes, in: c, debugDescription: "must be at least 1") }
        schedule = .closeCycle(CloseCycleSchedule(
            businessDaysBefore: try c.decodeIfPresent(Int.self, forKey: .before) ?? 3,
            businessDaysAfter: try c.decodeIfPresent(Int.self, forKey: .after) ?? 5,
            closeInterval: .seconds(minutes * 60), otherwise: otherwise))
    }
}
