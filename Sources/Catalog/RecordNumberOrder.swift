/// The order of record numbers inside one WHENMODIFIED second, shared by the poller's keyset paging and
/// the sandbox that serves it (both sides must agree, or a page boundary skips rows): runs of digits
/// compare by value, the rest bytewise. Plain integers then compare as integers ("99" < "100"), and GLDETAIL's composite keys
/// (`<BATCHKEY>-<GLENTRYKEY>-<LINE_NO>--accrual`) by batch, then entry, then line.
public enum RecordNumberOrder {
    /// -1, 0 or 1.
    public static func compare(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        var i = 0, j = 0
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        while i < x.count && j < y.count {
            if isDigit(x[i]) && isDigit(y[j]) {
                var i2 = i, j2 = j
                while i2 < x.count && x[i2] == 48 { i2 += 1 }
                while j2 < y.count && y[j2] == 48 { j2 += 1 }
                var ie = i2, je = j2
                while ie < x.count && isDigit(x[ie]) { ie += 1 }
                while je < y.count && isDigit(y[je]) { je += 1 }
                if ie - i2 != je - j2 { return ie - i2 < je - j2 ? -1 : 1 }
                for k in 0..<(ie - i2) where x[i2 + k] != y[j2 + k] { return x[i2 + k] < y[j2 + k] ? -1 : 1 }
                i = ie
                j = je
            } else {
                if x[i] != y[j] { return x[i] < y[j] ? -1 : 1 }
                i += 1
                j += 1
            }
        }
        let restX = x.count - i, restY = y.count - j
        return restX == restY ? 0 : (restX < restY ? -1 : 1)
    }
}
