import Foundation
import Testing

@testable import Store

@Suite("test support: what a trapped test process left behind is removed by the next")
struct LeftoverCleanupTests {
    @Test("a dead owner's directories are removed and the server running in one of them is stopped; a live owner's are kept")
    func deadOwnersLeftoversRemoved() throws {
        // A pid that was alive and has ended: /bin/true, waited for.
        let dead = try DMARCBinary.spawn([], outputDirectory: try makeTemporaryDirectory(prefix: "dmarc-out-"), executable: "/bin/true")
        _ = DMARCBinary.wait(dead)
        #expect(!LeftoverTestFiles.isAlive(dead))

        let left = try makeTemporaryDirectory(prefix: "dmarc-left-")
        let cluster = ManagedPostgres(directory: left + "/pg", settings: ["fsync": "off"])
        try cluster.start()
        defer { _ = try? cluster.stop(immediate: true) }
        guard case .running(let postmaster) = cluster.state() else {
            Issue.record("the cluster did not start")
            return
        }
        let kept = try makeTemporaryDirectory(prefix: "dmarc-kept-")
        let deadList = NSTemporaryDirectory() + "/" + LeftoverTestFiles.listPrefix + String(dead)
        try (left + "\n").write(toFile: deadList, atomically: false, encoding: .utf8)
        // Our own list names `kept` (makeTemporaryDirectory wrote it): we are alive, so it stays.

        LeftoverTestFiles.remove()

        #expect(!FileManager.default.fileExists(atPath: left))
        #expect(!FileManager.default.fileExists(atPath: deadList))
        #expect(!LeftoverTestFiles.isAlive(pid_t(postmaster)), "postmaster \(postmaster) still runs")
        #expect(FileManager.default.fileExists(atPath: kept))
        let ownList = try String(
            contentsOfFile: NSTemporaryDirectory() + "/" + LeftoverTestFiles.listPrefix + String(getpid()),
            encoding: .utf8)
        #expect(ownList.split(separator: "\n").contains { $0 == kept })
    }
}
