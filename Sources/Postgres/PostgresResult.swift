/// What a statement returned: its rows (if any) and the number of rows it touched.
public struct PostgresResult: Sendable {
    public let rows: [PostgresRow]
    /// `PQcmdTuples`: rows inserted, updated, deleted or copied; 0 when the command reports none.
    public let affectedRows: Int64

    public init(rows: [PostgresRow], affectedRows: Int64) {
        self.rows = rows
        self.affectedRows = affectedRows
    }

    public var first: PostgresRow? { rows.first }
}
