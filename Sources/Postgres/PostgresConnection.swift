import CLibPQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One libpq connection. The only type (with its extensions) that sees a `PGconn`.
///
/// Not `Sendable`: libpq connections must not be used from two threads at once, so a connection
/// stays confined to the task or thread that opened it. libpq calls block; never call them on the
/// cooperative pool of a server.
public final class PostgresConnection {
    private let handle: OpaquePointer
    /// True between a `COPY … FROM STDIN` and its end: no other statement may be sent meanwhile.
    private(set) var copyInProgress = false
    /// Names the cursors of `forEachRow` apart.
    private var cursorCount = 0
    /// Statements prepared on this connection (`query(_:_:prepared:)`), by their SQL.
    private var preparedStatements: [String: String] = [:]
    /// What this connection was opened with, for `sibling()`.
    private let conninfo: String
    private let overrides: [(key: String, value: String)]

    /// Opens a connection. `conninfo` is a URL (`postgresql://…`) or `key=value` string, or empty
    /// for libpq's own defaults (the `PG*` variables, `.pgpass`, service files). `overrides` win
    /// over anything in `conninfo` (tests use it to pick a database on the same server).
    public init(conninfo: String, overrides: [(key: String, value: String)] = []) throws {
        // `dbname` with expand_dbname=1 makes libpq parse conninfo as a URL or key=value string,
        // and keywords after it override what it set: the documented way to combine the two.
        let pairs = [(key: "dbname", value: conninfo), (key: "fallback_application_name", value: "dmarc")] + overrides
        for pair in pairs where pair.key.utf8.contains(0) || pair.value.utf8.contains(0) {
            throw PostgresError(.invalidArgument, "connection parameter \(pair.key) contains a NUL byte")
        }
        let keywords = pairs.map { strdup($0.key) } + [nil]
        let values = pairs.map { strdup($0.value) } + [nil]
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let connection: OpaquePointer? = keywords.withUnsafeBufferPointer { keywordBuffer in
            values.withUnsafeBufferPointer { valueBuffer in
                keywordBuffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { keys in
                    valueBuffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { vals in
                        PQconnectdbParams(keys.baseAddress, vals.baseAddress, 1)
                    }
                }
            }
        }
        guard let connection else {
            throw PostgresError(.connectionFailed, "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmedMessage(PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(.connectionFailed, message.isEmpty ? "cannot connect to PostgreSQL" : message)
        }
        // Notices ("relation already exists, skipping") would otherwise go to stderr, which the
        // command line keeps for rejected inputs.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        self.conninfo = conninfo
        self.overrides = overrides
    }

    /// A new connection to the same database as the same user: for work that a second server
    /// backend can do at the same time (the previous month of a monthly report).
    public func sibling() throws -> PostgresConnection {
        try PostgresConnection(conninfo: conninfo, overrides: overrides)
    }

    deinit {
        PQfinish(handle)
    }

    /// False once the link to the server broke.
    public var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Where this connection went, for `dmarc db status`: host or socket directory, port, database, user.
    public var endpoint: (host: String, port: String, database: String, user: String) {
        (
            Self.string(PQhost(handle)), Self.string(PQport(handle)), Self.string(PQdb(handle)),
            Self.string(PQuser(handle))
        )
    }

    /// The server version as a number, e.g. 150004 for 15.4.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one or more statements without parameters (migrations, BEGIN/COMMIT).
    @discardableResult
    public func execute(_ sql: String) throws -> PostgresResult {
        try checkIdle()
        guard !sql.utf8.contains(0) else { throw PostgresError(.invalidArgument, "statement contains a NUL byte") }
        return try consume(PQexec(handle, sql), expectCopy: false, sql: sql)
    }

    /// Runs one statement with `$1…` parameters sent apart from the SQL text (never interpolated).
    /// `binaryResults` asks for raw bytes (for `bytea` columns) instead of the text format.
    /// `prepared`: parsed and planned once per connection and reused, for the statements ingest runs
    /// for every file and report (planning them anew was a measurable part of a small file's cost).
    @discardableResult
    public func query(
        _ sql: String, _ parameters: [String?] = [], binaryResults: Bool = false, prepared: Bool = false
    ) throws -> PostgresResult {
        try checkIdle()
        guard !sql.utf8.contains(0) else { throw PostgresError(.invalidArgument, "statement contains a NUL byte") }
        for case let value? in parameters where value.utf8.contains(0) {
            // PostgreSQL text cannot hold NUL; libpq would silently cut the value there.
            throw PostgresError(.invalidArgument, "parameter contains a NUL byte", sqlState: "22021")
        }
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let name = prepared ? try preparedName(for: sql, parameterCount: parameters.count) : nil
        let result = copies.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                if let name {
                    PQexecPrepared(
                        handle, name, Int32(parameters.count), values.baseAddress, nil, nil, binaryResults ? 1 : 0)
                } else {
                    PQexecParams(
                        handle, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, binaryResults ? 1 : 0)
                }
            }
        }
        return try consume(result, expectCopy: false, sql: sql)
    }

    /// The name `sql` is prepared under on this connection, preparing it the first time. Prepared
    /// statements outlive a rolled-back transaction, so the name stays valid.
    private func preparedName(for sql: String, parameterCount: Int) throws -> String {
        if let name = preparedStatements[sql] { return name }
        let name = "dmarc_statement_\(preparedStatements.count + 1)"
        _ = try consume(PQprepare(handle, name, sql, Int32(parameterCount), nil), expectCopy: false, sql: sql)
        preparedStatements[sql] = name
        return name
    }

    /// True outside any transaction (autocommit).
    public var isOutsideTransaction: Bool { PQtransactionStatus(handle) == PQTRANS_IDLE }

    /// Runs one query and hands each row to `visit`, read in place from libpq's memory: neither the
    /// whole result nor a copy of each value is held. The rows come through a cursor, at most
    /// `batchSize` at a time, so a query of a million rows needs the memory of two batches. Outside
    /// a transaction the cursor gets one of its own; inside one, it is closed again before returning.
    /// When `visit` throws, no further rows are fetched and the error is rethrown; the connection
    /// stays usable. `visit` must not use this connection: its next batch is already on the way.
    ///
    /// The next batch is asked for before this one is visited, so the server produces it while the
    /// client works (two cores instead of one taking turns), and batches start small and double, so
    /// the first rows arrive before the server has produced thousands.
    ///
    /// `settings` are planner settings for this query (`SET LOCAL`; inside the caller's transaction
    /// they stay until its end): names and values from the code, never from input.
    public func forEachRow(
        _ sql: String, _ parameters: [String?] = [], batchSize: Int = 2_000,
        settings: KeyValuePairs<String, String> = [:], _ visit: (borrowing PostgresRowView) throws -> Void
    ) throws {
        try checkIdle()
        let ownTransaction = isOutsideTransaction
        // One round trip for the transaction and its settings.
        let set = settings.map { "SET LOCAL \($0.key) = '\($0.value)'" }
        let opening = (ownTransaction ? ["BEGIN"] : []) + set
        if !opening.isEmpty {
            do {
                try execute(opening.joined(separator: "; "))
            } catch {
                if ownTransaction { rollbackQuietly() }
                throw error
            }
        }
        cursorCount &+= 1
        let cursor = "dmarc_rows_\(cursorCount)"
        var inFlight = false
        do {
            try query("DECLARE \(cursor) NO SCROLL CURSOR FOR \(sql)", parameters)
            let largest = max(1, batchSize)
            var asked = min(Self.firstBatch, largest)
            try sendFetch(asked, from: cursor)
            inFlight = true
            var columns: PostgresColumns?
            while true {
                let result = try receiveFetched()
                inFlight = false
                defer { PQclear(result) }
                let rows = PQntuples(result)
                let more = rows == Int32(asked)
                if more {
                    asked = min(asked * 2, largest)
                    try sendFetch(asked, from: cursor)
                    inFlight = true
                }
                // Every FETCH of the cursor has the same columns: named once.
                let named = columns ?? Self.columns(of: result, sql: sql)
                columns = named
                for row in 0..<rows { try visit(PostgresRowView(result: result, row: row, columns: named)) }
                if !more { break }
            }
            if ownTransaction { try execute("COMMIT") } else { try execute("CLOSE \(cursor)") }
        } catch {
            if inFlight { discardPendingResults() }
            if ownTransaction {
                rollbackQuietly()
            } else if PQtransactionStatus(handle) == PQTRANS_INTRANS {
                _ = try? execute("CLOSE \(cursor)")
            }
            throw error
        }
    }

    /// The first batch of `forEachRow`: small, so that the client has rows to work on early.
    static let firstBatch = 250

    private func sendFetch(_ count: Int, from cursor: String) throws {
        guard PQsendQuery(handle, "FETCH FORWARD \(count) FROM \(cursor)") == 1 else {
            throw connectionError(default: .connectionLost)
        }
    }

    /// The one result of a sent FETCH, with the connection made ready for the next command.
    private func receiveFetched() throws -> OpaquePointer {
        guard let result = PQgetResult(handle) else { throw connectionError(default: .connectionLost) }
        discardPendingResults()
        guard PQresultStatus(result) == PGRES_TUPLES_OK else {
            defer { PQclear(result) }
            throw error(from: result)
        }
        return result
    }

    /// Reads and frees whatever a sent command still returns, until libpq says it is done.
    private func discardPendingResults() {
        while let extra = PQgetResult(handle) { PQclear(extra) }
    }

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
    ///
    /// A COPY that `body` left open is aborted first, else the ROLLBACK could not be sent.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        let value: T
        do {
            value = try body()
        } catch {
            rollbackQuietly()
            throw error
        }
        try execute("COMMIT")
        return value
    }

    /// Ends a failed transaction; errors are ignored because the caller already has the one that matters.
    public func rollbackQuietly() {
        if copyInProgress { abortCopy(reason: "transaction rolled back") }
        guard isConnected else { return }
        _ = try? execute("ROLLBACK")
    }

    /// Quotes a name for use as an SQL identifier (`CREATE DATABASE "x"`).
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }

    // MARK: COPY

    /// Starts `COPY … FROM STDIN`; then send data with `putCopyData`, finish with `endCopy`.
    func beginCopy(_ sql: String) throws {
        try checkIdle()
        guard !sql.utf8.contains(0) else { throw PostgresError(.invalidArgument, "statement contains a NUL byte") }
        _ = try consume(PQexec(handle, sql), expectCopy: true, sql: sql)
        copyInProgress = true
    }

    func putCopyData(_ bytes: UnsafeRawBufferPointer) throws {
        guard copyInProgress else { throw PostgresError(.unexpectedResult, "no COPY in progress") }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        // A blocking connection returns 1 (queued) or -1 (failed); 0 happens only in nonblocking mode.
        if PQputCopyData(handle, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count)) != 1 {
            // In blocking mode this fails only when the link to the server broke.
            let failure = connectionError(default: .connectionLost)
            abortCopy(reason: "send failed")
            throw failure
        }
    }

    /// Ends the COPY and returns the number of rows the server stored.
    func endCopy() throws -> Int64 {
        guard copyInProgress else { throw PostgresError(.unexpectedResult, "no COPY in progress") }
        copyInProgress = false
        guard PQputCopyEnd(handle, nil) == 1 else {
            let failure = connectionError(default: .connectionLost)
            drainResults()
            throw failure
        }
        return try drainCopyResults()
    }

    /// Makes the server fail the COPY (and so the transaction) and leaves the connection usable.
    func abortCopy(reason: String) {
        guard copyInProgress else { return }
        copyInProgress = false
        _ = PQputCopyEnd(handle, reason)
        drainResults()
    }

    // MARK: Results

    private func checkIdle() throws {
        if copyInProgress { throw PostgresError(.unexpectedResult, "a COPY is still in progress on this connection") }
    }

    /// Converts and frees a result, then drains any further ones (multi-statement `execute`).
    private func consume(_ result: OpaquePointer?, expectCopy: Bool, sql: String) throws -> PostgresResult {
        guard let result else { throw connectionError(default: .connectionLost) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            if expectCopy { throw PostgresError(.unexpectedResult, "expected COPY FROM STDIN, got \(status)") }
            return rows(of: result, sql: sql)
        case PGRES_COPY_IN:
            if !expectCopy {
                // Leave COPY state again so the connection stays usable.
                _ = PQputCopyEnd(handle, "unexpected COPY")
                drainResults()
                throw PostgresError(.unexpectedResult, "statement started a COPY; use the COPY API")
            }
            return PostgresResult(rows: [], affectedRows: 0, columns: PostgresColumns(names: [], query: sql))
        default:
            throw error(from: result)
        }
    }

    /// The names of a result's columns.
    private static func columns(of result: OpaquePointer, sql: String) -> PostgresColumns {
        PostgresColumns(names: (0..<PQnfields(result)).map { string(PQfname(result, $0)) }, query: sql)
    }

    private func rows(of result: OpaquePointer, sql: String) -> PostgresResult {
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        let columns = Self.columns(of: result, sql: sql)
        var rows: [PostgresRow] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [[UInt8]?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else if let pointer = PQgetvalue(result, row, column) {
                    let length = Int(PQgetlength(result, row, column))
                    values.append(Array(UnsafeRawBufferPointer(start: pointer, count: length)))
                } else {
                    values.append(nil)
                }
            }
            rows.append(PostgresRow(values: values, columns: columns))
        }
        let affected = Int64(Self.string(PQcmdTuples(result))) ?? 0
        return PostgresResult(rows: rows, affectedRows: affected, columns: columns)
    }

    /// After PQputCopyEnd: the first result says whether the COPY worked; read until nil regardless,
    /// else the connection stays busy.
    private func drainCopyResults() throws -> Int64 {
        var failure: PostgresError?
        var copied: Int64 = 0
        var sawResult = false
        while let result = PQgetResult(handle) {
            sawResult = true
            let status = PQresultStatus(result)
            if status == PGRES_COMMAND_OK {
                copied = Int64(Self.string(PQcmdTuples(result))) ?? 0
            } else if status == PGRES_COPY_IN {
                // Should not happen after PQputCopyEnd; end it so the loop terminates.
                _ = PQputCopyEnd(handle, "unexpected COPY state")
            } else if failure == nil {
                failure = error(from: result)
            }
            PQclear(result)
        }
        if let failure { throw failure }
        if !sawResult || !isConnected { throw connectionError(default: .connectionLost) }
        return copied
    }

    private func drainResults() {
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COPY_IN { _ = PQputCopyEnd(handle, "aborted") }
            PQclear(result)
        }
    }

    private func error(from result: OpaquePointer) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
        }
        let sqlState = field(UInt8(ascii: "C"))
        let message = field(UInt8(ascii: "M")) ?? Self.trimmedMessage(PQresultErrorMessage(result))
        // No SQLSTATE: libpq's own error, not the server's. The link is gone when the connection is
        // bad, or turns bad when read once more: after a server killed outright, libpq may report
        // "server closed the connection unexpectedly" with the connection still marked good.
        if sqlState == nil, !isConnected || PQconsumeInput(handle) == 0 {
            return PostgresError(
                .connectionLost, message.isEmpty ? Self.trimmedMessage(PQerrorMessage(handle)) : message)
        }
        return PostgresError(
            .server, message, sqlState: sqlState, detail: field(UInt8(ascii: "D")), hint: field(UInt8(ascii: "H")))
    }

    private func connectionError(default code: PostgresError.Code) -> PostgresError {
        let message = Self.trimmedMessage(PQerrorMessage(handle))
        let lost = !isConnected
        return PostgresError(
            lost ? .connectionLost : code, message.isEmpty ? "connection to the server failed" : message)
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    private static func trimmedMessage(_ pointer: UnsafePointer<CChar>?) -> String {
        var text = string(pointer)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}

extension String {
    /// Foundation-free replacement, so the wrapper does not need Foundation for one call. `package`:
    /// the read side escapes LIKE patterns with it.
    package func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
