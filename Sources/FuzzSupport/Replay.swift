#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ReportReading

/// Runs files (or the files in directories) through a fuzz target without libFuzzer: the normal
/// build's way to reproduce a crash or replay a corpus (`swift run FuzzReader crash-…`).
public enum Replay {
    public static func main(_ target: ([UInt8]) -> Void) -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard !arguments.isEmpty else {
            print("usage: \(CommandLine.arguments.first ?? "fuzz") FILE|DIRECTORY…  (replays inputs through the target)")
            exit(64)
        }
        let files: [String]
        do {
            files = try InputPaths.expand(arguments)
        } catch {
            print("\(error)")
            exit(66)
        }
        for path in files {
            guard let bytes = contents(of: path) else {
                print("\(path): cannot read")
                exit(66)
            }
            target(bytes)
        }
        print("replayed \(files.count) input(s), no invariant violated")
        exit(0)
    }

    static func contents(of path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return ferror(file) == 0 ? bytes : nil
    }
}
