internal import CCAres
import Foundation

/// How the resolver asks: which server, how long to wait, how often to try, how much at once.
public struct ResolverOptions: Sendable, Hashable {
    /// `IP:PORT` or `[IPv6]:PORT` of the server to ask; nil: the system's (`/etc/resolv.conf`).
    public var server: String?
    /// Per try; c-ares doubles it for each further round over the servers.
    public var timeoutMilliseconds: Int
    public var tries: Int
    /// Queries sent and not yet answered, at most; further ones wait in order.
    public var maxInFlight: Int

    public init(server: String? = nil, timeoutMilliseconds: Int = 2_000, tries: Int = 3, maxInFlight: Int = 256) {
        self.server = server
        self.timeoutMilliseconds = timeoutMilliseconds
        self.tries = tries
        self.maxInFlight = maxInFlight
    }

    /// Checks `HOST:PORT` as c-ares takes it: an IP address (v6 in brackets) and a port 1–65535.
    public static func validServer(_ text: String) -> Bool {
        var host = Substring(text), port: Substring
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let rest = host[host.index(after: close)...]
            guard rest.hasPrefix(":") else { return false }
            port = rest.dropFirst()
            host = host[host.index(after: host.startIndex)..<close]
            guard host.contains(":") else { return false }
        } else {
            guard let colon = host.lastIndex(of: ":"), host.filter({ $0 == ":" }).count == 1 else { return false }
            port = host[host.index(after: colon)...]
            host = host[..<colon]
            let parts = host.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        }
        guard let number = Int(port), (1...65_535).contains(number) else { return false }
        return host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}

public struct ResolverError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A stub resolver over c-ares: one event-loop thread owns the c-ares channel (c-ares channels are
/// not thread-safe), tasks hand it questions through a locked queue and a wake-up pipe and await
/// the answers. Answers are cached for the resolver's life (one check run), and one question asked
/// by many tasks at once goes out once: 5,000 SPF records including the same provider record ask
/// for that record once.
public final class DNSResolver: DNSLookup, @unchecked Sendable {
    /// At most this many CNAMEs are followed; RFC 1034 resolvers use similar small limits.
    public static let maxCNAMEs = 8

    private let options: ResolverOptions
    // Shared between the tasks and the loop thread, under `lock`.
    private let lock = NSLock()
    private var queue: [(Key, CheckedContinuation<RawAnswer, Never>)] = []
    private var closed = false
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let finished = DispatchSemaphore(value: 0)
    // Touched by the loop thread only.
    private var channel: ares_channel?
    private var cache: [Key: RawAnswer] = [:]
    private var waiting: [Key: [CheckedContinuation<RawAnswer, Never>]] = [:]
    private var backlog: [Key] = []
    private var backlogStart = 0
    private var inFlight = 0

    struct Key: Hashable, Sendable {
        var name: String
        var type: DNSRecordType
    }

    struct RawAnswer: Sendable {
        var status: Int32
        var section: AnswerReader.Section?
        var detail: String?
    }

    public init(options: ResolverOptions = ResolverOptions()) throws(ResolverError) {
        self.options = options
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ResolverError(message: "cannot create a pipe: errno \(errno)") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)

        let initStatus = ares_library_init(ARES_LIB_INIT_ALL)
        guard initStatus == ARES_SUCCESS else {
            close(wakeRead)
            close(wakeWrite)
            throw ResolverError(message: "c-ares: \(String(cString: ares_strerror(initStatus)))")
        }
        var aresOptions = ares_options()
        aresOptions.timeout = Int32(clamping: options.timeoutMilliseconds)
        aresOptions.tries = Int32(clamping: max(1, options.tries))
        // EDNS with a 1232-byte buffer (the DNS flag day's size): big TXT answers come by UDP when
        // they fit, and by TCP when truncated (c-ares retries over TCP by itself). NOCHECKRESP: c-ares
        // would otherwise treat SERVFAIL and REFUSED as a dead server and end in "could not contact
        // DNS servers", losing the difference between "the zone is broken" and "no server answers".
        aresOptions.flags = ARES_FLAG_EDNS | ARES_FLAG_NOCHECKRESP
        aresOptions.ednspsz = 1232
        var created: ares_channel?
        let status = ares_init_options(
            &created, &aresOptions, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ)
        guard status == ARES_SUCCESS, let created else {
            close(wakeRead)
            close(wakeWrite)
            ares_library_cleanup()
            throw ResolverError(message: "c-ares cannot start: \(String(cString: ares_strerror(status)))")
        }
        if let server = options.server {
            let set = ares_set_servers_ports_csv(created, server)
            guard set == ARES_SUCCESS else {
                ares_destroy(created)
                ares_library_cleanup()
                close(wakeRead)
                close(wakeWrite)
                throw ResolverError(
                    message: "'\(server)' is no resolver address (IP:PORT or [IPv6]:PORT): "
                        + String(cString: ares_strerror(set)))
            }
        }
        channel = created
        let thread = Thread { [self] in loop() }
        thread.name = "dmarc-dns"
        thread.start()
    }

    /// Stops the loop thread; questions still open end as `failure`. Call once, when done.
    public func shutdown() {
        lock.lock()
        let wasClosed = closed
        closed = true
        lock.unlock()
        guard !wasClosed else { return }
        wake()
        finished.wait()
        close(wakeRead)
        close(wakeWrite)
    }

    /// The records of `type` at `name`, following CNAMEs (inside one answer and across queries, as a
    /// stub must when the server is authoritative only for the first name).
    public func lookup(_ name: String, _ type: DNSRecordType) async -> DNSAnswer {
        let start = AnswerReader.normalisedName(name)
        var current = start
        var chain: [String] = []
        var seen: Set<String> = [current]
        while true {
            let raw = await query(Key(name: current, type: type))
            var outcome = DNSResolver.outcome(raw.status)
            var records: (texts: [String], addresses: [String], exchanges: [String]) = ([], [], [])
            var target = current
            if let section = raw.section {
                while let next = section.cnames[target] {
                    guard !seen.contains(next), chain.count < DNSResolver.maxCNAMEs else {
                        return DNSAnswer(
                            name: start, type: type, outcome: .cnameLoop, cnames: chain + [next],
                            detail: "CNAME chain loops or exceeds \(DNSResolver.maxCNAMEs) names at \(next)")
                    }
                    seen.insert(next)
                    chain.append(next)
                    target = next
                }
                records = (
                    section.texts[target] ?? [], section.addresses[target] ?? [],
                    (section.exchanges[target] ?? []).sorted { $0.preference < $1.preference }.map(\.name)
                )
            }
            let found: Bool
            switch type {
            case .txt: found = !records.texts.isEmpty
            case .a, .aaaa: found = !records.addresses.isEmpty
            case .mx: found = !records.exchanges.isEmpty
            case .cname: found = target != current
            }
            if outcome == .answer, !found {
                if target != current {
                    current = target  // the chain leaves what this server answered: ask for its end
                    continue
                }
                outcome = .noData
            }
            return DNSAnswer(
                name: start, type: type, outcome: outcome, cnames: chain, texts: records.texts,
                addresses: records.addresses, exchanges: records.exchanges,
                detail: outcome.isDefinite ? nil : raw.detail)
        }
    }

    static func outcome(_ status: Int32) -> DNSOutcome {
        switch status {
        case ARES_SUCCESS: .answer
        case ARES_ENODATA: .noData
        case ARES_ENOTFOUND: .nxdomain
        case ARES_ESERVFAIL: .servfail
        case ARES_EREFUSED: .refused
        case ARES_ETIMEOUT: .timeout
        default: .failure
        }
    }

    // MARK: Handing questions to the loop thread

    private func query(_ key: Key) async -> RawAnswer {
        await withCheckedContinuation { continuation in
            lock.lock()
            if closed {
                lock.unlock()
                continuation.resume(returning: RawAnswer(status: ARES_EDESTRUCTION, detail: "resolver shut down"))
                return
            }
            queue.append((key, continuation))
            let first = queue.count == 1
            lock.unlock()
            if first { wake() }
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // a full pipe already wakes the loop: EAGAIN is fine
    }

    // MARK: The loop thread

    private func loop() {
        while true {
            guard let channel else { break }
            if dmarc_ares_turn(channel, wakeRead, 1_000) == 1 {
                var drain = [UInt8](repeating: 0, count: 256)
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            lock.lock()
            let arrived = queue
            queue.removeAll(keepingCapacity: true)
            let stopping = closed
            lock.unlock()
            for (key, continuation) in arrived { accept(key, continuation) }
            send()
            if stopping { break }
        }
        // Answers every open question (c-ares calls each callback with ARES_EDESTRUCTION).
        if let channel { ares_destroy(channel) }
        channel = nil
        for key in backlog[backlogStart...] { complete(key, RawAnswer(status: ARES_EDESTRUCTION, detail: "resolver shut down")) }
        backlog.removeAll()
        ares_library_cleanup()
        finished.signal()
    }

    private func accept(_ key: Key, _ continuation: CheckedContinuation<RawAnswer, Never>) {
        if let cached = cache[key] { return continuation.resume(returning: cached) }
        if waiting[key] != nil {
            waiting[key]?.append(continuation)
            return
        }
        waiting[key] = [continuation]
        backlog.append(key)
    }

    private func send() {
        guard let channel else { return }
        while inFlight < options.maxInFlight, backlogStart < backlog.count {
            let key = backlog[backlogStart]
            backlogStart += 1
            inFlight += 1
            let context = Unmanaged.passRetained(QueryContext(resolver: self, key: key)).toOpaque()
            ares_query(channel, key.name, 1 /* class IN */, key.type.code, { argument, status, _, packet, length in
                guard let argument else { return }
                let context = Unmanaged<QueryContext>.fromOpaque(argument).takeRetainedValue()
                var raw = RawAnswer(status: status)
                if let packet, length > 0 {
                    raw.section = AnswerReader.read(UnsafeBufferPointer(start: packet, count: Int(length)))
                    if raw.section == nil, status == ARES_SUCCESS {
                        raw.status = ARES_EBADRESP
                        raw.detail = "malformed answer"
                    }
                }
                if raw.detail == nil, status != ARES_SUCCESS { raw.detail = String(cString: ares_strerror(status)) }
                context.resolver.inFlight -= 1
                context.resolver.complete(context.key, raw)
            }, context)
        }
        if backlogStart == backlog.count {
            backlog.removeAll(keepingCapacity: true)
            backlogStart = 0
        }
    }

    private func complete(_ key: Key, _ raw: RawAnswer) {
        if raw.status != ARES_EDESTRUCTION { cache[key] = raw }
        let continuations = waiting.removeValue(forKey: key) ?? []
        for continuation in continuations { continuation.resume(returning: raw) }
    }
}

/// What a c-ares callback needs to find its question again; retained across the C call.
private final class QueryContext {
    let resolver: DNSResolver
    let key: DNSResolver.Key
    init(resolver: DNSResolver, key: DNSResolver.Key) {
        self.resolver = resolver
        self.key = key
    }
}
