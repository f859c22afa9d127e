import Foundation

/// A port on 127.0.0.1 that the kernel just handed out, for a test's own server (knotd, Dovecot).
/// The socket is closed before the server binds, so another process could take the port in
/// between: knotd's helper tries another port then; Dovecot's fails to start.
enum LoopbackPort {
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    static func free(type: Int32 = Int32(SOCK_STREAM.rawValue)) throws -> Int {
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw Unavailable(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Unavailable(description: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
