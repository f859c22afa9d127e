/// SplitMix64: a tiny, fast generator whose sequence depends on the seed alone, so the same
/// `--seed` gives the same corpus on every machine and Swift version (the standard library's
/// generator is not seedable).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }

    /// Lower-case hex digits, e.g. Microsoft's 32-character report ids.
    mutating func hex(_ count: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[below(16)] })
    }

    mutating func decimal(_ count: Int) -> String {
        String((0..<count).map { index in Character(String(index == 0 ? 1 + below(9) : below(10))) })
    }
}
