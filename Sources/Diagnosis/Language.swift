/// The language a tenant's reports and recommendations are written in.
public enum Language: String, Sendable, Hashable, Codable, CaseIterable {
    case de, en
}
