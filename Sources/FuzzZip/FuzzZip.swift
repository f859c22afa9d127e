import FuzzSupport

/// libFuzzer's entry point: `FuzzTargets.zip` on each input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZipTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTargets.zip(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@main enum FuzzZipMain {
    static func main() {
        #if FUZZING
        // Built by scripts/fuzz with `-sanitize=fuzzer -DFUZZING`: libFuzzer drives.
        LibFuzzer.run(fuzzZipTestOneInput)
        #else
        // A normal build: replays the files given as arguments.
        Replay.main(FuzzTargets.zip)
        #endif
    }
}
