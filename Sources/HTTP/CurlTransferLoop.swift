import CCurl
import Foundation

/// Drives every transfer of one `HTTPClient` through a single libcurl multi handle on a dedicated
/// thread. Submitting and cancelling only touch a locked inbox and wake the thread; the multi handle
/// and the easy handles are used by the thread alone, as libcurl requires.
// @unchecked Sendable: the multi handle and `active` belong to the loop's thread; other threads touch only `lock`ed fields and curl_multi_wakeup.
final class CurlTransferLoop: @unchecked Sendable {
    let configuration: HTTPClientConfiguration
    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var inbox: [CurlTransfer] = []
    private var cancellations: Set<ObjectIdentifier> = []
    private var stopping = false
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    init(configuration: HTTPClientConfiguration) {
        CurlGlobal.initialize()
        self.configuration = configuration
        multi = curl_multi_init()
        ibq_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        ibq_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        let thread = Thread { [self] in run() }
        thread.name = "http-transfers"
        thread.start()
    }

    func submit(_ transfer: CurlTransfer) {
        lock.withLock { inbox.append(transfer) }
        curl_multi_wakeup(multi)
    }

    func cancel(_ transfer: CurlTransfer) {
        lock.withLock { _ = cancellations.insert(ObjectIdentifier(transfer)) }
        curl_multi_wakeup(multi)
    }

    func shutdown() {
        lock.withLock { stopping = true }
        curl_multi_wakeup(multi)
    }

    private func run() {
        while true {
            let (added, cancelled, stop) = lock.withLock {
                defer { inbox = []; cancellations = [] }
                return (inbox, cancellations, stopping)
            }
            for transfer in added {
                if cancelled.contains(ObjectIdentifier(transfer)) {
                    transfer.fail(.cancelled(url: transfer.url))
                } else {
                    active[transfer.easy] = transfer
                    curl_multi_add_handle(multi, transfer.easy)
                }
            }
            for (handle, transfer) in active where cancelled.contains(ObjectIdentifier(transfer)) || stop {
                curl_multi_remove_handle(multi, handle)
                active[handle] = nil
                transfer.fail(.cancelled(url: transfer.url))
            }
            if stop { break }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                      let transfer = active.removeValue(forKey: handle) else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, handle)
                transfer.complete(code)
            }
            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, 1000, &ready)
        }
        curl_multi_cleanup(multi)
    }
}
