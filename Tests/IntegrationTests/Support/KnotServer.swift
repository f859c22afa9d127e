import Foundation
import Resolver

/// A real authoritative DNS server (Debian's knotd) on loopback, with zones written by the test.
/// Each test starts its own on a free port and stops it when done. A zone given as nil content is
/// configured with a file that does not parse, so knot answers SERVFAIL for it.
final class KnotServer: @unchecked Sendable {
    let directory: String
    let port: Int
    private let process: Process

    var address: String { "127.0.0.1:\(port)" }

    /// `zones`: origin → records (lines after the SOA and NS, relative to the origin), or nil to break it.
    /// Tests call `start(zones:)`: this waits on the cooperative pool (see there).
    private init(zones: [String: String?]) throws {
        directory = try makeTemporaryDirectory(prefix: "dmarc-knot-")
        var config = """
            server:
                listen: 127.0.0.1@PORT
                rundir: \(directory)
                user: root:root
            database:
                storage: \(directory)/db
            log:
              - target: \(directory)/knot.log
                any: info
            template:
              - id: default
                storage: \(directory)
                zonefile-sync: -1
                journal-content: none
            zone:

            """
        for (origin, records) in zones.sorted(by: { $0.key < $1.key }) {
            let zone: String
            if let records {
                zone = """
                    $ORIGIN \(origin).
                    $TTL 60
                    @ SOA ns.\(origin). hostmaster.\(origin). 1 60 60 60 60
                    @ NS ns.\(origin).
                    ns A 127.0.0.1
                    \(records)

                    """
            } else {
                zone = "this is no zone file\n"
            }
            try zone.write(toFile: "\(directory)/\(origin).zone", atomically: true, encoding: .utf8)
            config += "  - domain: \(origin)\n    file: \(origin).zone\n"
        }
        // A port the kernel just handed out and released; knot fails to bind if someone took it since,
        // and then the next free port is tried.
        var attempt = 0
        while true {
            let candidate = try LoopbackPort.free(type: Int32(SOCK_DGRAM.rawValue))
            try config.replacingOccurrences(of: "PORT", with: String(candidate))
                .write(toFile: "\(directory)/knot.conf", atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/knotd")
            process.arguments = ["-c", "\(directory)/knot.conf"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let ready = KnotServer.waitUntilAnswering(
                port: candidate, origin: zones.first { $0.value != nil }?.key, process: process)
            if ready {
                self.port = candidate
                self.process = process
                return
            }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            attempt += 1
            if attempt == 5 {
                let log = (try? String(contentsOfFile: "\(directory)/knot.log", encoding: .utf8)) ?? ""
                throw KnotError(message: "knotd did not start: \(log)")
            }
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    struct KnotError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Asks for the first good zone's apex TXT until the answer is definite (the zone is loaded);
    /// false when knotd exits (port taken) or 10 s pass.
    private static func waitUntilAnswering(port: Int, origin: String?, process: Process) -> Bool {
        guard let origin else { return process.isRunning }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, process.isRunning {
            // A fresh resolver each round: the first one caches the not-yet-loaded answer.
            guard let probe = try? DNSResolver(
                options: ResolverOptions(server: "127.0.0.1:\(port)", timeoutMilliseconds: 100, tries: 1))
            else { return false }
            let answer = blockingLookup(probe, "ns.\(origin)")
            probe.shutdown()
            if answer.outcome == .answer { return true }
            usleep(20_000)
        }
        return false
    }

    /// `init(zones:)` on a thread of its own, awaited: how every test starts a knotd. `init` waits
    /// for knotd with `blockingLookup`, which blocks its thread until a task on the cooperative pool
    /// answers; two such waits on pool threads at once (two test suites, a 2-core machine: a pool
    /// of two) would leave no thread to answer either, for ever.
    static func start(zones: [String: String?]) async throws -> KnotServer {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try KnotServer(zones: zones) }) }.start()
        }
    }

    static func blockingLookup(_ resolver: DNSResolver, _ name: String, _ type: DNSRecordType = .a) -> DNSAnswer {
        final class Box: @unchecked Sendable { var answer: DNSAnswer? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.answer = await resolver.lookup(name, type)
            done.signal()
        }
        done.wait()
        return box.answer ?? DNSAnswer(name: name, type: type, outcome: .failure)
    }
}

/// A UDP socket on loopback that never answers: the resolver's timeout, for real.
final class SilentServer: @unchecked Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound else { throw KnotServer.KnotError(message: "cannot bind a UDP socket") }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    var address: String { "127.0.0.1:\(port)" }

    func close() { _ = Foundation.close(fd) }
}
