import DMARC

#if canImport(Glibc)
import Glibc
#endif

/// The machine line of the output: results mean little without it.
enum Machine {
    static var line: String {
        let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        let memory = fileText("/proc/meminfo")?.split(separator: "\n")
            .first { $0.hasPrefix("MemTotal:") }
            .flatMap { line in line.split(separator: " ").dropFirst().first.flatMap { Int($0) } }
            .map { String(format1: Double($0) / 1_048_576) + " GiB" } ?? "unknown"
        let cpu = fileText("/proc/cpuinfo")?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: " \t") } ?? "unknown"
        let load = fileText("/proc/loadavg")?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        return "machine: nproc \(cores), memory \(memory), CPU \(cpu) (load average at start \(load))"
    }

    static func fileText(_ path: String) -> String? {
        (try? FileOutput.read(path)).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice.removeFirst() }
        while let last = slice.last, characters.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

extension String {
    /// One decimal: no Foundation `String(format:)` needed.
    init(format1 value: Double) { self = Self.fixed(value, digits: 1) }

    static func fixed(_ value: Double, digits: Int) -> String { NumberText.fixed(value, digits: digits) }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String { NumberText.grouped(value) }
}
