/// What a statement returned: its rows (if any) and the number of rows it touched.
public struct PostgresResult: Sendable {
    public let rows: [PostgresRow]
    /// `PQcmdTuples`: rows inserted, updated, deleted or copied; 0 when the command reports none.
    public let affectedRows: Int64
    /// The columns of its rows, by name (none for a statement that returns no rows).
    public let columns: PostgresColumns

    public init(rows: [PostgresRow], affectedRows: Int64, columns: PostgresColumns) {
        self.rows = rows
        self.affectedRows = affectedRows
        self.columns = columns
    }

    public var first: PostgresRow? { rows.first }
}
