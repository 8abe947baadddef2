import Foundation
import Timestamps

/// The record versions a stream published inside its overlap window (the last `overlap_seconds` before
/// its watermark), so the next run's overlap re-read can tell a version it already sent from a new one.
///
/// A version is (record number, content hash); deletes travel on other paths and never enter the set,
/// so a version here is always a live one. The set is kept in `_state` with the watermark, bounded by
/// `capacity`: when more versions than that share the window, the oldest are forgotten and may be sent
/// once more, which the loader absorbs. Forgetting can only repeat a version, never lose one.
struct OverlapVersions: Sendable, Equatable {
    struct Version: Sendable, Equatable {
        var recordNo: String
        var whenModified: String
        var contentSHA256: String
        var date: Date
    }

    static let capacity = 2000

    private(set) var byRecord: [String: Version] = [:]

    init(_ versions: [Version] = []) {
        for version in versions { byRecord[version.recordNo] = version }
    }

    var versions: [Version] {
        byRecord.values.sorted { ($0.date, $0.recordNo) < ($1.date, $1.recordNo) }
    }

    var isEmpty: Bool { byRecord.isEmpty }

    /// Whether this exact version was published already.
    func contains(recordNo: String, contentSHA256: String) -> Bool {
        byRecord[recordNo]?.contentSHA256 == contentSHA256
    }

    mutating func insert(recordNo: String, whenModified: String, contentSHA256: String) {
        guard let date = IntacctTimestamp.parse(whenModified) else { return }
        byRecord[recordNo] = Version(recordNo: recordNo, whenModified: whenModified, contentSHA256: contentSHA256, date: date)
    }

    /// Forgets versions the next re-read cannot reach (older than `watermark - window`), then the
    /// oldest beyond `capacity`.
    mutating func prune(watermark: Date, window: Duration) {
        let floor = watermark.addingTimeInterval(-Double(window.components.seconds))
        byRecord = byRecord.filter { $0.value.date >= floor }
        guard byRecord.count > Self.capacity else { return }
        let kept = versions.suffix(Self.capacity)
        byRecord = Dictionary(uniqueKeysWithValues: kept.map { ($0.recordNo, $0) })
    }

    /// The `content_sha256` member of an encoded record envelope, read where the envelope writes it (its
    /// seventh member, before the fields) rather than hashed a second time.
    static func contentHash(inEnvelope value: Data) -> String? {
        let marker = Array(#""content_sha256":""#.utf8)
        return value.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> String? in
            let count = bytes.count
            guard count > marker.count + 64 else { return nil }
            var index = 0
            while index + marker.count + 64 <= count {
                if bytes[index] == marker[0], (1..<marker.count).allSatisfy({ bytes[index + $0] == marker[$0] }) {
                    let start = index + marker.count
                    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + 64)]), as: UTF8.self)
                }
                index += 1
            }
            return nil
        }
    }
}
