import Postgres

/// A read-side query's connection and a second one beside it, opened on first use and kept for the
/// next query (`SiblingConnection`): the one way support and the monthly report share their work
/// between two server backends and two client threads.
struct ConnectionPair {
    let connection: PostgresConnection
    private let sibling = SiblingConnection()

    init(_ connection: PostgresConnection) { self.connection = connection }

    /// Whether the second connection is open (tests).
    var hasSecond: Bool { sibling.isOpen }

    /// True once the server refused a second connection.
    var secondIsUnavailable: Bool { sibling.isUnavailable }

    /// `first` on this connection and `second` on the other at once, the other opened meanwhile on
    /// first use; when there is no other, `second` on this one after `first`.
    func both<A: Sendable, B: Sendable>(
        _ first: @escaping @Sendable (PostgresConnection) throws -> A,
        _ second: @escaping @Sendable (PostgresConnection) throws -> B
    ) throws -> (A, B) {
        if sibling.isUnavailable { return (try first(connection), try second(connection)) }
        let main = SharedConnection(connection)
        let sibling = self.sibling
        let (a, b) = try bothAtOnce(
            { try first(main.connection) },
            { () throws -> B? in
                guard let other = sibling.connection(siblingOf: main.connection) else { return nil }
                return try second(other)
            })
        if let b { return (a, b) }
        return (a, try second(connection))
    }
}
