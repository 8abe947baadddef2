import Catalog
import RecordContract

/// One stream the poller keeps up to date: an object in one subsidiary (read with that entity's
/// session) or a top-level object (read once, with a top-level session, published under `top`).
public struct PollTarget: Sendable, Hashable, CustomStringConvertible {
    public var entity: String
    public var object: IntacctObject
    public var schedule: PollSchedule
    public var deletes: ObjectSettings.DeleteDetection

    public init(entity: String, object: IntacctObject, schedule: PollSchedule, deletes: ObjectSettings.DeleteDetection) {
        self.entity = entity
        self.object = object
        self.schedule = schedule
        self.deletes = deletes
    }

    /// Whether each run reads the whole object rather than what changed since the watermark: objects
    /// without WHENMODIFIED (decided from lookup once `SchemaDiscovery.prepare` resolved the object).
    public var readsSnapshots: Bool { object.readsSnapshots }

    /// How deletes are found: AUDITHISTORY cannot be matched to a snapshot object's versions, so an
    /// object read as snapshots falls back to key reconciliation (unless deletes are switched off).
    public var deleteDetection: ObjectSettings.DeleteDetection {
        readsSnapshots && deletes == .auditHistory ? .reconciliation : deletes
    }

    /// The `locationid` of the session to read with; nil is the top level.
    public var sessionEntity: String? { entity == RecordKey.topLevelEntity ? nil : entity }

    /// `<entity>/<OBJECT>`: the `_state` key and the unit that never runs twice at once.
    public var id: String { "\(entity)/\(object.name)" }

    public var description: String { id }

    public static func == (a: PollTarget, b: PollTarget) -> Bool { a.id == b.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// Every stream a configuration asks for, entity objects per configured entity first, in the
    /// configured order.
    public static func all(in settings: PollerSettings) -> [PollTarget] {
        var targets: [PollTarget] = []
        for entry in settings.objects {
            let entities = entry.object.level == .top ? [RecordKey.topLevelEntity] : settings.entities
            for entity in entities {
                targets.append(PollTarget(entity: entity, object: entry.object, schedule: entry.schedule ?? settings.schedule,
                                          deletes: entry.deletes))
            }
        }
        return targets
    }
}
