import FuzzSupport

/// libFuzzer's entry point: `FuzzTargets.mail` on each input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMailTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTargets.mail(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@main enum FuzzMailMain {
    static func main() {
        #if FUZZING
        // Built by scripts/fuzz with `-sanitize=fuzzer -DFUZZING`: libFuzzer drives.
        LibFuzzer.run(fuzzMailTestOneInput)
        #else
        // A normal build: replays the files given as arguments.
        Replay.main(FuzzTargets.mail)
        #endif
    }
}
