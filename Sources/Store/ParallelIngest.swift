import Foundation
import Postgres
import Synchronization

/// Ingests a batch over several connections at once, one worker thread per connection.
///
/// One connection keeps one core busy at most: while this process reads and parses a file, its
/// server backend waits, and while the backend updates indexes, the reader waits. Two or more
/// workers let both sides run on every core (issue 7). Each worker takes the next unit of work from a
/// shared queue (`FileBatch.units`: the large files, largest first, then runs of consecutive small
/// files stored as one batch each), so one large file does not hold the small ones back. Everything
/// that makes a single run safe holds here too: each file is stored whole or not at all, the advisory
/// locks (per file hash, per report identity) make workers take turns on the same file or report,
/// and a deadlock between them is retried like one with a concurrent run. Batches take their locks in the order of their files
/// (`LockTurns`), so that which of two differing copies of a report in small files is stored does
/// not depend on which worker was faster.
public struct ParallelIngest {
    /// Workers; at most one per file.
    public let jobs: Int
    public let options: IngestOptions

    public init(jobs: Int, options: IngestOptions = IngestOptions()) {
        self.jobs = max(1, jobs)
        self.options = options
    }

    /// A sensible default for `--jobs`: one per core, at most four (more buys nothing on the
    /// machines measured, and each is a server backend).
    public static var defaultJobs: Int { min(4, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    /// Ingests `files` with `connections` (one per worker; fewer files than connections leave the
    /// rest idle). The summary is the same as one `Ingestor` over all files would give, its
    /// rejections in the order of `files`. Stops early only when the database becomes unavailable.
    public func ingest(
        files: [String], connections: [PostgresConnection],
        progress: (@Sendable (IngestProgress) -> Void)? = nil
    ) throws -> IngestSummary {
        precondition(!connections.isEmpty, "ParallelIngest needs at least one connection")
        let shared = Mutex(SharedState())
        let units = FileBatch.units(of: files, maxFiles: options.filesPerTransaction)
        // Turns for the batches only, numbered in their order: a streamed file takes its report locks
        // as it reads them, and is not held back for the batches.
        let firstBatch = units.firstIndex { if case .batch = $0 { true } else { false } } ?? units.count
        let turns = LockTurns()
        let workers = WorkerConnections(connections.prefix(max(1, min(jobs, units.count))).map { $0 })
        let options = options
        DispatchQueue.concurrentPerform(iterations: workers.count) { worker in
            let ingestor = Ingestor(connection: workers[worker], options: options)
            while true {
                let next: (unit: Int, soFar: IngestSummary)? = shared.withLock { state in
                    guard state.failure == nil, state.summary.databaseFailure == nil, state.next < units.count else {
                        return nil
                    }
                    defer { state.next += 1 }
                    return (state.next, state.summary)
                }
                guard let (unit, soFar) = next else { return }
                let first = units[unit].first
                progress?(
                    IngestProgress(
                        index: first, total: files.count, path: files[first], reportsSoFar: soFar.reports,
                        rowsSoFar: soFar.rows))
                // A batched file counts when its batch is stored: each unit has a summary of its own.
                var summary = IngestSummary()
                summary.quarantine = options.quarantine
                do {
                    switch units[unit] {
                    case .single(let index):
                        try ingestor.ingest(file: files[index], into: &summary)
                    case .batch(let indices):
                        let turn = turns.turn(unit - firstBatch)
                        // Whatever happens to this batch, the ones after it must not wait for its turn.
                        defer { turn.finish() }
                        try ingestor.ingest(batchOf: indices.map { files[$0] }, turn: turn, into: &summary)
                    }
                } catch let error as PostgresError where error.isConnectionProblem {
                    summary.databaseFailure = error.message
                } catch {
                    shared.withLock { state in
                        if state.failure == nil { state.failure = SendableError(error) }
                    }
                    return
                }
                shared.withLock { $0.summary.add(summary) }
            }
        }
        let state = shared.withLock { $0 }
        if let failure = state.failure { throw failure.error }
        var summary = state.summary
        summary.quarantine = options.quarantine
        let order = Dictionary(files.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        summary.rejections.sort { (order[$0.path] ?? Int.max) < (order[$1.path] ?? Int.max) }
        summary.notMoved.sort { (order[$0.path] ?? Int.max) < (order[$1.path] ?? Int.max) }
        return summary
    }

    private struct SharedState: Sendable {
        var next = 0
        var summary = IngestSummary()
        var failure: SendableError?
    }
}

/// An error thrown by a worker, carried to the thread that waits for them.
private struct SendableError: @unchecked Sendable {
    // Errors thrown here are value types (StoreError, PostgresError) or Foundation errors; the
    // worker that threw is finished with it before another thread reads it.
    let error: any Error
    init(_ error: any Error) { self.error = error }
}

/// The workers' connections. A `PostgresConnection` is not Sendable: worker i uses connections[i]
/// and nothing else touches them until every worker has returned.
private struct WorkerConnections: @unchecked Sendable {
    private let connections: [PostgresConnection]
    init(_ connections: [PostgresConnection]) { self.connections = connections }
    var count: Int { connections.count }
    subscript(index: Int) -> PostgresConnection { connections[index] }
}

extension IngestSummary {
    /// Adds another part of the same run (a worker's, a fetch batch's).
    public mutating func add(_ other: IngestSummary) {
        files += other.files
        reports += other.reports
        rows += other.rows
        duplicateFiles += other.duplicateFiles
        duplicateReports += other.duplicateReports
        conflicts += other.conflicts
        rejections += other.rejections
        notMoved += other.notMoved
        withoutReport += other.withoutReport
        if databaseFailure == nil { databaseFailure = other.databaseFailure }
    }
}
