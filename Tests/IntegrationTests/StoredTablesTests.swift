import DMARC
import Foundation
import Postgres
import Testing

@_spi(Testing) @testable import Store

/// Each table's columns are defined once (`TableDefinition`) and written by COPY, a one-row INSERT
/// or an unnest INSERT; rows are read back by column name (`PostgresColumns`).
@Suite("tables written once, rows read by name", .dropsTestDatabases)
struct StoredTablesTests {
    /// A row of every kind of value, written all three ways.
    struct Sample: Sendable {
        let id: Int64
        let name: String?
        let at: Int64?
        let tags: [String]
        let digest: [UInt8]?
    }

    static let table = TableDefinition<Sample>(
        "sample",
        [
            .integer("id") { $0.id }, .text("name") { $0.name }, .timestamp("at") { $0.at },
            .textArray("tags") { $0.tags }, .bytea("digest") { $0.digest },
        ])

    @Test("COPY, INSERT and unnest INSERT store the values written by hand, timestamps as UTC")
    func threeWaysOneRow() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        try connection.execute("CREATE TABLE sample (id bigint, name text, at timestamptz, tags text[], digest bytea)")
        try connection.execute("CREATE TABLE sample_plain (id bigint, name text, at timestamptz, digest bytea)")
        let nasty = "a\t\"b\"\\c\n{,}"
        // 951,868,799 is 2000-02-29 23:59:59 UTC (a leap day of a year divisible by 400); 0 the epoch;
        // 253,402,300,799 the last second of 9999.
        let rows = [
            Sample(id: 1, name: nasty, at: 951_868_799, tags: [nasty, "NULL", ""], digest: [0x00, 0x5c, 0xff]),
            Sample(id: 2, name: nil, at: 0, tags: [], digest: nil),
            Sample(id: 3, name: "", at: 253_402_300_799, tags: ["x"], digest: []),
        ]
        try Self.table.copy(rows, on: connection)
        for row in rows { try Self.table.insert(Sample(id: row.id + 10, name: row.name, at: row.at, tags: row.tags, digest: row.digest), on: connection) }

        // By hand: what each row must read back as.
        let expected = [
            "\(nasty)|2000-02-29 23:59:59|{\"\(nasty.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\",\"NULL\",\"\"}|005cff",
            "<null>|1970-01-01 00:00:00|{}|<null>",
            "|9999-12-31 23:59:59|{x}|",
        ]
        let read = """
            SELECT id, coalesce(name, '<null>') || '|' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '|'
                   || tags::text || '|' || coalesce(encode(digest, 'hex'), '<null>') AS shown
            FROM sample WHERE id BETWEEN $1 AND $2 ORDER BY id
            """
        let copied = try connection.query(read, ["1", "3"]).rows.map { try $0.decode("shown", as: String.self) }
        let inserted = try connection.query(read, ["11", "13"]).rows.map { try $0.decode("shown", as: String.self) }
        #expect(copied == expected)
        #expect(inserted == expected)

        // unnest takes no array columns: the same rows without `tags`, into a table without it.
        let plain = TableDefinition<Sample>(
            "sample_plain", Self.table.columns.filter { $0.name != "tags" })
        try connection.query(plain.unnestInsertStatement(), plain.unnestParameters(of: rows))
        let unnested = try connection.query(
            """
            SELECT coalesce(name, '<null>') || '|' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '|'
                   || coalesce(encode(digest, 'hex'), '<null>') AS shown
            FROM sample_plain ORDER BY id
            """
        ).rows.map { try $0.decode("shown", as: String.self) }
        #expect(unnested == ["\(nasty)|2000-02-29 23:59:59|005cff", "<null>|1970-01-01 00:00:00|<null>", "|9999-12-31 23:59:59|"])
    }

    @Test("COPY refuses a timestamp outside 1970 to 9999, naming the column; the connection stays usable")
    func copyTimestampOutOfRange() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        try connection.execute("CREATE TABLE sample (id bigint, name text, at timestamptz, tags text[], digest bytea)")
        let error = #expect(throws: PostgresError.self) {
            try connection.transaction {
                try Self.table.copy([Sample(id: 1, name: nil, at: -1, tags: [], digest: nil)], on: connection)
            }
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message == "sample.at: -1 is outside the years 1970 to 9999")
        #expect(try connection.query("SELECT count(*) AS n FROM sample").first?.decode("n", as: Int64.self) == 0)
    }

    @Test("a row decoded by a name it lacks, a NULL or a value of another type: the error names the column and the query")
    func decodingErrorsNameTheColumn() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        let row = try #require(
            try connection.query("SELECT 42 AS answer, NULL::bigint AS nothing, 'x7' AS word").first)
        #expect(try row.decode("answer", as: Int64.self) == 42)
        #expect(try row.decodeIfPresent("nothing", as: Int64.self) == nil)

        let missing = #expect(throws: PostgresError.self) { try row.decode("anwser", as: Int64.self) }
        #expect(missing?.code == .undecodableColumn)
        #expect(
            missing?.message
                == "no column \"anwser\" in the result of \"SELECT 42 AS answer, NULL::bigint AS nothing, 'x7' AS word\" "
                + "(it has \"answer\", \"nothing\", \"word\")")
        let null = #expect(throws: PostgresError.self) { try row.decode("nothing", as: Int64.self) }
        #expect(
            null?.message
                == "column \"nothing\" of \"SELECT 42 AS answer, NULL::bigint AS nothing, 'x7' AS word\" is NULL where an integer was expected")
        let wrong = #expect(throws: PostgresError.self) { try row.decode("word", as: Int.self) }
        #expect(
            wrong?.message
                == "column \"word\" of \"SELECT 42 AS answer, NULL::bigint AS nothing, 'x7' AS word\" holds \"x7\", not an integer")

        // The same from a cursor's rows (`forEachRow`, read in place), the query's whitespace folded.
        let streamed = #expect(throws: PostgresError.self) {
            try connection.forEachRow("SELECT g AS n,\n       'maybe' AS flag\nFROM generate_series(1, 3) g") { row in
                #expect(try row.decode("n", as: Int.self) == 1)
                _ = try row.decode("flag", as: Bool.self)
            }
        }
        #expect(
            streamed?.message
                == "column \"flag\" of \"SELECT g AS n, 'maybe' AS flag FROM generate_series(1, 3) g\" holds \"maybe\", not a boolean (t or f)")
        // The accessors a loop over many rows uses, by a position looked up by name.
        let positional = #expect(throws: PostgresError.self) {
            try connection.forEachRow("SELECT 'x' AS ok, NULL::bigint AS gap") { row in
                #expect(try row.text(at: try row.columns.position(of: "ok")) == "x")
                _ = try row.integer(at: try row.columns.position(of: "gap"))
            }
        }
        #expect(positional?.message == "column \"gap\" of \"SELECT 'x' AS ok, NULL::bigint AS gap\" is NULL where an integer was expected")
        #expect(try connection.query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
    }

    @Test("the ledger sanitises paths and reasons whichever way the file was stored", arguments: [1, 64])
    func ledgerSanitisedBothWays(filesPerTransaction: Int) throws {
        // The same report id with other rows: a conflict, whose reason quotes the id.
        var inputs = try FakeInputs()
        let files = [("bell\u{07}.xml", 2), ("esc\u{1B}.xml", 3)].map { name, rows in
            inputs.add(name, [.report(Synthetic.report(id: "r\u{1B}[2J", records: rows))])
        }
        let database = try TestCluster.get().freshDatabase()
        let options = IngestOptions(filesPerTransaction: filesPerTransaction)
        let summary = try inputs.ingestor(database.connect(), options: options).ingest(files: files)
        #expect(summary.reports == 1 && summary.conflicts.count == 1)
        let ledger = try database.connect().query("SELECT path, status, reason FROM input_files ORDER BY id").rows
        let shown = try ledger.map { row in
            let path = try row.decode("path", as: String.self)
            let reason = try row.decodeIfPresent("reason", as: String.self) ?? "-"
            return "\((path as NSString).lastPathComponent) \(try row.decode("status", as: String.self)) \(reason)"
        }
        let report = Synthetic.report(id: "r", records: 1).metadata
        let period = "\(report.dateRange.begin)–\(report.dateRange.end)"
        #expect(
            shown == [
                "bell\u{FFFD}.xml ingested -",
                "esc\u{FFFD}.xml conflict report r\u{FFFD}[2J from \(report.orgName) for kunde.example (\(period)) differs from the stored copy",
            ])
    }
}
