import Dispatch
import Synchronization

/// A second connection kept beside a first, for work that two server backends and two client
/// threads can share (`failures` reads a domain's rows in two halves, the monthly report two months).
///
/// Opened on first use and kept for the next (the benchmark's repeated queries, `report monthly
/// --all`). When the server refuses it (too many clients, say), the work runs on one connection,
/// only slower: `connection(siblingOf:)` is nil from then on.
public final class SiblingConnection: @unchecked Sendable {
    private let lock = Mutex(State())

    private struct State: @unchecked Sendable {
        var opened: PostgresConnection?
        var failed = false
    }

    public init() {}

    /// True once it was opened.
    public var isOpen: Bool { lock.withLock { $0.opened != nil } }

    /// True once opening it failed: callers then plan for one connection from the start.
    public var isUnavailable: Bool { lock.withLock { $0.failed } }

    /// Opens the second connection on first use. Safe to call from another thread while `connection`
    /// is in use there: only the parameters it was opened with are read.
    public func connection(siblingOf connection: PostgresConnection) -> PostgresConnection? {
        lock.withLock { state in
            if state.opened == nil, !state.failed {
                do { state.opened = try connection.sibling() } catch { state.failed = true }
            }
            return state.opened
        }
    }
}

/// A connection handed to another thread (`bothAtOnce`) that uses it alone, or only to open a
/// sibling of it.
public struct SharedConnection: @unchecked Sendable {
    public let connection: PostgresConnection
    public init(_ connection: PostgresConnection) { self.connection = connection }
}

/// Runs `first` and `second` on two threads and returns both results, or the first one's error.
public func bothAtOnce<A: Sendable, B: Sendable>(
    _ first: @Sendable () throws -> A, _ second: @Sendable () throws -> B
) throws -> (A, B) {
    let firstResult = Mutex<Result<A, any Error>?>(nil)
    let secondResult = Mutex<Result<B, any Error>?>(nil)
    DispatchQueue.concurrentPerform(iterations: 2) { index in
        if index == 0 {
            let result = Result { try first() }
            firstResult.withLock { $0 = result }
        } else {
            let result = Result { try second() }
            secondResult.withLock { $0 = result }
        }
    }
    guard let a = firstResult.withLock({ $0 }), let b = secondResult.withLock({ $0 }) else {
        preconditionFailure("concurrentPerform returns after both iterations")
    }
    return (try a.get(), try b.get())
}
