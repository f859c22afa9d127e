import FuzzSupport

/// libFuzzer's entry point: `FuzzTargets.xml` on each input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXMLTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTargets.xml(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@main enum FuzzXMLMain {
    static func main() {
        #if FUZZING
        // Built by scripts/fuzz with `-sanitize=fuzzer -DFUZZING`: libFuzzer drives.
        LibFuzzer.run(fuzzXMLTestOneInput)
        #else
        // A normal build: replays the files given as arguments.
        Replay.main(FuzzTargets.xml)
        #endif
    }
}
