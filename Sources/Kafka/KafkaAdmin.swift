import CRdKafka
import Foundation
import Logging

/// Topic metadata, topic creation and consumer-group offset resets.
public final class KafkaAdmin: Sendable {
    private let configuration: KafkaConfiguration
    private let client: RDKafkaClient
    private let poller: KafkaPollThread
    private let logger: Logger
    private let queue = DispatchQueue(label: "kafka-admin", attributes: .concurrent)

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "intacct-bigquery.kafka.admin")) throws {
        self.configuration = configuration
        self.logger = logger
        client = try RDKafkaClient(type: RD_KAFKA_PRODUCER, properties: configuration.librdkafkaProperties(),
                                   callbacks: RDKafkaCallbacks(logger: logger))
        poller = KafkaPollThread(client: client, name: "kafka-admin-poll")
    }

    deinit { poller.stop() }

    /// Names of all topics on the cluster, sorted.
    public func listTopics(timeout: Duration = .seconds(10)) async throws -> [String] {
        let client = self.client
        return try await queue.kafkaRun { try client.topicMetadata(timeout: timeout).keys.sorted() }
    }

    /// Number of partitions of an existing topic. Never creates the topic.
    public func partitionCount(topic: String, timeout: Duration = .seconds(10)) async throws -> Int {
        let client = self.client
        return try await queue.kafkaRun {
            guard let count = try client.topicMetadata(timeout: timeout)[topic] else { throw KafkaError.unknownTopic(topic) }
            return count
        }
    }

    /// Makes sure the topics exist, creating missing ones with `partitions` and topic `config`
    /// (e.g. `["cleanup.policy": "compact"]`). Topics that already exist count as success and are not
    /// changed. Brokers without the CreateTopics API (the mock cluster) fall back to broker
    /// auto-creation, which ignores `partitions` and `config`; that is logged, not thrown.
    /// - Parameter replicationFactor: `-1` uses the broker's default.
    public func ensureTopics(_ names: [String], partitions: Int, replicationFactor: Int = -1,
                             config: [String: String] = [:], timeout: Duration = .seconds(30)) async throws {
        guard !names.isEmpty else { return }
        let client = self.client, logger = self.logger
        try await queue.kafkaRun {
            do {
                // CreateTopics goes to the controller. A broker whose metadata names none (the mock
                // cluster) would only let the request time out, so treat that as "not supported".
                if !client.hasController(timeout: min(timeout, .seconds(5))) {
                    throw KafkaError.from(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE, message: "the cluster reports no controller")
                }
                try KafkaAdmin.createTopics(client: client, names: names, partitions: partitions,
                                            replicationFactor: replicationFactor, config: config, timeout: timeout)
            } catch let error as KafkaError where error.isUnsupportedFeature {
                logger.notice("""
                    broker does not support CreateTopics (\(error.codeName ?? "unsupported")); relying on broker \
                    auto-creation for \(names.count) topic(s): requested partitions=\(partitions) and config \
                    \(config) are not applied
                    """)
                for name in names {
                    let count = try client.requestTopic(name, timeout: timeout)
                    logger.info("topic \(name) available with \(count) partition(s)")
                }
            }
        }
    }

    private static func createTopics(client: RDKafkaClient, names: [String], partitions: Int, replicationFactor: Int,
                                     config: [String: String], timeout: Duration) throws {
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for name in names {
            guard let topic = rd_kafka_NewTopic_new(name, Int32(partitions), Int32(replicationFactor), &errstr, errstr.count) else {
                throw KafkaError.configuration(property: "topic \(name)", message: String(errorBuffer: errstr))
            }
            newTopics.append(topic)
            for (key, value) in config.sorted(by: { $0.key < $1.key }) {
                let err = rd_kafka_NewTopic_set_config(topic, key, value)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, topic: name) }
            }
        }
        let options = rd_kafka_AdminOptions_new(client.handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.rdKafkaMilliseconds, &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout.rdKafkaMilliseconds, &errstr, errstr.count)
        let resultQueue = rd_kafka_queue_new(client.handle)
        defer { rd_kafka_queue_destroy(resultQueue) }
        newTopics.withUnsafeMutableBufferPointer { rd_kafka_CreateTopics(client.handle, $0.baseAddress, $0.count, options, resultQueue) }
        guard let event = rd_kafka_queue_poll(resultQueue, (timeout + .seconds(5)).rdKafkaMilliseconds) else {
            throw KafkaError.from(RD_KAFKA_RESP_ERR__TIMED_OUT, message: "CreateTopics got no answer within \(timeout)")
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(err, message: rd_kafka_event_error_string(event).map { String(cString: $0) })
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else { return }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for index in 0..<count {
            let topicResult = results[index]
            let topicErr = rd_kafka_topic_result_error(topicResult)
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            if topicErr == RD_KAFKA_RESP_ERR_NO_ERROR || topicErr == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS { continue }
            throw KafkaError.from(topicErr, message: rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) },
                                  topic: name)
        }
    }

    /// Moves a consumer group's committed offsets on these topics (for `replay`) and returns the
    /// offsets it committed. Refuses while the group has members: a running consumer would commit
    /// over the reset. `.time` needs the broker's offsets-for-times; a broker that cannot answer it
    /// (the mock cluster) gets `KafkaError.unsupportedByBroker`, never a guess.
    /// - Parameter whenMembershipUnknown: what to do if the broker cannot list groups (the mock cluster).
    public func resetOffsets(group: String, topics: [String], to target: KafkaOffsetResetTarget,
                             whenMembershipUnknown: KafkaGroupMembershipCheck = .refuse,
                             timeout: Duration = .seconds(10)) async throws -> [KafkaTopicPartition: Int64] {
        let client = self.client, logger = self.logger, configuration = self.configuration
        return try await queue.kafkaRun {
            let verifiedIdle = try KafkaAdmin.requireIdle(client: client, group: group, policy: whenMembershipUnknown,
                                                          timeout: timeout, logger: logger)
            let metadata = try client.topicMetadata(timeout: timeout)
            var partitions: [KafkaTopicPartition] = []
            for topic in topics {
                guard let count = metadata[topic] else { throw KafkaError.unknownTopic(topic) }
                partitions += (0..<Int32(count)).map { KafkaTopicPartition(topic: topic, partition: $0) }
            }
            var watermarks: [KafkaTopicPartition: (low: Int64, high: Int64)] = [:]
            for partition in partitions { watermarks[partition] = try client.watermarks(partition, timeout: timeout) }

            var offsets: [KafkaTopicPartition: Int64] = [:]
            switch target {
            case .earliest: for (p, w) in watermarks { offsets[p] = w.low }
            case .latest: for (p, w) in watermarks { offsets[p] = w.high }
            case .offset(let offset): for (p, w) in watermarks { offsets[p] = min(max(offset, w.low), w.high) }
            case .time(let date):
                offsets = try KafkaAdmin.offsetsForTime(client: client, date: date, watermarks: watermarks, timeout: timeout)
            }
            do {
                try KafkaAdmin.commitAsIdleGroup(configuration: configuration, group: group, offsets: offsets, logger: logger)
            } catch let error as KafkaError where !verifiedIdle && error.isMembershipRejection {
                // The mock cluster keeps a group's membership state forever and refuses commits from
                // outside it, even when it is empty; joining the group is the only way to commit there.
                logger.notice("consumer group \(group) refused an outside commit (\(error.codeName ?? "")); joining it to reset")
                try KafkaAdmin.commitAsSoleMember(configuration: configuration, group: group, topics: topics,
                                                  offsets: offsets, timeout: timeout + .seconds(20), logger: logger)
            }
            logger.notice("reset consumer group \(group) on \(topics) to \(target): \(offsets.count) partition(s)")
            return offsets
        }
    }

    /// Returns true when the broker confirmed the group has no members, false when it could not say
    /// and the policy allows going on.
    private static func requireIdle(client: RDKafkaClient, group: String, policy: KafkaGroupMembershipCheck,
                                    timeout: Duration, logger: Logger) throws -> Bool {
        var list: UnsafePointer<rd_kafka_group_list>?
        let err = rd_kafka_list_groups(client.handle, group, &list, timeout.rdKafkaMilliseconds)
        if err == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            defer { rd_kafka_group_list_destroy(list) }
            for index in 0..<Int(list.pointee.group_cnt) {
                let info = list.pointee.groups[index]
                guard String(cString: info.group) == group else { continue }
                let state = info.state.map { String(cString: $0) } ?? "Unknown"
                if info.member_cnt > 0 {
                    throw KafkaError.groupHasActiveMembers(group: group, members: Int(info.member_cnt), state: state)
                }
            }
            return true
        }
        let reason = "\(KafkaError.from(err)) (the mock cluster implements neither ListGroups nor DescribeGroups)"
        switch policy {
        case .refuse: throw KafkaError.groupMembershipUnknown(group: group, reason: reason)
        case .proceed: logger.warning("consumer group \(group): cannot verify it has no members: \(reason); resetting anyway")
        }
        return false
    }

    private static func offsetsForTime(client: RDKafkaClient, date: Date,
                                       watermarks: [KafkaTopicPartition: (low: Int64, high: Int64)],
                                       timeout: Duration) throws -> [KafkaTopicPartition: Int64] {
        let feature = "offsets-for-times (ListOffsets by timestamp)"
        func lookup(_ timestamps: [KafkaTopicPartition: Int64]) throws -> [KafkaTopicPartition: Int64] {
            let list = RDKafkaTopicPartitionList(offsets: timestamps)
            let err = rd_kafka_offsets_for_times(client.handle, list.pointer, timeout.rdKafkaMilliseconds)
            let failure = err != RD_KAFKA_RESP_ERR_NO_ERROR ? KafkaError.from(err)
                : list.entries.first { $0.2 != RD_KAFKA_RESP_ERR_NO_ERROR }.map {
                    KafkaError.from($0.2, topic: $0.0.topic, partition: $0.0.partition)
                }
            if let failure {
                if failure.isUnsupportedFeature { throw KafkaError.unsupportedByBroker(feature: feature, detail: "\(failure)") }
                throw failure
            }
            return Dictionary(list.entries.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        }
        // A broker that implements the lookup answers "the first record at or after time 0" with a
        // real offset on any non-empty partition. The mock cluster answers -1 ("none") for every
        // timestamp, which is indistinguishable from "no record after that time" — so probe first.
        let nonEmpty = watermarks.filter { $0.value.low < $0.value.high }
        if !nonEmpty.isEmpty {
            let probe = try lookup(nonEmpty.mapValues { _ in 0 })
            if probe.values.contains(where: { $0 < 0 }) {
                throw KafkaError.unsupportedByBroker(
                    feature: feature,
                    detail: "the broker found no record at or after time 0 in a non-empty partition, so it cannot look up offsets by time (librdkafka's mock cluster never can); reset to .earliest or an .offset instead")
            }
        }
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let found = try lookup(watermarks.mapValues { _ in millis })
        // -1 means no record at or after that time: start at the end.
        return Dictionary(uniqueKeysWithValues: found.map { partition, offset in
            (partition, offset >= 0 ? offset : watermarks[partition]!.high)
        })
    }

    /// Commits for the group from a client that never joins it. Kafka only accepts such a commit
    /// (generation -1) while the group is empty — a second guard behind `requireIdle`.
    private static func commitAsIdleGroup(configuration: KafkaConfiguration, group: String,
                                          offsets: [KafkaTopicPartition: Int64], logger: Logger) throws {
        guard !offsets.isEmpty else { return }
        let committer = try RDKafkaClient(
            type: RD_KAFKA_CONSUMER,
            properties: configuration.librdkafkaProperties(enforced: ["group.id": group, "enable.auto.commit": "false"]),
            callbacks: RDKafkaCallbacks(logger: logger))
        defer {
            _ = rd_kafka_consumer_close(committer.handle)
            committer.consumerWasClosed()
        }
        let list = RDKafkaTopicPartitionList(offsets: offsets)
        let err = rd_kafka_commit(committer.handle, list.pointer, 0)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, message: "committing reset offsets for group \(group)") }
        if let (partition, _, partErr) = list.entries.first(where: { $0.2 != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            throw KafkaError.from(partErr, topic: partition.topic, partition: partition.partition)
        }
    }

    /// Joins the group, waits until this member owns every partition being reset (proof that no one
    /// else consumes them), commits as a member and leaves. Only used when the broker cannot list
    /// groups and refuses outside commits (the mock cluster).
    private static func commitAsSoleMember(configuration: KafkaConfiguration, group: String, topics: [String],
                                           offsets: [KafkaTopicPartition: Int64], timeout: Duration, logger: Logger) throws {
        let member = try RDKafkaClient(
            type: RD_KAFKA_CONSUMER,
            properties: configuration.librdkafkaProperties(enforced: [
                "group.id": group, "enable.auto.commit": "false", "enable.auto.offset.store": "false",
                // The mock waits session.timeout.ms minus 1 s for a departed member before the next
                // join completes; the 45 s default would stall the group's real consumers that long.
                // An operator's value wins: members with a shorter session than that wait are expelled.
                "session.timeout.ms": configuration.properties["session.timeout.ms"] ?? "6000",
                "heartbeat.interval.ms": configuration.properties["heartbeat.interval.ms"] ?? "500",
            ]),
            callbacks: RDKafkaCallbacks(logger: logger))
        rd_kafka_poll_set_consumer(member.handle)
        defer {
            _ = rd_kafka_consumer_close(member.handle)
            member.consumerWasClosed()
        }
        let subscription = RDKafkaTopicPartitionList(capacity: topics.count)
        for topic in topics { subscription.add(KafkaTopicPartition(topic: topic, partition: RD_KAFKA_PARTITION_UA)) }
        let err = rd_kafka_subscribe(member.handle, subscription.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err) }

        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let wanted = Set(offsets.keys)
        while true {
            // Records fetched meanwhile are dropped unread; nothing is committed from them.
            if let message = rd_kafka_consumer_poll(member.handle, 100) { rd_kafka_message_destroy(message) }
            var assigned: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            if rd_kafka_assignment(member.handle, &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR, let assigned {
                let owned = Set(RDKafkaTopicPartitionList.entries(of: assigned).map(\.0))
                rd_kafka_topic_partition_list_destroy(assigned)
                if wanted.isSubset(of: owned) { break }
            }
            if clock.now >= deadline {
                throw KafkaError.groupMembershipUnknown(
                    group: group, reason: "joined the group but was not given all \(wanted.count) partitions within \(timeout); other members are probably active")
            }
        }
        let list = RDKafkaTopicPartitionList(offsets: offsets)
        let commitErr = rd_kafka_commit(member.handle, list.pointer, 0)
        guard commitErr == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(commitErr, message: "committing reset offsets for group \(group)")
        }
        if let (partition, _, partErr) = list.entries.first(where: { $0.2 != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            throw KafkaError.from(partErr, topic: partition.topic, partition: partition.partition)
        }
    }
}
