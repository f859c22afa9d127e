import Foundation

/// Why an IMAP password could not be found: no file, an unreadable or empty one, an unset variable.
public struct PasswordError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension IMAPMailbox.Password {
    /// Where the password comes from, for people: never the password itself.
    public var origin: String {
        switch self {
        case .file(let path): "from the file \(path)"
        case .environment(let name): "from the environment variable \(name)"
        }
    }

    /// The password: the file's first line (a trailing line break is no part of it), or the variable.
    public func secret(environment: [String: String] = ProcessInfo.processInfo.environment) throws(PasswordError) -> String {
        let value: String
        switch self {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PasswordError(message: "cannot read the password file \(path)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw PasswordError(message: "the password file \(path) is not UTF-8 text")
            }
            value = String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        case .environment(let name):
            guard let text = environment[name] else {
                throw PasswordError(message: "the environment variable \(name) (the password) is not set")
            }
            value = text
        }
        guard !value.isEmpty else { throw PasswordError(message: "the password \(origin) is empty") }
        return value
    }
}
