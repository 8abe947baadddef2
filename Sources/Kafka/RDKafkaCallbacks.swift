import CRdKafka
import Logging

/// The Swift side of librdkafka's callbacks for one `rd_kafka_t`.
///
/// librdkafka hands every callback the configuration's opaque pointer; that pointer is this object,
/// unretained. `RDKafkaClient` owns it and destroys the handle before releasing it, so the pointer is
/// valid for as long as librdkafka can call back.
// @unchecked Sendable: `delivery` and `rebalance` are set before rd_kafka_new and never written again, so librdkafka's threads only read them.
final class RDKafkaCallbacks: @unchecked Sendable {
    let logger: Logger
    /// Called on the thread that runs `rd_kafka_poll` (the producer's poll thread).
    var delivery: ((UnsafePointer<rd_kafka_message_t>) -> Void)?
    /// Called on the thread that runs `rd_kafka_consumer_poll` / `rd_kafka_consumer_close`.
    var rebalance: ((OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)?

    init(logger: Logger) { self.logger = logger }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaCallbacks? {
        guard let opaque else { return nil }
        return Unmanaged<RDKafkaCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// Installs the C trampolines on a configuration. They look the object up through the opaque.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, opaque)
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            guard let rk, let callbacks = RDKafkaCallbacks.from(rd_kafka_opaque(rk)) else { return }
            let text = message.map { String(cString: $0) } ?? ""
            let fac = facility.map { String(cString: $0) } ?? ""
            // syslog levels: 0-3 error, 4 warning, 5-6 notice/info, 7 debug.
            let logLevel: Logger.Level = level <= 3 ? .error : level == 4 ? .warning : level <= 6 ? .info : .debug
            callbacks.logger.log(level: logLevel, "\(text)", metadata: ["rdkafka.facility": "\(fac)"])
        }
        rd_kafka_conf_set_error_cb(conf) { rk, code, reason, opaque in
            guard let callbacks = RDKafkaCallbacks.from(opaque) else { return }
            let err = rd_kafka_resp_err_t(rawValue: code)
            let name = String(cString: rd_kafka_err2name(err))
            let text = reason.map { String(cString: $0) } ?? ""
            // Most errors here are transient (broker down, connection refused) and librdkafka retries
            // them itself; only fatal ones (idempotence state lost) need an operator.
            if err == RD_KAFKA_RESP_ERR__FATAL, let rk {
                var buffer = [CChar](repeating: 0, count: 512)
                let fatal = rd_kafka_fatal_error(rk, &buffer, buffer.count)
                callbacks.logger.critical("fatal Kafka error \(String(cString: rd_kafka_err2name(fatal))): \(String(errorBuffer: buffer))")
            } else {
                callbacks.logger.warning("Kafka error \(name): \(text)", metadata: ["kafka.error": "\(name)"])
            }
        }
        if delivery != nil {
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message, let callbacks = RDKafkaCallbacks.from(opaque) else { return }
                callbacks.delivery?(message)
            }
        }
        if rebalance != nil {
            rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
                guard let rk, let partitions, let callbacks = RDKafkaCallbacks.from(opaque) else { return }
                callbacks.rebalance?(rk, err, partitions)
            }
        }
    }
}
