/// Streams rows into `COPY table FROM STDIN` (text format) in chunks of tens of KB, so a report of
/// millions of rows is never held whole.
///
/// Use: `var copy = try CopyWriter(connection, "COPY t (a, b) FROM STDIN")`, then `copy.encoder.field(…)`
/// and `copy.endRow()` per row, then `try copy.finish()`. Any error leaves the transaction failed:
/// the caller rolls back (`PostgresConnection.transaction` does, aborting the COPY first).
public struct CopyWriter {
    public var encoder: CopyTextEncoder
    private let connection: PostgresConnection
    private let flushThreshold: Int
    public private(set) var rowsWritten: Int64 = 0

    public init(_ connection: PostgresConnection, _ sql: String, flushThreshold: Int = 64 << 10) throws {
        self.connection = connection
        self.flushThreshold = flushThreshold
        self.encoder = CopyTextEncoder(capacity: flushThreshold + 4096)
        try connection.beginCopy(sql)
    }

    /// Ends the current row and sends the buffer once it passed the threshold.
    public mutating func endRow() throws {
        encoder.endRow()
        rowsWritten += 1
        if encoder.count >= flushThreshold { try flush() }
    }

    /// Sends bytes that are already rows in COPY text format (a spool file's content).
    public mutating func writeFormatted(_ bytes: UnsafeRawBufferPointer) throws {
        try flush()
        try connection.putCopyData(bytes)
    }

    public mutating func flush() throws {
        guard encoder.count > 0 else { return }
        try encoder.buffer.withUnsafeBytes { try connection.putCopyData($0) }
        encoder.reset()
    }

    /// Sends what is left, ends the COPY and returns the rows the server stored.
    @discardableResult
    public mutating func finish() throws -> Int64 {
        try flush()
        return try connection.endCopy()
    }

    /// Makes the server discard this COPY; the transaction is then failed and must be rolled back.
    public mutating func abort(reason: String) {
        encoder.reset()
        connection.abortCopy(reason: reason)
    }
}

extension CopyWriter {
    /// Counts a row that was appended to `encoder` with `appendFormatted` and flushes when due.
    public mutating func endRowFormatted() throws {
        rowsWritten += 1
        if encoder.count >= flushThreshold { try flush() }
    }
}
