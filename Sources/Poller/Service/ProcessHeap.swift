import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The poller's settings for glibc's allocator, which otherwise keeps what a backfill freed.
///
/// A page passes through several threads (libcurl's, the Swift executors, librdkafka's), and glibc gives
/// each thread that allocates an arena of its own, up to eight per core; memory freed into an arena stays
/// resident until that arena's top is free. Worse, glibc raises its mmap threshold to the size of every
/// large block freed, so after the first response body of a few megabytes, later ones come from the arenas
/// too and leave holes there. With the threshold fixed, a body is mapped on its own and unmapped when
/// freed. Measured at 100k records (with the equivalent `MALLOC_*` environment
/// variables): peak RSS 4–10 MB lower, CPU unchanged within the noise of a shared machine.
///
/// The functions are looked up at run time: `malloc.h` is not part of Swift's Glibc module, and on a
/// libc without them (musl, Darwin) this does nothing.
enum ProcessHeap {
    /// glibc's `mallopt` parameter numbers (malloc.h).
    private static let mmapThreshold: Int32 = -3
    private static let arenaMax: Int32 = -8

    /// Blocks from this size up are mapped on their own: a row's fields (about a kilobyte) are far below
    /// it, a response body (megabytes for a page of 2000 rows) far above.
    static let mappedBlockBytes: Int32 = 128 * 1024

    /// Applies the settings; call once, before the first page is read. Idempotent.
    static func limitRetention() {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        _ = mallopt(mmapThreshold, mappedBlockBytes)
        // Two arenas keep the executors from contending on one lock while bounding what idle arenas hold.
        _ = mallopt(arenaMax, 2)
        #endif
    }

    /// Returns the free pages of every arena to the system. It walks every free list, so it runs once a
    /// page was acknowledged and at most every `releaseInterval`: after every page it cost 1–2 µs per
    /// record at 100k records for a peak 1–4 MB lower (noisy figures, 2 shared cores).
    static func releaseFreePages() {
        #if canImport(Glibc)
        let now = ContinuousClock.now
        let due = lastRelease.withLock { last -> Bool in
            if let previous = last, now - previous < releaseInterval { return false }
            last = now
            return true
        }
        guard due, let symbol = dlsym(nil, "malloc_trim") else { return }
        let trim = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        _ = trim(0)
        #endif
    }

    static let releaseInterval: Duration = .milliseconds(100)
    private static let lastRelease = Mutex<ContinuousClock.Instant?>(nil)
}
