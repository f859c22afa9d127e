import ArgumentParser

/// How much work a run does. `tiny` is the smoke test's (seconds, even in debug); `full` is the
/// one BENCHMARKS.md reports.
enum Scale: String, ExpressibleByArgument, CaseIterable {
    case tiny, small, full

    /// Reports of a few rows each, as most receivers send them daily.
    var smallReports: Int {
        switch self {
        case .tiny: 24
        case .small: 1_000
        case .full: 5_000
        }
    }

    /// A few very large reports (one big tenant seen by a big receiver), one per receiver style.
    var largeReports: Int {
        switch self {
        case .tiny: 1
        case .small: 2
        case .full: 4
        }
    }

    var recordsPerLargeReport: Int {
        switch self {
        case .tiny: 2_000
        case .small: 40_000
        case .full: 150_000
        }
    }

    /// Size of the single report the memory phase parses (`--large-mib` overrides).
    var largeMiB: Int {
        switch self {
        case .tiny: 2
        case .small: 64
        case .full: 500
        }
    }

    /// Rows in `records` before the query phase; stored rows beyond the corpus are cloned server-side.
    var storedRowsForQueries: Int {
        switch self {
        case .tiny: 0
        case .small: 1_000_000
        case .full: 10_000_000
        }
    }

    /// Repetitions of the phases that do not change the database; the median is reported.
    var repetitions: Int { self == .tiny ? 1 : 3 }

    var queryRepetitions: Int {
        switch self {
        case .tiny: 5
        case .small: 40
        case .full: 20  // each call may scan 10M rows while the index is missing (see BENCHMARKS.md)
        }
    }

    /// Small reports given to parsedmarc (it is far slower; the ratio needs the same files only).
    var peerFiles: Int { self == .tiny ? 24 : 300 }
}
