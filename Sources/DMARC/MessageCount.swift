/// The most messages a report can plausibly count, and sums of counts that never wrap.
///
/// No receiver reports more than a few billion messages a day for one domain: Gmail's and
/// Microsoft's largest reports for the largest senders count tens of millions per row and a few
/// billion per report. Counts past these caps are hostile or broken, and one such row summed with
/// another wrapped 64 bits and stopped every query; the reader leaves such a row out (and rejects a
/// report whose rows add up to more than the report cap), the database refuses them, and the read
/// side leaves out any stored row past the cap. Under the caps, ten million reports or 900 million
/// rows sum without overflow.
public enum MessageCount {
    /// One row: one source address for one report period.
    public static let maxPerRecord: Int64 = 10_000_000_000
    /// All rows of one report together.
    public static let maxPerReport: Int64 = 100_000_000_000

    /// Whether a stored or reported row count is within the cap.
    @inlinable
    public static func isPlausible(record count: Int64) -> Bool { (0...maxPerRecord).contains(count) }

    /// `total + count`, held at Int64's bounds instead of wrapping: a sum past the caps is refused
    /// where it is checked (the reader, the database's constraints), never stored as a wrapped number.
    @inlinable
    public static func adding(_ count: Int64, to total: Int64) -> Int64 {
        let (sum, overflow) = total.addingReportingOverflow(count)
        guard overflow else { return sum }
        return count < 0 ? .min : .max
    }

    /// The sum of `counts`, held at Int64's bounds (see `adding`).
    public static func sum(_ counts: some Sequence<Int64>) -> Int64 { counts.reduce(0) { adding($1, to: $0) } }
}
