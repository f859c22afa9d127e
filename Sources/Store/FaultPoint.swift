import Foundation
import Synchronization

/// Places in an ingest where the crash-safety tests make the process die or pause, so that a crash
/// lands exactly there rather than wherever a timer happens to find it.
///
/// Armed by `DMARC_FAULT_POINT=POINT:N:ACTION`: the N-th time (from 1) this process reaches POINT it
/// raises SIGKILL on itself (`kill`) or SIGSTOP (`stop`: the test sees it stopped with
/// `waitpid(WUNTRACED)`, crashes the server, then sends SIGCONT). Debug builds only; a release
/// build never reads the variable.
public enum FaultPoint: String, Sendable {
    /// A batch's originals, reports, records and ledger rows are copied; its commit has not been sent.
    case afterBatchCopy = "after-batch-copy"
    /// A batch committed; none of its files has been counted or moved to the archive yet.
    case afterBatchCommit = "after-batch-commit"
    /// A streamed file is stored; its commit has not been sent.
    case afterFileCopy = "after-file-copy"
    /// A streamed file committed; it has not been moved to the archive yet.
    case afterFileCommit = "after-file-commit"
    /// `dmarc fetch`: a message is fetched and written to the spool; it has not been ingested.
    case afterIMAPFetch = "after-imap-fetch"
    /// `dmarc fetch`: a batch is ingested and recorded in imap_messages; nothing is moved yet.
    case afterIMAPRecord = "after-imap-record"
    /// `dmarc fetch`: a batch's messages are moved on the server; their moves are not recorded yet.
    case afterIMAPMove = "after-imap-move"

    public func reach() {
        #if DEBUG
            guard let armed = Self.armed, armed.point == self else { return }
            let hit = Self.hits.withLock { count in
                count += 1
                return count
            }
            if hit == armed.hit { raise(armed.signal) }
        #endif
    }

    #if DEBUG
        private static let armed: (point: FaultPoint, hit: Int, signal: Int32)? = {
            guard let text = ProcessInfo.processInfo.environment["DMARC_FAULT_POINT"] else { return nil }
            let parts = text.split(separator: ":").map(String.init)
            guard parts.count == 3, let point = FaultPoint(rawValue: parts[0]), let hit = Int(parts[1]), hit > 0 else {
                return nil
            }
            switch parts[2] {
            case "kill": return (point, hit, SIGKILL)
            case "stop": return (point, hit, SIGSTOP)
            default: return nil
            }
        }()
        private static let hits = Mutex(0)
    #endif
}
