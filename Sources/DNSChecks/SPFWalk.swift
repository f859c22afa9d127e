import DMARC
import Resolver

/// Follows an SPF record's include/redirect tree as an evaluator that matches nothing would (the
/// worst case, which is what the limits are about), counting DNS lookups and void lookups
/// (RFC 7208 §4.6.4) and collecting what the tree authorises.
struct SPFWalk {
    /// RFC 7208 §4.6.4.
    static let lookupLimit = 10
    static let voidLimit = 2
    /// Names an `mx` term may resolve to (RFC 7208 §4.6.4).
    static let mxNameLimit = 10
    /// Past this many lookups nothing more is asked: the record fails anyway, and a hostile tree
    /// must not make the checker send thousands of queries.
    static let walkLimit = 40

    let lookup: any DNSLookup

    var lookups = 0
    var voids = 0
    /// The term that made the count cross 10, with the top-level include it sits under.
    var lookupCrossing: (term: String, under: String?)?
    var voidCrossing: (term: String, under: String?)?
    /// Every include or redirect target reached, in order.
    var reached: [String] = []
    /// `include:` / `redirect=` targets with no SPF record (permerror), and how the lookup ended.
    var missing: [(term: String, outcome: DNSOutcome)] = []
    /// `mx` terms whose MX set has more than 10 names (permerror), with the record they are in.
    var mxOverLimit: [(term: String, record: String, names: Int)] = []
    /// Terms that point back to a record already on the path.
    var loops: [String] = []
    /// Lookups that failed (SERVFAIL, timeout): the record's result would be temperror.
    var failures: [DNSAnswer] = []
    /// Networks that `+` terms authorise (ip4/ip6, and a/mx resolved to addresses).
    var networks: [IPNetwork] = []
    /// Syntax errors, with the record they are in.
    var errors: [String] = []
    /// Terms with macros (`%{i}`): they depend on the message and cannot be followed here.
    var macros: [String] = []
    var ptrTerms: [String] = []

    init(lookup: any DNSLookup) {
        self.lookup = lookup
    }

    /// Walks `record` (the text at `domain`); `path` holds the domains whose records led here.
    mutating func walk(domain: String, record: String, path: [String], under: String?) async {
        let parsed = SPFRecord(record)
        for bad in parsed.errors { errors.append("'\(bad)' in the record of \(domain)") }
        var hasAll = false
        var redirect: String?
        for term in parsed.terms {
            if lookups > SPFWalk.walkLimit { return }
            switch term {
            case .all:
                hasAll = true
            case .redirect(let target):
                redirect = target
            case .modifier:
                break
            case .ip4(let qualifier, let text), .ip6(let qualifier, let text):
                guard let network = IPNetwork.masked(text) else {
                    errors.append("'\(text)' in the record of \(domain) is no network")
                    continue
                }
                if qualifier == .pass { networks.append(network) }
            case .include(_, let target):
                let label = "include:\(target)"
                count(label, under: under ?? label)
                await follow(target, label: label, path: path + [domain], under: under ?? label)
            case .a(let qualifier, let target, let v4, let v6):
                let host = target ?? domain
                let label = target.map { "a:\($0)" } ?? "a"
                count(label, under: under)
                guard let name = resolvable(host, label) else { continue }
                let found = await addresses(of: name, v4, v6)
                if found.isEmpty { countVoid(label, under: under) }
                if qualifier == .pass { networks += found }
            case .mx(let qualifier, let target, let v4, let v6):
                let host = target ?? domain
                let label = target.map { "mx:\($0)" } ?? "mx"
                count(label, under: under)
                guard let name = resolvable(host, label) else { continue }
                let answer = await lookup.lookup(name, .mx)
                guard usable(answer) else { continue }
                if answer.exchanges.isEmpty { countVoid(label, under: under) }
                // RFC 7208 §4.6.4: an mx term with more than 10 names is a permerror when evaluation
                // reaches it; it authorises nothing, and its names are not asked for.
                if answer.exchanges.count > SPFWalk.mxNameLimit {
                    mxOverLimit.append((term: label, record: domain, names: answer.exchanges.count))
                    continue
                }
                for exchange in answer.exchanges {
                    let found = await addresses(of: exchange, v4, v6)
                    if qualifier == .pass { networks += found }
                }
            case .ptr(_, let target):
                let label = target.map { "ptr:\($0)" } ?? "ptr"
                count(label, under: under)
                ptrTerms.append(label)
            case .exists(_, let target):
                let label = "exists:\(target)"
                count(label, under: under)
                guard let name = resolvable(target, label) else { continue }
                let answer = await lookup.lookup(name, .a)
                if usable(answer), answer.addresses.isEmpty { countVoid(label, under: under) }
            }
        }
        if let redirect, !hasAll {
            let label = "redirect=\(redirect)"
            count(label, under: under ?? label)
            await follow(redirect, label: label, path: path + [domain], under: under ?? label)
        }
    }

    private mutating func follow(_ target: String, label: String, path: [String], under: String) async {
        guard let name = resolvable(target, label) else { return }
        if path.contains(name) {
            loops.append("\(label) in the record of \(path.last ?? name) leads back to \(name)")
            return
        }
        reached.append(name)
        let answer = await lookup.lookup(name, .txt)
        guard usable(answer) else { return }
        let records = answer.texts.filter(SPFRecord.isSPF)
        if records.isEmpty {
            if answer.outcome != .answer || answer.texts.isEmpty { countVoid(label, under: under) }
            missing.append((label, answer.outcome == .answer ? .noData : answer.outcome))
            return
        }
        if records.count > 1 { errors.append("\(name) has \(records.count) SPF records (\(label))") }
        await walk(domain: name, record: records[0], path: path, under: under)
    }

    /// Records a failed lookup; true when the answer can be used.
    private mutating func usable(_ answer: DNSAnswer) -> Bool {
        if answer.outcome.isDefinite { return true }
        failures.append(answer)
        return false
    }

    private mutating func count(_ term: String, under: String?) {
        lookups += 1
        if lookups == SPFWalk.lookupLimit + 1 { lookupCrossing = (term, under == term ? nil : under) }
    }

    private mutating func countVoid(_ term: String, under: String?) {
        voids += 1
        if voids == SPFWalk.voidLimit + 1 { voidCrossing = (term, under == term ? nil : under) }
    }

    /// The domain to query, or nil (noted) for macros and names that are no domain.
    private mutating func resolvable(_ target: String, _ label: String) -> String? {
        if target.contains("%") {
            macros.append(label)
            return nil
        }
        guard let name = Normalise.domain(target), name.contains("."), name.utf8.count <= 253 else {
            errors.append("\(label): '\(target)' is no domain")
            return nil
        }
        return name
    }

    private mutating func addresses(of host: String, _ v4: Int?, _ v6: Int?) async -> [IPNetwork] {
        var found: [IPNetwork] = []
        for (type, length) in [(DNSRecordType.a, v4 ?? 32), (.aaaa, v6 ?? 128)] {
            let answer = await lookup.lookup(host, type)
            guard usable(answer) else { continue }
            for address in answer.addresses {
                if let network = IPNetwork.masked("\(address)/\(length)") { found.append(network) }
            }
        }
        return found
    }
}

extension IPNetwork {
    /// SPF masks the address with the prefix (`ip4:192.0.2.10/24` is 192.0.2.0/24; `a/24` too).
    static func masked(_ text: String) -> IPNetwork? {
        do {
            return try IPNetwork(text)
        } catch {
            guard error.code == .hostBitsSet, let suggestion = error.suggestion else { return nil }
            return try? IPNetwork(suggestion)
        }
    }

    /// This network lies entirely inside `other`.
    func isCovered(by other: IPNetwork) -> Bool {
        other.address.family == address.family && other.prefixLength <= prefixLength && other.contains(address)
    }
}
