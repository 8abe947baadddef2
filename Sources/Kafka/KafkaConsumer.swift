import CRdKafka
import Foundation
import Logging

/// Reads records as a member of a consumer group, committing only what the application says it
/// finished (`enable.auto.commit=false`).
///
/// All blocking librdkafka calls (poll, commit, close) run on one serial dispatch queue owned by the
/// consumer, never on Swift concurrency's cooperative threads. Group rebalances are handled on that
/// queue inside `poll`: before partitions are taken away, the offsets marked with `markProcessed` are
/// committed, so the next owner starts exactly after the last record this member finished.
public final class KafkaConsumer: Sendable {
    /// The consumer group this member belongs to.
    public let groupID: String
    private let client: RDKafkaClient
    private let queue: DispatchQueue
    private let state: KafkaLocked<KafkaConsumerState>
    private let logger: Logger

    /// Creates a group member. It joins the group on `subscribe` and the first `poll`.
    /// - Parameter autoOffsetReset: where to start on partitions the group never committed.
    public init(configuration: KafkaConfiguration, groupID: String, autoOffsetReset: KafkaAutoOffsetReset = .earliest,
                logger: Logger = Logger(label: "intacct-bigquery.kafka.consumer")) throws {
        self.groupID = groupID
        self.logger = logger
        let properties = configuration.librdkafkaProperties(
            defaults: ["partition.assignment.strategy": "range,roundrobin"],
            enforced: [
                "group.id": groupID,
                "enable.auto.commit": "false",
                "enable.auto.offset.store": "false",
                "enable.partition.eof": "false",
                "auto.offset.reset": autoOffsetReset.rawValue,
            ]
        )
        let effective = Dictionary(properties, uniquingKeysWith: { _, last in last })
        let state = KafkaLocked(KafkaConsumerState(fetchWake: KafkaFetchWake(
            queuedMinMessages: effective["queued.min.messages"].flatMap { Int($0) },
            queuedMaxKilobytes: effective["queued.max.messages.kbytes"].flatMap { Int($0) })))
        self.state = state
        queue = DispatchQueue(label: "kafka-consumer.\(groupID)")
        let callbacks = RDKafkaCallbacks(logger: logger)
        callbacks.rebalance = { handle, err, list in
            KafkaConsumer.rebalance(handle: handle, err: err, list: list, state: state, groupID: groupID, logger: logger)
        }
        client = try RDKafkaClient(type: RD_KAFKA_CONSUMER, properties: properties, callbacks: callbacks)
        // Route errors, logs and rebalances to the consumer queue, so `poll` serves them all.
        rd_kafka_poll_set_consumer(client.handle)
    }

    /// Subscribes to topics. A name starting with `^` is a regular expression matched against all
    /// topics, including ones created later (e.g. `^intacct\.demo\.e100\..*`).
    public func subscribe(topics: [String]) throws {
        let list = RDKafkaTopicPartitionList(capacity: topics.count)
        for topic in topics { list.add(KafkaTopicPartition(topic: topic, partition: RD_KAFKA_PARTITION_UA)) }
        let err = rd_kafka_subscribe(client.handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err) }
    }

    /// Reads these partitions from these offsets without joining the group: no rebalance, no
    /// coordinator round trips, nothing to leave. For readers that take a whole topic (a snapshot of
    /// `_state`), where membership only costs the seconds a group takes to form.
    public func assign(_ starts: [KafkaTopicPartition: Int64]) throws {
        let list = RDKafkaTopicPartitionList(offsets: starts)
        let err = rd_kafka_assign(client.handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err) }
        state.withLock { $0.assigned = Set(starts.keys) }
    }

    /// The partitions of `topic` as the cluster's metadata lists them; empty when the topic does not
    /// exist (asking never creates it).
    public func partitions(of topic: String, timeout: Duration = .seconds(10)) async throws -> [KafkaTopicPartition] {
        let client = self.client
        let count = try await DispatchQueue.global().kafkaRun { try client.topicMetadata(timeout: timeout)[topic] ?? 0 }
        return (0..<count).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) }
    }

    /// Low and high watermark of one partition, asked of its leader.
    public func watermarks(of partition: KafkaTopicPartition, timeout: Duration = .seconds(10)) async throws -> (low: Int64, high: Int64) {
        let client = self.client
        return try await DispatchQueue.global().kafkaRun { try client.watermarks(partition, timeout: timeout) }
    }

    /// Waits up to `timeout` for records and returns up to `maxMessages` of them (possibly none).
    /// Group membership, rebalances and errors are served during this call, so call it regularly
    /// (well within `max.poll.interval.ms`) even while partitions are paused.
    public func poll(maxMessages: Int = 500, timeout: Duration = .milliseconds(500)) async throws -> [KafkaMessage] {
        let client = self.client, state = self.state, logger = self.logger
        let (messages, bytes) = try await queue.kafkaRun {
            try KafkaConsumer.pollBlocking(client: client, state: state, logger: logger, maxMessages: maxMessages, timeout: timeout)
        }
        if KafkaFetchWake.isNeeded,
           state.withLock({ $0.fetchWake.polled(asked: max(1, maxMessages), records: messages.count, bytes: bytes) }) {
            wakeFetchers()
        }
        return messages
    }

    /// Whether consumers wake librdkafka's fetchers after draining the prefetch queue: with librdkafka
    /// before 2.1.1, which lacks `fetch.queue.backoff.ms` (`KafkaFetchWake`).
    public static var wakesFetchersAfterDraining: Bool { KafkaFetchWake.isNeeded }

    /// How many times this consumer woke librdkafka's fetchers after draining its queue and the leaders
    /// answered (`KafkaFetchWake`); always 0 with librdkafka 2.1.1 or later.
    public var fetchWakes: Int { state.withLock { $0.fetchWake.answered } }

    /// Wakes the broker threads of the owned partitions' leaders, off the consumer queue (the request
    /// waits for their answers) so polling goes on meanwhile.
    private func wakeFetchers() {
        let client = self.client, state = self.state
        DispatchQueue.global().async {
            let partitions = state.withLock { $0.closed ? [] : $0.assigned }
            let answered = !partitions.isEmpty && client.wakeLeaders(of: partitions, timeout: .seconds(2))
            state.withLock { $0.fetchWake.finished(answered: answered) }
        }
    }

    /// Records that everything before `nextOffset` on this partition is fully processed (for the
    /// loader: BigQuery accepted it). Marked offsets are committed by `commitMarked`, on rebalance and
    /// on `close`. A mark for a partition this member no longer owns is ignored and returns false:
    /// the new owner re-reads those records, and committing for it could move its position backwards.
    @discardableResult
    public func markProcessed(topic: String, partition: Int32, nextOffset: Int64) -> Bool {
        let key = KafkaTopicPartition(topic: topic, partition: partition)
        return state.withLock { state in
            guard state.assigned.contains(key) else { return false }
            state.marked[key] = max(state.marked[key] ?? nextOffset, nextOffset)
            return true
        }
    }

    /// Marks a consumed record as fully processed.
    @discardableResult
    public func markProcessed(_ message: KafkaMessage) -> Bool {
        markProcessed(topic: message.topic, partition: message.partition, nextOffset: message.nextOffset)
    }

    /// Synchronously commits every marked offset not committed yet. A rejection because the group
    /// is rebalancing (`KafkaError.isMembershipRejection`) keeps the marks: they are committed by the
    /// next call, or before the partitions are revoked.
    ///
    /// Cancelling the calling task stops the wait (not librdkafka's call, which finishes on the consumer
    /// queue): against an unreachable coordinator a synchronous commit waits for it, far longer than a
    /// worker may take to shut down. What stays uncommitted is logged, and read again later.
    public func commitMarked() async throws {
        let client = self.client, state = self.state
        let finished = try await queue.kafkaRunUnlessAbandoned(timeout: nil) {
            if let error = KafkaConsumer.commitMarked(handle: client.handle, state: state, only: nil) { throw error }
        }
        if !finished {
            logUncommitted(because: "the commit was abandoned (shutdown)")
            throw CancellationError()
        }
    }

    /// Synchronously commits these next-offsets for the group (offset = the next record to read).
    public func commit(_ offsets: [KafkaTopicPartition: Int64]) async throws {
        guard !offsets.isEmpty else { return }
        let client = self.client, state = self.state
        try await queue.kafkaRun {
            if let error = KafkaConsumer.commit(handle: client.handle, offsets: offsets) { throw error }
            state.withLock { $0.committed.merge(offsets) { max($0, $1) } }
        }
    }

    /// Stops fetching from these partitions (e.g. while BigQuery is down) without leaving the group.
    /// Records already fetched for them are discarded and fetched again after `resume`. A rebalance
    /// clears pauses: partitions assigned afterwards start unpaused, so pause again if still needed.
    public func pause(_ partitions: [KafkaTopicPartition]) throws {
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_pause_partitions(client.handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err) }
        try KafkaConsumer.throwFirstPartitionError(list)
    }

    /// Resumes fetching paused partitions from where the application left off.
    public func resume(_ partitions: [KafkaTopicPartition]) throws {
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_resume_partitions(client.handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err) }
        try KafkaConsumer.throwFirstPartitionError(list)
    }

    /// The partitions this member currently owns.
    public func assignment() throws -> Set<KafkaTopicPartition> {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(client.handle, &list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { throw KafkaError.from(err) }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return Set(RDKafkaTopicPartitionList.entries(of: list).map(\.0))
    }

    /// Committed offset, position and watermarks of every owned partition, asked of the brokers.
    public func lag(timeout: Duration = .seconds(10)) async throws -> [KafkaTopicPartition: KafkaPartitionLag] {
        let partitions = try assignment()
        guard !partitions.isEmpty else { return [:] }
        let client = self.client
        // Not the consumer queue: these calls are thread-safe and must not wait behind a long poll.
        return try await DispatchQueue.global().kafkaRun {
            let committed = RDKafkaTopicPartitionList(partitions)
            let err = rd_kafka_committed(client.handle, committed.pointer, timeout.rdKafkaMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err) }
            let positions = RDKafkaTopicPartitionList(partitions)
            _ = rd_kafka_position(client.handle, positions.pointer)
            let positionOf = Dictionary(positions.entries.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
            var result: [KafkaTopicPartition: KafkaPartitionLag] = [:]
            for (partition, offset, _) in committed.entries {
                let marks = try client.watermarks(partition, timeout: timeout)
                let position = positionOf[partition] ?? -1
                result[partition] = KafkaPartitionLag(committed: offset >= 0 ? offset : nil,
                                                      position: position >= 0 ? position : nil,
                                                      lowWatermark: marks.low, highWatermark: marks.high)
            }
            return result
        }
    }

    /// Commits what was marked, serves the final revoke and leaves the group, so its partitions move to
    /// other members at once instead of after the session timeout. The consumer cannot be used afterwards.
    ///
    /// Bounded by `timeout` and by cancellation of the calling task: librdkafka 2.0.2 can block for good
    /// inside `rd_kafka_assign` while serving the final revoke (seen against the mock cluster while a loader
    /// shut down), and against an unreachable broker the commit and the leave wait for it. Giving up leaves
    /// the group to notice the member by its session timeout, and logs the offsets that were not committed
    /// (their records are delivered again); a worker that cannot stop is worse. The stuck call keeps its own
    /// reference to the client.
    public func close(timeout: Duration = .seconds(30)) async throws {
        let client = self.client, state = self.state, logger = self.logger
        let finished = try await queue.kafkaRunUnlessAbandoned(timeout: timeout) {
            let wasClosed = state.withLock { s -> Bool in defer { s.closed = true }; return s.closed }
            guard !wasClosed else { return }
            let commitError = KafkaConsumer.commitMarked(handle: client.handle, state: state, only: nil)
            state.withLock { $0.revokeCommit = nil }
            // Serves the final revoke through the rebalance callback (which retries whatever the
            // commit above could not, e.g. during a rebalance), then leaves the group.
            let err = rd_kafka_consumer_close(client.handle)
            client.consumerWasClosed()
            switch state.withLock({ $0.revokeCommit }) {
            case .failure(let error)?: throw error
            case .success?: break
            case nil: if let commitError { throw commitError }
            }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning("Kafka consumer close: \(String(cString: rd_kafka_err2name(err)))")
            }
        }
        if !finished {
            logUncommitted(because: Task.isCancelled ? "close was abandoned (shutdown)" : "close did not finish within \(timeout)")
        }
    }

    /// Marked offsets the group has not committed, for logs at shutdown.
    public var uncommittedOffsets: [KafkaTopicPartition: Int64] {
        state.withLock { s in s.marked.filter { s.committed[$0.key] != $0.value } }
    }

    private func logUncommitted(because reason: String) {
        let pending = uncommittedOffsets
        let offsets = pending.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }
            .map { "\($0.key.topic)[\($0.key.partition)]@\($0.value)" }
        logger.error("Kafka consumer for group \(groupID): \(reason); leaving the group to its session timeout", metadata: [
            "not_committed": .array(offsets.map { .string($0) }),
            "consequence": pending.isEmpty ? "nothing was left uncommitted" : "these records are delivered again; nothing is lost",
        ])
    }

    deinit {
        // A consumer dropped without close still leaves its group; librdkafka does that in destroy.
        // Marked-but-uncommitted offsets are lost then, so those records will be read again.
        if !state.withLock({ $0.closed }) && !state.withLock({ $0.marked.isEmpty }) {
            logger.warning("Kafka consumer for group \(groupID) dropped without close(); marked offsets were not committed")
        }
    }

    // MARK: - On the consumer queue

    private static func pollBlocking(client: RDKafkaClient, state: KafkaLocked<KafkaConsumerState>, logger: Logger,
                                     maxMessages: Int, timeout: Duration) throws -> (messages: [KafkaMessage], bytes: Int) {
        guard !state.withLock({ $0.closed }) else { throw KafkaError.closed }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        // Held until the end of the call, then copied out together (`RDKafkaMessageReader.messages`).
        var collected: [UnsafeMutablePointer<rd_kafka_message_t>] = []
        defer { collected.forEach(rd_kafka_message_destroy) }
        while collected.count < max(1, maxMessages) {
            // Wait only for the first record; after that take what is already fetched.
            let wait = collected.isEmpty ? max(.zero, deadline - clock.now) : .zero
            let next = rd_kafka_consumer_poll(client.handle, wait.rdKafkaMilliseconds)
            // A revoke served inside that call invalidates what this call collected from the revoked
            // partitions: they were not marked, so the next owner reads them again from the commit.
            let revoked = state.withLock { s -> Set<KafkaTopicPartition> in defer { s.revokedDuringPoll = [] }; return s.revokedDuringPoll }
            if !revoked.isEmpty {
                collected.removeAll { raw in
                    guard revoked.contains(RDKafkaMessageReader.topicPartition(of: raw)) else { return false }
                    rd_kafka_message_destroy(raw)
                    return true
                }
            }
            guard let next else {
                if collected.isEmpty && clock.now < deadline { continue }
                break
            }
            let err = next.pointee.err
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                defer { rd_kafka_message_destroy(next) }
                let topic = next.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) }
                let error = KafkaError.from(err, message: RDKafkaMessageReader.errorText(next), topic: topic,
                                            partition: topic == nil ? nil : next.pointee.partition)
                if err == RD_KAFKA_RESP_ERR__FATAL { throw error }
                // Per-partition and broker errors are retried by librdkafka; the operator sees them.
                logger.warning("\(error)", metadata: ["kafka.error": "\(error.codeName ?? "")"])
                continue
            }
            collected.append(next)
        }
        return RDKafkaMessageReader.messages(from: collected)
    }

    /// The rebalance callback. Runs on the consumer queue, inside `rd_kafka_consumer_poll` or
    /// `rd_kafka_consumer_close`.
    private static func rebalance(handle: OpaquePointer, err: rd_kafka_resp_err_t,
                                  list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
                                  state: KafkaLocked<KafkaConsumerState>, groupID: String, logger: Logger) {
        let partitions = Set(RDKafkaTopicPartitionList.entries(of: list).map(\.0))
        let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            state.withLock { s in
                if cooperative { s.assigned.formUnion(partitions) } else { s.assigned = partitions }
            }
            logger.info("Kafka group \(groupID): assigned \(partitions.count) partition(s)",
                        metadata: ["partitions": "\(KafkaTopicPartition.summary(partitions))"])
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, list) { logger.error("\(KafkaError.consuming(error))") }
            } else {
                let result = rd_kafka_assign(handle, list)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR { logger.error("\(KafkaError.from(result))") }
            }
            // librdkafka remembers an application pause on a partition across rebalances; a partition
            // handed (back) to this member starts unpaused instead, as in the Java client, so a pause
            // taken under an old assignment cannot silently stall it.
            _ = rd_kafka_resume_partitions(handle, list)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            // Commit before giving the partitions up: after unassign this member's generation is
            // gone and the commit would be refused, and the next owner would redo the work.
            let error = commitMarked(handle: handle, state: state, only: partitions)
            state.withLock { $0.revokeCommit = error.map { .failure($0) } ?? .success(()) }
            if let error {
                logger.warning("Kafka group \(groupID): commit on revoke failed, records will be re-read: \(error)")
            }
            state.withLock { s in
                s.assigned.subtract(partitions)
                s.revokedDuringPoll.formUnion(partitions)
                for partition in partitions { s.marked[partition] = nil }
            }
            logger.info("Kafka group \(groupID): revoked \(partitions.count) partition(s)",
                        metadata: ["partitions": "\(KafkaTopicPartition.summary(partitions))"])
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, list) { logger.error("\(KafkaError.consuming(error))") }
            } else {
                _ = rd_kafka_assign(handle, nil)
            }
        default:
            logger.error("Kafka group \(groupID) rebalance error: \(KafkaError.from(err))")
            state.withLock { s in
                s.revokedDuringPoll.formUnion(s.assigned)
                s.assigned = []
                s.marked = [:]
            }
            _ = rd_kafka_assign(handle, nil)
        }
    }

    /// Commits marked offsets (all, or those of `only`) that differ from the last commit.
    private static func commitMarked(handle: OpaquePointer, state: KafkaLocked<KafkaConsumerState>,
                                     only: Set<KafkaTopicPartition>?) -> KafkaError? {
        let pending = state.withLock { s in
            s.marked.filter { partition, offset in
                (only?.contains(partition) ?? true) && s.committed[partition] != offset
            }
        }
        guard !pending.isEmpty else { return nil }
        if let error = commit(handle: handle, offsets: pending) { return error }
        state.withLock { $0.committed.merge(pending) { max($0, $1) } }
        return nil
    }

    private static func commit(handle: OpaquePointer, offsets: [KafkaTopicPartition: Int64]) -> KafkaError? {
        let list = RDKafkaTopicPartitionList(offsets: offsets)
        let err = rd_kafka_commit(handle, list.pointer, 0)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { return KafkaError.from(err) }
        if let (partition, _, partErr) = list.entries.first(where: { $0.2 != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            return KafkaError.from(partErr, topic: partition.topic, partition: partition.partition)
        }
        return nil
    }

    private static func throwFirstPartitionError(_ list: RDKafkaTopicPartitionList) throws {
        if let (partition, _, err) = list.entries.first(where: { $0.2 != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            throw KafkaError.from(err, topic: partition.topic, partition: partition.partition)
        }
    }
}
