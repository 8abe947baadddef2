/// The one source of "randomness" in the sandbox: a SplitMix64 finaliser over (seed, object, index, salt).
/// Every generated value is a pure function of those inputs, so any record can be produced on demand,
/// in any order, and two servers with the same seed agree byte for byte.
struct DeterministicHash {
    let seed: UInt64

    func value(_ a: UInt64, _ b: UInt64 = 0, _ c: UInt64 = 0, _ d: UInt64 = 0) -> UInt64 {
        var x = seed &+ 0x9E37_79B9_7F4A_7C15
        x = Self.mix(x ^ a)
        x = Self.mix(x ^ (b &* 0xBF58_476D_1CE4_E5B9))
        x = Self.mix(x ^ (c &* 0x94D0_49BB_1331_11EB))
        x = Self.mix(x ^ (d &* 0x2545_F491_4F6C_DD1D))
        return x
    }

    /// A value in `0..<bound`.
    func pick(_ bound: Int, _ a: UInt64, _ b: UInt64 = 0, _ c: UInt64 = 0, _ d: UInt64 = 0) -> Int {
        bound <= 1 ? 0 : Int(value(a, b, c, d) % UInt64(bound))
    }

    static func mix(_ input: UInt64) -> UInt64 {
        var z = input &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
