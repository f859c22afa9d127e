#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts a stream of mbox bytes into messages, line by line.
struct MboxSplitter {
    struct Message {
        let number: Int
        let bytes: [UInt8]
        let oversized: Bool
    }

    private let limit: Int
    private var buffer: [UInt8] = []
    /// Where the line being assembled starts in `buffer`.
    private var lineStart = 0
    /// Bytes of the current line seen, including those dropped while skipping.
    private var lineLength = 0
    private var previousLineBlank = true
    private var oversized = false
    private(set) var number = 0
    private(set) var largestBuffer = 0
    /// Bytes kept of a line in a message being skipped: enough to see a `From ` separator.
    private static let keepPrefix = 16

    init(limit: Int) {
        self.limit = limit
        buffer.reserveCapacity(64 << 10)
    }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, deliver: (Message) throws -> Void) throws {
        guard let base = chunk.baseAddress else { return }
        var position = 0
        while position < chunk.count {
            let found = memchr(base + position, 0x0A, chunk.count - position)
            let segmentEnd = found.map { base.distance(to: UnsafeRawPointer($0)) + 1 } ?? chunk.count
            append(UnsafeRawBufferPointer(rebasing: chunk[position..<segmentEnd]))
            position = segmentEnd
            if found != nil { try completeLine(deliver: deliver) }
        }
    }

    mutating func finish(deliver: (Message) throws -> Void) throws {
        if buffer.count > lineStart || lineLength > 0 { try completeLine(deliver: deliver) }
        try deliverCurrent(deliver: deliver)
    }

    private mutating func append(_ segment: UnsafeRawBufferPointer) {
        lineLength += segment.count
        if oversized {
            // Keep only the start of the line: enough to recognise the next separator.
            let room = Self.keepPrefix - (buffer.count - lineStart)
            if room > 0 { buffer.append(contentsOf: segment.prefix(room)) }
            return
        }
        buffer.append(contentsOf: segment)
        largestBuffer = max(largestBuffer, buffer.count)
        if buffer.count > limit {
            let kept = Array(buffer[lineStart..<min(buffer.count, lineStart + Self.keepPrefix)])
            buffer.removeAll(keepingCapacity: false)
            buffer.append(contentsOf: kept)
            lineStart = 0
            oversized = true
        }
    }

    private mutating func completeLine(deliver: (Message) throws -> Void) throws {
        var contentEnd = buffer.count
        if contentEnd > lineStart, buffer[contentEnd - 1] == 0x0A { contentEnd -= 1 }
        if contentEnd > lineStart, buffer[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        let line = buffer[lineStart..<contentEnd]
        let blank = line.isEmpty && lineLength <= 2
        if previousLineBlank, line.starts(with: MailDetection.fromSpace) {
            buffer.removeSubrange(lineStart...)
            try deliverCurrent(deliver: deliver)
            number += 1
            previousLineBlank = false
            lineLength = 0
            return
        }
        if line.first == 0x3E {
            let afterQuotes = line.drop(while: { $0 == 0x3E })
            if afterQuotes.starts(with: MailDetection.fromSpace) { buffer.remove(at: lineStart) }
        }
        previousLineBlank = blank
        lineLength = 0
        if oversized { buffer.removeSubrange(lineStart...) }
        lineStart = buffer.count
    }

    /// Hands on the message collected so far, without the blank line mbox puts before the next `From `.
    private mutating func deliverCurrent(deliver: (Message) throws -> Void) throws {
        defer {
            // A huge message's buffer is not kept for the small ones after it.
            buffer.removeAll(keepingCapacity: buffer.capacity <= 4 << 20)
            lineStart = 0
            oversized = false
        }
        guard number > 0 else { return }
        if !oversized {
            if buffer.last == 0x0A { buffer.removeLast() }
            if buffer.last == 0x0D { buffer.removeLast() }
        }
        try deliver(Message(number: number, bytes: buffer, oversized: oversized))
    }
}
