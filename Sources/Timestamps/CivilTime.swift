import Foundation

/// A UTC instant as calendar fields (to the second; microseconds only for the layouts that write them): what every text form of time in this project is
/// read into and written from, so each form is spelled once (`TimeLayout`) and every conversion is a
/// read followed by a write. Reading and writing move digits byte by byte over a buffer: these run once
/// per record (and per field) on the poller's and the loader's hot paths, where `DateFormatter` and
/// `String(format:)` cost more than the rest of the record.
struct CivilTime: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour = 0
    var minute = 0
    var second = 0
    /// Microseconds, written only by layouts that carry them.
    var microsecond = 0

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    init(epochSeconds: Int64) {
        let seconds = Int(epochSeconds)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        (year, month, day) = CivilDate.date(fromDays: days)
        (hour, minute, second) = (secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
    }

    /// Seconds since 1970 (a leap second `:60` counts as the next minute's first).
    var epochSeconds: Int64 {
        Int64(CivilDate.days(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Whether the fields name a real day and a time of day (`:60` allowed: Intacct may send a leap second).
    var isValid: Bool {
        (1...12).contains(month) && (1...Self.daysIn(month: month, year: year)).contains(day)
            && (0..<24).contains(hour) && (0..<60).contains(minute) && (0...60).contains(second)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // MARK: Reading

    /// Reads `bytes` laid out exactly as `layout` (every letter a digit, every other byte itself); nil
    /// when they differ or (when `validating`) the fields are not a real time.
    init?(_ bytes: UnsafeBufferPointer<UInt8>, as layout: TimeLayout, validating: Bool = true) {
        var time = CivilTime(year: 0, month: 0, day: 0)
        let fits = layout.pattern.withUTF8Buffer { pattern in
            guard bytes.count == pattern.count else { return false }
            for index in pattern.indices {
                let letter = pattern[index], byte = bytes[index]
                if let field = TimeLayout.field(letter) {
                    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
                    time[field] = time[field] * 10 + Int(byte - UInt8(ascii: "0"))
                } else if letter != TimeLayout.anyByte, byte != letter {
                    return false
                }
            }
            return true
        }
        guard fits, !validating || time.isValid else { return nil }
        self = time
    }

    /// Calls `read` with the UTF-8 of `text`, copied only when the string is not contiguous (a bridged
    /// or foreign string; native strings and their substrings are read in place).
    static func reading<Result>(_ text: some StringProtocol, _ read: (UnsafeBufferPointer<UInt8>) -> Result?) -> Result? {
        text.utf8.withContiguousStorageIfAvailable(read) ?? Array(text.utf8).withUnsafeBufferPointer(read)
    }

    init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        let whole = interval.rounded(.down)
        self.init(epochSeconds: Int64(whole))
        microsecond = Int((interval - whole) * 1_000_000)
    }

    // MARK: Writing

    /// `layout` with its letters replaced by this time's zero-padded digits.
    func text(_ layout: TimeLayout) -> String {
        guard (0...9999).contains(year) else { return wideYearText(layout) }
        let count = layout.pattern.utf8CodeUnitCount
        return String(unsafeUninitializedCapacity: count) { buffer in
            var values = self
            layout.pattern.withUTF8Buffer { pattern in
                // Each run of one letter is filled from its last digit backwards.
                for index in pattern.indices.reversed() {
                    guard let field = TimeLayout.field(pattern[index]) else {
                        buffer[index] = pattern[index]
                        continue
                    }
                    buffer[index] = UInt8(ascii: "0") + UInt8(values[field] % 10)
                    values[field] /= 10
                }
            }
            return count
        }
    }

    /// The same for a year outside 0...9999, which no Intacct or BigQuery time has: written whole (with
    /// its sign) where the layout has `YYYY`, rather than cut to four digits.
    private func wideYearText(_ layout: TimeLayout) -> String {
        let yearText = (year < 0 ? "-" : "") + String(repeating: "0", count: max(0, 4 - String(abs(year)).count)) + String(abs(year))
        var placeholder = self
        placeholder.year = 0
        let text = placeholder.text(layout)
        guard let range = text.range(of: "0000") else { return text }
        return text.replacingCharacters(in: range, with: yearText)
    }

    enum Field { case year, month, day, hour, minute, second, microsecond }

    subscript(field: Field) -> Int {
        get {
            switch field {
            case .year: year
            case .month: month
            case .day: day
            case .hour: hour
            case .minute: minute
            case .second: second
            case .microsecond: microsecond
            }
        }
        set {
            switch field {
            case .year: year = newValue
            case .month: month = newValue
            case .day: day = newValue
            case .hour: hour = newValue
            case .minute: minute = newValue
            case .second: second = newValue
            case .microsecond: microsecond = newValue
            }
        }
    }
}
