@_spi(Testing) @testable import ReportReading
import Testing

/// The eight-bytes-at-a-time scan must stop exactly where a byte-by-byte one would.
@Suite struct XMLPrefilterScanTests {
    private func expected(_ bytes: [UInt8], eightBit: Bool) -> Int {
        bytes.firstIndex { byte in
            byte >= 0x80 ? !eightBit : byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D
        } ?? bytes.count
    }

    @Test(arguments: [false, true])
    func everyByteAtEveryPosition(eightBit: Bool) {
        let filler = Array("<a>\t x\r\n".utf8) + Array("0123456789".utf8)
        for byte in UInt8.min...UInt8.max {
            for position in 0..<filler.count {
                var bytes = filler
                bytes[position] = byte
                let found = bytes.withUnsafeBytes { XMLPrefilter<RangeStream>.cleanPrefixLength($0, eightBit: eightBit) }
                #expect(found == expected(bytes, eightBit: eightBit), "byte \(byte) at \(position)")
            }
        }
    }
}
