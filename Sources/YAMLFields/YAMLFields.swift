import DMARC
import Yams

/// Walks a composed YAML tree field by field, so every error names its line, column and field path.
///
/// Yams' `Decodable` route would lose the positions and silently ignore unknown keys; walking the
/// `Node` tree keeps both. Shared by every file format of the tool (the tenants file, `dmarc.yaml`):
/// each format lists its allowed keys and converts the values, this type does the rest. Every
/// visited field's position is remembered by its path, so invariants checked after reading can be
/// reported at the line they come from too.
public struct YAMLFields {
    /// Positions of every field read, by path (`tenants[0].domains[1].method`).
    private var marks: [String: Mark] = [:]
    /// Nodes left to visit: aliases share nodes, so a small file could otherwise expand without end.
    private var budget: Int

    public init(budget: Int = 200_000) {
        self.budget = budget
    }

    /// The document's root node; nil for an empty document.
    public static func compose(_ yaml: String) throws(YAMLFieldError) -> Node? {
        do {
            return try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw syntaxError(error)
        } catch {
            throw YAMLFieldError(code: .syntax, field: "", message: "\(error)")
        }
    }

    /// The keys and values of a mapping; a key outside `allowed` is an error with a "did you mean".
    public mutating func mapping(
        _ node: Node, path: String, allowed: [String]
    ) throws(YAMLFieldError) -> [String: Node] {
        try visit(node, path: path)
        guard case .mapping(let mapping) = node else {
            throw error(
                .wrongType, at: node, path: path, "expected a mapping (key: value lines), found \(kind(of: node))")
        }
        var fields: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                throw error(.wrongType, at: keyNode, path: path, "keys must be plain names")
            }
            let keyPath = path.isEmpty ? key.string : "\(path).\(key.string)"
            guard allowed.contains(key.string) else {
                var message = "unknown key '\(key.string)'"
                if let near = YAMLFields.nearest(key.string, in: allowed) {
                    message += "; did you mean '\(near)'?"
                }
                message += " (allowed: \(allowed.joined(separator: ", ")))"
                throw error(.unknownKey, at: keyNode, path: keyPath, message)
            }
            fields[key.string] = value
            if let mark = value.mark ?? keyNode.mark { marks[keyPath] = mark }
        }
        return fields
    }

    public func required(
        _ fields: [String: Node], _ key: String, in parent: Node, path: String
    ) throws(YAMLFieldError) -> Node {
        guard let value = fields[key] else {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            throw error(.missingKey, at: parent, path: keyPath, "missing key '\(key)'")
        }
        return value
    }

    /// A sequence; an empty value (`key:` or `~`) counts as an empty list.
    public mutating func list(_ node: Node, path: String) throws(YAMLFieldError) -> [Node] {
        try visit(node, path: path)
        switch node {
        case .sequence(let sequence):
            for (i, item) in sequence.enumerated() {
                if let mark = item.mark { marks["\(path)[\(i)]"] = mark }
            }
            return Array(sequence)
        case .scalar(let scalar) where YAMLFields.isNull(scalar):
            return []
        default:
            throw error(
                .wrongType, at: node, path: path, "expected a list ([a, b] or '- a' lines), found \(kind(of: node))")
        }
    }

    /// A non-empty scalar, trimmed of surrounding white space.
    public mutating func text(_ node: Node, path: String) throws(YAMLFieldError) -> String {
        try visit(node, path: path)
        guard case .scalar(let scalar) = node else {
            throw error(.wrongType, at: node, path: path, "expected a single value, found \(kind(of: node))")
        }
        let value = Normalise.trimmed(scalar.string)
        guard !value.isEmpty, !YAMLFields.isNull(scalar) else {
            throw error(.badValue, at: node, path: path, "the value is empty")
        }
        return value
    }

    /// A whole number within `range`.
    public mutating func integer(_ node: Node, path: String, in range: ClosedRange<Int>) throws(YAMLFieldError) -> Int {
        let value = try text(node, path: path)
        guard let number = Int(value) else {
            throw error(.wrongType, at: node, path: path, "expected a whole number, found '\(value)'")
        }
        guard range.contains(number) else {
            throw error(.badValue, at: node, path: path, "\(number) is out of range (\(range.lowerBound)–\(range.upperBound))")
        }
        return number
    }

    /// `true` or `false` (also yes/no, on/off as YAML 1.1 writes them).
    public mutating func boolean(_ node: Node, path: String) throws(YAMLFieldError) -> Bool {
        let value = try text(node, path: path)
        switch value.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(.wrongType, at: node, path: path, "expected true or false, found '\(value)'")
        }
    }

    public mutating func visit(_ node: Node, path: String) throws(YAMLFieldError) {
        budget -= 1
        guard budget >= 0 else {
            throw error(.tooComplex, at: node, path: path, "the file has too many values (aliases expanding?)")
        }
    }

    public func error(_ code: YAMLFieldError.Code, at node: Node, path: String, _ message: String) -> YAMLFieldError {
        YAMLFieldError(code: code, line: node.mark?.line, column: node.mark?.column, field: path, message: message)
    }

    /// The position of `field`, or of the closest enclosing field that was read.
    public func mark(nearest field: String) -> Mark? {
        var path = Substring(field)
        while !path.isEmpty {
            if let mark = marks[String(path)] { return mark }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = path[..<cut]
        }
        return nil
    }

    /// How a node is named in an error ("found a list").
    public func kind(of node: Node) -> String {
        switch node {
        case .scalar(let scalar): YAMLFields.isNull(scalar) ? "nothing" : "the value '\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    public static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The allowed key closest to a misspelt one (edit distance up to 3), for "did you mean".
    public static func nearest(_ key: String, in allowed: [String]) -> String? {
        let candidates = allowed.map { ($0, distance(key, $0)) }.filter { $0.1 <= 3 }
        return candidates.min { $0.1 < $1.1 }?.0
    }

    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    private static func syntaxError(_ error: YamlError) -> YAMLFieldError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let message = [context?.text, problem].compactMap { $0 }.joined(separator: ": ")
            return YAMLFieldError(code: .syntax, line: mark.line, column: mark.column, field: "", message: message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return YAMLFieldError(
                code: .syntax, line: context.mark.line, column: context.mark.column, field: "",
                message: "key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) appears twice in one mapping")
        case .reader(let problem, _, _, _):
            return YAMLFieldError(code: .unreadable, field: "", message: problem)
        default:
            return YAMLFieldError(code: .syntax, field: "", message: "\(error)")
        }
    }
}
