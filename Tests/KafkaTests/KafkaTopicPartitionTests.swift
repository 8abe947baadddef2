import Kafka
import XCTest

final class KafkaTopicPartitionTests: XCTestCase {
    func testASummaryListsEachTopicOnceWithItsPartitionsInOrder() {
        let partitions: Set<KafkaTopicPartition> = [
            KafkaTopicPartition(topic: "intacct.demo.e100.glentry", partition: 3),
            KafkaTopicPartition(topic: "intacct.demo.e100.apbill", partition: 1),
            KafkaTopicPartition(topic: "intacct.demo.e100.glentry", partition: 0),
            KafkaTopicPartition(topic: "intacct.demo.e100.glentry", partition: 10),
        ]
        XCTAssertEqual(KafkaTopicPartition.summary(partitions), "intacct.demo.e100.apbill/1 intacct.demo.e100.glentry/0,3,10")
        XCTAssertEqual(KafkaTopicPartition.summary([]), "")
    }
}
