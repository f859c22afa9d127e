import DMARC
import Diagnosis
import Postgres

/// Diagnoses stored rows as they are read, converting and diagnosing each kind of row once.
///
/// `Diagnoser.diagnose` is a pure function of the record, the configuration entry in force on the
/// row's day, the report's alignment modes and (through the source address) the origin. Two rows
/// whose stored bytes agree in everything it reads, with the same entry and origin, therefore get the
/// same diagnosis but for the address and count it quotes — exactly, not by likeness: the key holds
/// every byte of those columns. A later row of a known kind takes the first one's diagnosis with its
/// own address and count, and skips the conversion into a `Record` and the classification.
public struct RowDiagnoses {
    let configuration: TenantConfiguration
    private var known: [RowKind: DiagnosedKind] = [:]
    /// The entry in force per header From and day, looked up once each.
    private var entries: [EntryKey: EntryInForce] = [:]
    /// Reused for each row's kind; a copy is kept only for a new kind.
    private var bytes: [UInt8] = []

    /// Kinds kept at most; then the memory starts over (a domain whose rows are all different gains
    /// nothing from it and should not hold them all).
    let capacity: Int
    public static let defaultCapacity = 8_192

    init(configuration: TenantConfiguration, capacity: Int = RowDiagnoses.defaultCapacity) {
        self.configuration = configuration
        self.capacity = max(1, capacity)
        bytes.reserveCapacity(512)
    }

    /// The row's diagnosis. The columns of its kind (`RecordPositions.kind`) are what `diagnose`
    /// reads or the diagnosis carries: disposition, DMARC DKIM and SPF, header From, envelope from
    /// and to, and the result arrays.
    mutating func diagnose(
        _ row: borrowing PostgresRowView, _ at: RecordPositions, report: PostgresConnection.StoredReport
    ) throws -> DiagnosedRow {
        let ip = try row.text(at: at.sourceIP), count = try row.integer(at: at.count)
        let headerFrom = try row.text(at: at.headerFrom)
        let begin = report.begin, end = report.end
        let day = Day(epochSeconds: begin)
        let entryKey = EntryKey(headerFrom: headerFrom, day: day.daysSinceEpoch)
        let entry: EntryInForce
        if let found = entries[entryKey] {
            entry = found
        } else {
            let id = Diagnoser.entryID(headerFrom: headerFrom, day: day, configuration: configuration)
            entry = EntryInForce(id: id, domain: id.map { configuration.entry($0).1 })
            entries[entryKey] = entry
        }
        let entryID = entry.id
        let origin = Diagnoser.origin(ofSourceIP: ip, entry: entry.domain, provider: configuration.provider)

        bytes.removeAll(keepingCapacity: true)
        bytes.append(count > 0 ? 1 : 0)
        for column in at.kind {
            if let length = row.withBytes(column, { value -> Int in
                bytes.append(contentsOf: value)
                return value.count
            }) {
                Self.append(Int64(length), to: &bytes)
            } else {
                Self.append(-1, to: &bytes)
            }
        }
        let kind = RowKind(
            bytes: bytes, entry: entryID, origin: origin, adkim: report.policy.adkim, aspf: report.policy.aspf)
        if let known = known[kind] {
            return DiagnosedRow(kind: known, report: report, sourceIP: ip, count: count, begin: begin, end: end)
        }
        let stored = try PostgresConnection.storedRow(row, at, report: report)
        let diagnosis = Diagnoser.diagnose(stored.record, day: stored.day, configuration: configuration, policy: stored.policy)
        if known.count >= capacity { known.removeAll(keepingCapacity: true) }
        let first = DiagnosedKind(diagnosis)
        known[kind] = first
        return DiagnosedRow(kind: first, report: report, sourceIP: ip, count: count, begin: begin, end: end)
    }

    private static func append(_ value: Int64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// A stored row and its diagnosis, as `forEachDiagnosedRow` hands them over.
///
/// The diagnosis is its kind's, shared by reference with every row alike (see `RowDiagnoses`): right
/// in everything but the address and count it quotes, which are this row's `sourceIP` and `count`.
/// The properties read it in place; `diagnosis` and `stored` make this row's own copies, for the
/// few rows that need them whole (the first of a failure group, a report's examples).
public struct DiagnosedRow {
    let kind: DiagnosedKind
    let report: PostgresConnection.StoredReport
    public let sourceIP: String
    public let count: Int64
    /// The period of the row's report, epoch seconds.
    public let begin: Int64
    public let end: Int64

    public var diagnosisClass: DiagnosisClass { kind.diagnosisClass }
    public var tenantID: String? { kind.tenantID }
    public var origin: SendingOrigin { kind.origin }
    /// The configured domain the row falls under; header From when none does.
    public var domain: String { kind.domain }
    public var disposition: Disposition? { kind.disposition }
    public var reporter: String { report.reporter }
    public var reportID: String { report.reportID }
    public var reportKey: Int64 { report.key }
    public var policy: PolicyPublished { report.policy }
    public var sourceSHA256: String { report.sourceSHA256 }
    /// The day the diagnosis judges the row by, as `StoredRow.day`.
    public var day: Day { Day(epochSeconds: begin) }

    /// This row's diagnosis, whole.
    public var diagnosis: Diagnosis {
        var diagnosis = kind.diagnosis
        diagnosis.record.sourceIP = sourceIP
        diagnosis.record.count = count
        return diagnosis
    }

    /// This row as `forEachStoredRow` gives it.
    public var stored: StoredRow {
        StoredRow(
            record: diagnosis.record, reporter: report.reporter, reportID: report.reportID, begin: begin, end: end,
            policy: report.policy, reportKey: report.key, sourceSHA256: report.sourceSHA256)
    }
}

/// The diagnosis of one kind of row, shared by reference among its rows.
final class DiagnosedKind: Sendable {
    let diagnosis: Diagnosis
    // What callers read of every row, held apart: read through `diagnosis`, each cost a copy of the
    // optional configuration entry or the record (retains and releases, per row of a big month).
    let diagnosisClass: DiagnosisClass
    let tenantID: String?
    let origin: SendingOrigin
    let domain: String
    let disposition: Disposition?

    init(_ diagnosis: Diagnosis) {
        self.diagnosis = diagnosis
        diagnosisClass = diagnosis.class
        tenantID = diagnosis.tenantID
        origin = diagnosis.origin
        domain = diagnosis.entry?.domain ?? diagnosis.headerFrom
        disposition = diagnosis.record.policyEvaluated.disposition
    }
}

/// A row's kind: the configuration entry, origin and alignment modes it is judged with, and the
/// bytes of everything else its diagnosis depends on, each column followed by its length (or -1 for
/// NULL), so that no two different rows share one.
private struct RowKind: Hashable {
    let bytes: [UInt8]
    let entry: EntryID?
    let origin: SendingOrigin
    let adkim: Alignment?
    let aspf: Alignment?

    static func == (lhs: RowKind, rhs: RowKind) -> Bool {
        lhs.entry == rhs.entry && lhs.origin == rhs.origin && lhs.adkim == rhs.adkim && lhs.aspf == rhs.aspf
            && lhs.bytes == rhs.bytes
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(entry)
        hasher.combine(origin)
        hasher.combine(adkim)
        hasher.combine(aspf)
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// The configuration entry a header From falls under on a day, and the entry itself (for the origin).
/// A class: taken out of the memory for each row, a struct copied the entry's arrays' references.
private final class EntryInForce {
    let id: EntryID?
    let domain: TenantDomain?

    init(id: EntryID?, domain: TenantDomain?) {
        self.id = id
        self.domain = domain
    }
}

private struct EntryKey: Hashable {
    let headerFrom: String
    let day: Int
}
