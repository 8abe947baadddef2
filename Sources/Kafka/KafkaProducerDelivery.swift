/// Records handed to librdkafka by `KafkaProducer.enqueue` and not yet known to be stored: await
/// `acknowledged()` (once) for their delivery reports.
public struct KafkaProducerDelivery: Sendable {
    private let batch: KafkaDeliveryBatch?

    init(batch: KafkaDeliveryBatch?) {
        self.batch = batch
    }

    /// The delivery reports, in the order the records were enqueued, once the broker acknowledged every
    /// one; throws the first failure once all settled. Call it once.
    public func acknowledged() async throws -> [KafkaCoordinates] {
        guard let batch else { return [] }
        return try await batch.wait()
    }
}
