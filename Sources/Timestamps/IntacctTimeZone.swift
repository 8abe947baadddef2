import Foundation

/// The zone Intacct writes an API user's times in. Intacct's TIMESTAMP values (`MM/DD/YYYY HH:MM:SS`)
/// carry no offset: they are the API user's local time, whose offset only the session's
/// `sessiontimestamp` shows. This type turns that local text into true UTC (for the envelope and
/// BigQuery) and an instant back into local text (for filters Intacct reads).
///
/// Intacct keeps a user's zone at one fixed offset (it does not switch to daylight time by itself), so
/// a fixed offset is the faithful form. An IANA name is accepted for operators who think in those; its
/// offset is taken per instant, and in the repeated hour after a fall-back the earlier reading wins.
public struct IntacctTimeZone: Sendable, Equatable, CustomStringConvertible {
    private enum Rule: Sendable, Equatable {
        case fixed(seconds: Int)
        case named(TimeZone)
    }

    private let rule: Rule

    public static let utc = IntacctTimeZone(rule: .fixed(seconds: 0))

    private init(rule: Rule) { self.rule = rule }

    /// A fixed offset east of UTC, in seconds (Pacific standard time is `-28_800`).
    public static func fixed(offsetSeconds: Int) -> IntacctTimeZone {
        IntacctTimeZone(rule: .fixed(seconds: offsetSeconds))
    }

    /// Reads the `intacct.timezone` setting: `UTC`, `Z`, `±HH:MM`, or an IANA name Foundation knows
    /// (`America/Los_Angeles`); nil for anything else.
    public init?(setting: String) {
        let text = setting.trimmingCharacters(in: .whitespaces)
        if text == "UTC" || text == "Z" || text == "z" {
            self = .utc
        } else if let seconds = Self.offsetSeconds(text) {
            self = .fixed(offsetSeconds: seconds)
        } else if text.contains("/"), let zone = TimeZone(identifier: text) {
            self.init(rule: .named(zone))
        } else {
            return nil
        }
    }

    /// The offset of a session's `sessiontimestamp` (`2024-01-05T10:00:00-08:00`, or `…Z`); nil when the
    /// text is not RFC 3339 with a zone.
    public init?(sessionTimestamp text: String) {
        guard IntacctTimestamp.parseRFC3339(text) != nil else { return nil }
        if text.hasSuffix("Z") || text.hasSuffix("z") {
            self = .utc
        } else if let seconds = Self.offsetSeconds(String(text.suffix(6))) {
            self = .fixed(offsetSeconds: seconds)
        } else {
            return nil
        }
    }

    /// Whether local text already is UTC, so values can pass through untouched.
    public var isUTC: Bool { rule == .fixed(seconds: 0) }

    /// `-08:00`, `+00:00`, or the IANA name.
    public var description: String {
        switch rule {
        case let .fixed(seconds):
            let magnitude = abs(seconds)
            let hours = magnitude / 3600, minutes = magnitude / 60 % 60
            return (seconds < 0 ? "-" : "+") + (hours < 10 ? "0" : "") + String(hours) + ":" + (minutes < 10 ? "0" : "") + String(minutes)
        case let .named(zone):
            return zone.identifier
        }
    }

    /// The offset east of UTC in force at an instant.
    public func offsetSeconds(atEpochSeconds epoch: Int64) -> Int {
        switch rule {
        case let .fixed(seconds): seconds
        case let .named(zone): zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(epoch)))
        }
    }

    // MARK: Local text → UTC

    /// The UTC instant of Intacct's local `MM/DD/YYYY HH:MM:SS` (or `MM/DD/YYYY`, read as local
    /// midnight); nil when the text is neither.
    public func epochSeconds(fromLocal text: some StringProtocol) -> Int64? {
        guard let wall = IntacctTimestamp.epochSeconds(fromIntacct: text) else { return nil }
        return utcEpochSeconds(ofWallClock: wall)
    }

    /// `epochSeconds(fromLocal:)` as a `Date`.
    public func date(fromLocal text: some StringProtocol) -> Date? {
        epochSeconds(fromLocal: text).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// Local `MM/DD/YYYY HH:MM:SS` rewritten as the same instant in UTC, in Intacct's layout: what the
    /// envelope carries, so the loader (which reads Intacct's layout as UTC) types the true instant.
    /// Text that is not an Intacct timestamp comes back unchanged: the loader judges it.
    public func utcText(fromLocal text: String) -> String {
        guard !isUTC, let epoch = epochSeconds(fromLocal: text) else { return text }
        return IntacctTimestamp.format(epochSeconds: epoch)
    }

    /// `utcText(fromLocal:)` in RFC 3339 (`2024-01-05T18:00:00Z`), the envelope's `whenmodified` form.
    public func rfc3339(fromLocal text: String) -> String? {
        guard let epoch = epochSeconds(fromLocal: text) else { return nil }
        return IntacctTimestamp.iso8601(Date(timeIntervalSince1970: TimeInterval(epoch)))
    }

    // MARK: UTC → local text

    /// An instant as Intacct's local `MM/DD/YYYY HH:MM:SS`, the form its filters compare against.
    public func localText(epochSeconds epoch: Int64) -> String {
        IntacctTimestamp.format(epochSeconds: epoch + Int64(offsetSeconds(atEpochSeconds: epoch)))
    }

    /// `localText(epochSeconds:)` for a `Date` (fractions of a second dropped).
    public func localText(_ date: Date) -> String {
        localText(epochSeconds: Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    // MARK: Helpers

    /// A wall-clock reading (its fields counted as if UTC) to the instant it names in this zone.
    private func utcEpochSeconds(ofWallClock wall: Int64) -> Int64 {
        switch rule {
        case let .fixed(seconds):
            return wall - Int64(seconds)
        case .named:
            // The offset depends on the instant we are looking for: guess with the wall clock's own
            // offset, then correct once. Where both readings exist (fall-back), the first guess, taken
            // before the change, is kept: the earlier of the two instants.
            let first = offsetSeconds(atEpochSeconds: wall)
            let second = offsetSeconds(atEpochSeconds: wall - Int64(first))
            if first == second { return wall - Int64(first) }
            let candidate = wall - Int64(second)
            return offsetSeconds(atEpochSeconds: candidate) == second ? min(candidate, wall - Int64(first)) : wall - Int64(first)
        }
    }

    /// `±HH:MM` as seconds east of UTC; nil for anything else.
    private static func offsetSeconds(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"), bytes[3] == UInt8(ascii: ":") else { return nil }
        func digit(_ index: Int) -> Int? {
            let byte = bytes[index]
            return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
        }
        guard let h1 = digit(1), let h2 = digit(2), let m1 = digit(4), let m2 = digit(5) else { return nil }
        let hours = h1 * 10 + h2, minutes = m1 * 10 + m2
        guard hours <= 14, minutes < 60 else { return nil }
        let seconds = hours * 3600 + minutes * 60
        return bytes[0] == UInt8(ascii: "-") ? -seconds : seconds
    }
}
