#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import DMARC

/// One line on standard error, unbuffered so it interleaves sensibly with progress output. Lines
/// quote paths, names and reasons from input: control characters never reach the terminal.
func printError(_ line: String) {
    var text = Printable.text(line) + "\n"
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
