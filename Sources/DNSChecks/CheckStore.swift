import Foundation
import Postgres

/// Stores check runs in `dns_checks` and reads back the previous run of a domain, for changes.
public struct CheckStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The facts of each domain's latest stored check and when it ran (epoch seconds).
    public func previousFacts(domains: [String]) throws -> [String: (checkedAt: Int64, facts: [String])] {
        guard !domains.isEmpty else { return [:] }
        var previous: [String: (Int64, [String])] = [:]
        let result = try connection.query(
            """
            SELECT DISTINCT ON (domain) domain, extract(epoch FROM checked_at)::bigint AS checked_at, facts
            FROM dns_checks WHERE domain = ANY($1::text[])
            ORDER BY domain, checked_at DESC, id DESC
            """, [PostgresArray.textLiteral(domains)])
        for row in result.rows {
            let facts: PostgresTextArray = try row.decode("facts")
            previous[try row.decode("domain")] = (try row.decode("checked_at"), facts.elements.compactMap { $0 })
        }
        return previous
    }

    /// Stores a run, all or nothing.
    public func save(_ checks: [DomainCheck], resolver: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try connection.transaction {
            for check in checks {
                let answers = String(decoding: try encoder.encode(check.answers), as: UTF8.self)
                let findings = String(decoding: try encoder.encode(check.findings), as: UTF8.self)
                try connection.query(
                    """
                    INSERT INTO dns_checks
                        (checked_at, domain, tenant_id, method, asked, answers, findings, facts, verdict, resolver)
                    VALUES (to_timestamp($1::bigint), $2, $3, $4, $5::text[], $6::jsonb, $7::jsonb, $8::text[], $9, $10)
                    """,
                    [
                        String(check.checkedAt), check.domain, check.tenantID, check.method.rawValue,
                        PostgresArray.textLiteral(check.asked), answers, findings,
                        PostgresArray.textLiteral(check.facts), check.verdict.rawValue, resolver,
                    ], prepared: true)
            }
        }
    }
}

/// What changed between two runs' facts: each fact that appeared or disappeared.
public struct FactChanges: Sendable, Hashable {
    public var since: Int64
    public var added: [String]
    public var removed: [String]

    public init(previous: [String], current: [String], since: Int64) {
        self.since = since
        let before = Set(previous), after = Set(current)
        added = current.filter { !before.contains($0) }
        removed = previous.filter { !after.contains($0) }
    }

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty }
}
