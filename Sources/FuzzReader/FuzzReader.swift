import FuzzSupport

/// libFuzzer's entry point: `FuzzTargets.reader` on each input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReaderTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTargets.reader(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@main enum FuzzReaderMain {
    static func main() {
        #if FUZZING
        // Built by scripts/fuzz with `-sanitize=fuzzer -DFUZZING`: libFuzzer drives.
        LibFuzzer.run(fuzzReaderTestOneInput)
        #else
        // A normal build: replays the files given as arguments.
        Replay.main(FuzzTargets.reader)
        #endif
    }
}
