import Foundation
import LocalCluster
import Postgres
import Testing

@_spi(Testing) @testable import Store

/// Crash safety of the batched path (small files, 64 to a transaction): the binary killed, or the
/// server crashed hard, at a fault point the test chooses (`DMARC_FAULT_POINT`), in the second of
/// three batches. After a rerun, what is stored equals one clean run of the same files exactly.
@Suite("crash safety: small files batched", .dropsTestDatabases)
struct BatchedCrashTests {
    enum Fault: String, CaseIterable, CustomTestStringConvertible {
        /// Batch 2 copied, not committed: batch 1 is all that survives.
        case afterCopy = "after-batch-copy"
        /// Batch 2 committed, its files not yet moved to the archive.
        case afterCommit = "after-batch-commit"

        var testDescription: String { rawValue }
        /// Batches committed when the fault strikes in batch 2.
        var committedBatches: Int { self == .afterCopy ? 1 : 2 }
    }

    static let batch = 64

    /// The first word of each ledger line: the file's name.
    static func ledgerNames(_ state: StoredState) -> [String] {
        state.ledger.map { String($0.prefix { $0 != " " }) }.sorted()
    }

    /// Compares two stored states field by field, so that a failure says which.
    static func expectEqual(_ actual: StoredState, _ expected: StoredState) {
        #expect(actual.reports == expected.reports)
        #expect(actual.records == expected.records)
        #expect(actual.originals == expected.originals)
        #expect(actual.messagesByDomain == expected.messagesByDomain)
        #expect(actual.ledger == expected.ledger)
        #expect(actual.partialReports == 0)
        #expect(actual.fingerprint == expected.fingerprint)
    }

    @Test("dmarc killed (SIGKILL) in batch 2 of 3, then a rerun: exactly what one clean run stores", arguments: Fault.allCases)
    func killAtBatchPoint(_ fault: Fault) throws {
        let inbox = try CrashInbox(prefix: "kill-batch")
        defer { inbox.remove() }
        let names = try inbox.names()
        #expect(names.count == CrashInbox.fileCount)
        let clean = try inbox.cleanRun()
        #expect(clean.reports == 150 && clean.ledger.count == CrashInbox.fileCount, "\(clean.ledger.count) ledger rows")
        #expect(clean.messagesByDomain.count == CrashInbox.domains.count)

        let database = try TestCluster.get().freshDatabase()
        let run = try FaultedRun(inbox.ingestArguments(database.conninfo), fault: "\(fault.rawValue):2:kill")
        #expect(run.wait() == 128 + SIGKILL, "\(run.stdout)\n\(run.stderr)")

        // Committed batches are whole and in the ledger; only batch 1 was moved to the archive.
        let committed = Self.batch * fault.committedBatches
        let crashed = try StoredState(database.connect())
        #expect(Self.ledgerNames(crashed) == Array(names[..<committed]))
        #expect(crashed.partialReports == 0)
        #expect(try CrashInbox.names(under: inbox.archive) == Array(names[..<Self.batch]))
        #expect(try inbox.names() == Array(names[Self.batch...]))

        let rerun = try DMARCBinary.run(inbox.ingestArguments(database.conninfo))
        #expect(rerun.status == 65, "\(rerun.stdout)\n\(rerun.stderr)")
        var expected = clean
        if fault == .afterCommit {
            // Batch 2 was stored but still in the inbox: the rerun finds each of its files a duplicate.
            expected.ledger = StoredState.ledger(clean.ledger, plusDuplicates: Array(names[Self.batch..<committed]))
        }
        Self.expectEqual(try StoredState(database.connect()), expected)
        #expect(try CrashInbox.names(under: inbox.archive) == names.filter { $0 != "z-broken.xml" })
        #expect(try CrashInbox.names(under: inbox.quarantine) == ["z-broken.xml"])
        #expect(try inbox.names().isEmpty)
    }

    @Test(
        "dmarc --jobs 2 killed at the second time either worker reaches the point: only committed files archived; a rerun gives one clean run",
        arguments: Fault.allCases)
    func killWithTwoWorkers(_ fault: Fault) throws {
        let inbox = try CrashInbox(prefix: "kill-jobs")
        defer { inbox.remove() }
        let names = try inbox.names()
        let clean = try inbox.cleanRun()

        let database = try TestCluster.get().freshDatabase()
        var arguments = inbox.ingestArguments(database.conninfo)
        arguments[2] = "2"  // --jobs 2
        let run = try FaultedRun(arguments, fault: "\(fault.rawValue):2:kill")
        #expect(run.wait() == 128 + SIGKILL, "\(run.stdout)\n\(run.stderr)")

        // Which batches got through depends on the two workers; what holds whatever they did: only
        // committed files were moved, and every committed report is whole.
        let crashed = try StoredState(database.connect())
        let committed = Set(Self.ledgerNames(crashed))
        let archived = Set(try CrashInbox.names(under: inbox.archive))
        #expect(archived.isSubset(of: committed), "archived but not committed: \(archived.subtracting(committed).sorted())")
        #expect(committed.count < names.count, "\(committed.count) committed")
        #expect(crashed.partialReports == 0)
        #expect(Set(try inbox.names()) == Set(names).subtracting(archived))

        let rerun = try DMARCBinary.run(arguments)
        #expect(rerun.status == 65, "\(rerun.stdout)\n\(rerun.stderr)")
        var expected = clean
        expected.ledger = StoredState.ledger(clean.ledger, plusDuplicates: committed.subtracting(archived).sorted())
        Self.expectEqual(try StoredState(database.connect()), expected)
        #expect(try inbox.names().isEmpty)
    }

    @Test(
        "the server crashed hard (pg_ctl stop -m immediate) in batch 2 of 3: exit 75, committed batches kept, a rerun completes exactly",
        arguments: Fault.allCases)
    func serverCrashAtBatchPoint(_ fault: Fault) throws {
        let inbox = try CrashInbox(prefix: "crash-batch")
        defer { inbox.remove() }
        let names = try inbox.names()
        let clean = try inbox.cleanRun()

        let server = try CrashableCluster()
        guard try server.crash(during: inbox.ingestArguments(server.conninfo), at: "\(fault.rawValue):2:stop") else { return }

        // What the client saw committed survived the crash, and exactly that was archived.
        try server.restart()
        let committed = Self.batch * fault.committedBatches
        let crashed = try server.state()
        #expect(Self.ledgerNames(crashed) == Array(names[..<committed]))
        #expect(crashed.partialReports == 0)
        #expect(try CrashInbox.names(under: inbox.archive) == Array(names[..<committed]))
        #expect(try inbox.names() == Array(names[committed...]))

        let rerun = try DMARCBinary.run(inbox.ingestArguments(server.conninfo))
        #expect(rerun.status == 65, "\(rerun.stdout)\n\(rerun.stderr)")
        Self.expectEqual(try server.state(), clean)
        #expect(try CrashInbox.names(under: inbox.archive) == names.filter { $0 != "z-broken.xml" })
        #expect(try CrashInbox.names(under: inbox.quarantine) == ["z-broken.xml"])
        #expect(try inbox.names().isEmpty)
    }
}
