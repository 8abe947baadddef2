import Foundation
import HTTP
import Synchronization

/// Records what a streamed body looked like on arrival: the status and headers it began with, and its chunks.
final class CollectingBodySink: HTTPBodySink {
    struct Seen {
        var begins: [(status: Int, headers: [String: String])] = []
        var chunkSizes: [Int] = []
        var body = Data()
    }

    let seen = Mutex(Seen())

    func begin(status: Int, headers: [String: String]) {
        seen.withLock { $0.begins.append((status, headers)) }
    }

    func receive(_ bytes: UnsafeRawBufferPointer) {
        seen.withLock {
            $0.chunkSizes.append(bytes.count)
            $0.body.append(contentsOf: bytes)
        }
    }
}
