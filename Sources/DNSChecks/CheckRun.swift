import DMARC
import Diagnosis
import Foundation
import Resolver

/// Which configured domains a run checks.
public enum CheckSelection: Sendable, Hashable {
    case all
    case tenant(String)
    case domain(String)
}

public struct CheckRunError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Checks many domains, a bounded number at a time (each domain asks its questions one after the
/// other; the resolver bounds the queries in flight again).
public enum CheckRun {
    /// Domains in flight at most: a few hundred keeps a slow server's timeouts from stacking up
    /// while 5,000 domains still finish in seconds against a fast one.
    public static let defaultConcurrency = 200

    /// The tenant and the entry in force on `day` for each selected domain, in tenant and domain order.
    public static func targets(
        _ selection: CheckSelection, configuration: TenantConfiguration, day: Day
    ) throws(CheckRunError) -> [(Tenant, TenantDomain)] {
        var targets: [(Tenant, TenantDomain)] = []
        var seen: Set<String> = []
        for tenant in configuration.tenants {
            if case .tenant(let id) = selection, id != tenant.id { continue }
            for domain in tenant.domains.map(\.domain) where seen.insert(domain).inserted {
                if case .domain(let wanted) = selection, wanted != domain { continue }
                // Entries that start later than today are not in force; a subdomain whose own entries all
                // start later is checked once one of them is.
                guard let (owner, entry) = configuration.entry(forDomain: domain, onDay: day), entry.domain == domain
                else { continue }
                targets.append((owner, entry))
            }
        }
        if targets.isEmpty {
            switch selection {
            case .all: break
            case .tenant(let id):
                throw CheckRunError(description: "no tenant '\(id)' with a domain in force today in the tenants file")
            case .domain(let domain):
                throw CheckRunError(
                    description: "\(domain) is no configured domain (with an entry in force today); `dmarc tenants list` shows them")
            }
        }
        return targets
    }

    public static func run(
        _ targets: [(Tenant, TenantDomain)], checker: DomainChecker, lookup: any DNSLookup, now: Int64,
        concurrency: Int = defaultConcurrency
    ) async -> [DomainCheck] {
        var results = [DomainCheck?](repeating: nil, count: targets.count)
        await withTaskGroup(of: (Int, DomainCheck).self) { group in
            var next = 0
            func start() {
                let index = next
                let (tenant, entry) = targets[index]
                next += 1
                group.addTask { (index, await checker.check(tenant: tenant, entry: entry, lookup: lookup, now: now)) }
            }
            while next < min(concurrency, targets.count) { start() }
            while let (index, check) = await group.next() {
                results[index] = check
                if next < targets.count { start() }
            }
        }
        return results.compactMap { $0 }
    }
}

extension CheckRun {
    /// `run` for synchronous callers (the command line): waits on the calling thread, which is not
    /// one of the concurrency pool's, for the checks to finish.
    public static func runBlocking(
        _ targets: [(Tenant, TenantDomain)], checker: DomainChecker, lookup: any DNSLookup, now: Int64,
        concurrency: Int = defaultConcurrency
    ) -> [DomainCheck] {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let work = targets.map { Target(tenant: $0.0, entry: $0.1) }
        Task {
            box.checks = await run(
                work.map { ($0.tenant, $0.entry) }, checker: checker, lookup: lookup, now: now, concurrency: concurrency)
            done.signal()
        }
        done.wait()
        return box.checks
    }

    private struct Target: Sendable {
        var tenant: Tenant
        var entry: TenantDomain
    }

    /// Written once by the task before it signals, read after the wait: the semaphore orders them.
    private final class ResultBox: @unchecked Sendable {
        var checks: [DomainCheck] = []
    }
}
