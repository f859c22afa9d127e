import DMARC
import Diagnosis
import Postgres
import ReadSide

/// What the rules look at: the stored rows of the evaluation window, diagnosed as `failures`
/// diagnoses them, added up per tenant domain by day, failing source and receiver.
public struct AlertHistory: Sendable {
    /// A configured domain of a tenant.
    public struct DomainKey: Sendable, Hashable, Comparable {
        public var tenantID: String
        public var domain: String

        public static func < (lhs: DomainKey, rhs: DomainKey) -> Bool {
            (lhs.tenantID, lhs.domain) < (rhs.tenantID, rhs.domain)
        }
    }

    /// Messages of a domain on one day.
    public struct Volume: Sendable, Equatable {
        public var messages: Int64 = 0
        public var passing: Int64 = 0
    }

    /// A source's failing messages for one domain: by day and by diagnosis class. Only classes
    /// someone acts on (not forwarded, not transient).
    public struct FailingSource: Sendable, Equatable {
        public var origin: SendingOrigin
        /// The provider network it sends from (`192.0.2.0/24`), when it is one of the provider's.
        public var providerNetwork: String?
        public var byDay: [Day: Int64] = [:]
        public var byClass: [DiagnosisClass: Int64] = [:]

        public init(origin: SendingOrigin, providerNetwork: String?) {
            self.origin = origin
            self.providerNetwork = providerNetwork
        }

        public func messages(in range: DayRange) -> Int64 {
            byDay.reduce(0) { $0 + (range.contains($1.key) ? $1.value : 0) }
        }

        /// The class with the most messages (ties: by name, so the result never depends on hashing).
        public var mainClass: DiagnosisClass? {
            byClass.max { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }?.key
        }
    }

    public var volumes: [DomainKey: [Day: Volume]] = [:]
    public var failingSources: [DomainKey: [String: FailingSource]] = [:]
    /// Days on which each receiver (report_metadata.org_name) reported rows of the domain.
    public var receiverDays: [DomainKey: [String: Set<Day>]] = [:]
    /// Every configured domain, also those without rows (a silent domain is news too).
    public var domains: [DomainKey] = []

    public init() {}

    /// Adds one diagnosed row that falls under `key`.
    public mutating func add(
        _ key: DomainKey, day: Day, receiver: String, sourceIP: String, messages: Int64, diagnosisClass: DiagnosisClass,
        origin: SendingOrigin, providerNetwork: String?
    ) {
        let passing = !diagnosisClass.isDMARCFailure
        volumes[key, default: [:]][day, default: Volume()].messages += messages
        if passing { volumes[key, default: [:]][day, default: Volume()].passing += messages }
        receiverDays[key, default: [:]][receiver, default: []].insert(day)
        guard !passing, diagnosisClass.responsible != .none else { return }
        var source = failingSources[key, default: [:]][sourceIP] ?? FailingSource(origin: origin, providerNetwork: providerNetwork)
        source.byDay[day, default: 0] += messages
        source.byClass[diagnosisClass, default: 0] += messages
        failingSources[key, default: [:]][sourceIP] = source
    }

    public func volume(_ key: DomainKey, in range: DayRange) -> Volume {
        (volumes[key] ?? [:]).reduce(into: Volume()) { total, entry in
            guard range.contains(entry.key) else { return }
            total.messages += entry.value.messages
            total.passing += entry.value.passing
        }
    }
}

extension DayRange {
    /// Whether `day` is in the range (`to` exclusive).
    func contains(_ day: Day) -> Bool { from <= day && day < to }

    /// The `count` days that end with `last`, `last` included.
    static func ending(_ last: Day, days count: Int) -> DayRange {
        DayRange(from: Day(daysSinceEpoch: last.daysSinceEpoch - count + 1), to: Day(daysSinceEpoch: last.daysSinceEpoch + 1))
    }
}

extension AlertHistory {
    /// Reads the rows of `period` for every configured domain, each row diagnosed against the
    /// configuration in force on its day (`forEachDiagnosedRow`, the path of `failures`). A row
    /// counts for the configured domain and tenant it falls under, so a subdomain configured apart
    /// is not counted twice.
    public static func read(
        from connection: PostgresConnection, configuration: TenantConfiguration, period: DayRange
    ) throws -> AlertHistory {
        var history = AlertHistory()
        var seen = Set<DomainKey>()
        for tenant in configuration.tenants {
            for entry in tenant.domains {
                let key = DomainKey(tenantID: tenant.id, domain: entry.domain)
                guard seen.insert(key).inserted else { continue }
                history.domains.append(key)
            }
        }
        var networks: [String: String?] = [:]
        func network(of ip: String) -> String? {
            if let known = networks[ip] { return known }
            let found = configuration.provider.networks.first { $0.contains(ip: ip) }?.description
            networks[ip] = found
            return found
        }
        for key in history.domains {
            try connection.forEachDiagnosedRow(
                domain: key.domain, period: period, only: .allWithReportedPassesSummed, report: .forDiagnosis,
                configuration: configuration
            ) { row in
                guard row.tenantID == key.tenantID, row.domain == key.domain else { return }
                history.add(
                    key, day: row.day, receiver: row.reporter, sourceIP: row.sourceIP, messages: row.count,
                    diagnosisClass: row.diagnosisClass, origin: row.origin,
                    providerNetwork: row.origin == .providerNetwork ? network(of: row.sourceIP) : nil)
            }
        }
        return history
    }
}
