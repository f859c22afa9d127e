internal import CLibXML2
import DMARC

/// Streams one XML document through libxml2's SAX2 push parser into a `ReportHandler`.
///
/// The document is fed in chunks as it is inflated, so memory stays constant whatever its size.
/// libxml2 runs in recover mode, but a repaired document is accepted only when it is complete
/// (its `</feedback>` arrived): a stray `<` in a value is survivable, a truncated file is not.
/// DTDs are never loaded and a DOCTYPE stops the parse: no entity expansion, no network.
enum XMLReportParser {
    static let chunkSize = 64 << 10

    static func parse<Stream: ByteStream, Handler: ReportHandler>(
        _ upstream: Stream, source: String, limits: ReadingLimits, streamWarnings: () -> [String] = { [] },
        into handler: inout Handler
    ) throws {
        LibXML2.initialise()
        var stream = XMLPrefilter(upstream)
        let chunk = ChunkBuffer(byteCount: chunkSize)
        let state = UnsafeMutablePointer<ParserState>.allocate(capacity: 1)
        state.initialize(to: ParserState(builder: ReportBuilder(limits: limits, source: source)))
        defer {
            state.deinitialize(count: 1)
            state.deallocate()
        }
        // Errors raised without a context (encoding conversion) come to this parse, not stderr.
        let previousHandlers = dmarc_xmlInstallErrorHandler(LibXML2.structuredError, state)
        defer { dmarc_xmlRestoreErrorHandlers(previousHandlers) }
        var begun = false
        var context: xmlParserCtxtPtr?
        defer { if let context { xmlFreeParserCtxt(context) } }

        func fail(_ error: ReadError) throws {
            if begun { try handler.abandonReport(error) } else { try handler.rejected(source: source, error: error) }
        }
        /// Hands out what the builder has ready; records wait until the header is known.
        func drain() throws {
            if !begun, let header = state.pointee.builder.header {
                begun = true
                try handler.beginReport(header)
            }
            guard begun, !state.pointee.builder.pending.isEmpty else { return }
            for record in state.pointee.builder.pending { try handler.record(record) }
            state.pointee.builder.pending.removeAll(keepingCapacity: true)
        }

        var ended = false
        while !ended {
            let n: Int
            do throws(ReadError) {
                n = try stream.read(into: chunk.bytes)
            } catch {
                return try fail(error)
            }
            ended = n == 0
            let bytes = chunk.bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
            if context == nil {
                var handlers = LibXML2.saxHandlers
                context = xmlCreatePushParserCtxt(&handlers, state, bytes, Int32(n), nil)
                guard let created = context else { return try fail(ReadError(.notXML, "libxml2 could not start")) }
                xmlCtxtUseOptions(created, LibXML2.options)
                state.pointee.context = created
                // libxml2 only buffers the chunk a context is created with; parse it now, so that a
                // problem in it is found before a stream error in what follows (a truncated gzip).
                xmlParseChunk(created, nil, 0, ended ? 1 : 0)
            } else if let context {
                xmlParseChunk(context, bytes, Int32(n), ended ? 1 : 0)
            }
            if let failure = state.pointee.failure { return try fail(failure) }
            try drain()
        }

        // In recover mode libxml2 disables its callbacks only when it gives up on the document.
        state.pointee.libxml2GaveUp = (context?.pointee.disableSAX ?? 0) != 0
        // libxml2 stops at bytes its decoder cannot convert: a complaint about what is missing after
        // that point would hide the reason.
        if let encodingError = state.pointee.encodingError, !state.pointee.builder.rootEnded {
            return try fail(ReadError(.notWellFormed, "\(encodingError); the document cannot be read past it"))
        }
        do {
            try state.pointee.builder.finish()
        } catch {
            return try fail(state.pointee.failure ?? state.pointee.endedEarly ?? state.pointee.syntaxError(or: error))
        }
        if !state.pointee.builder.rootEnded { return try fail(state.pointee.truncation) }
        try drain()
        for warning in stream.finalWarnings() + streamWarnings() { state.pointee.builder.addWarning(warning) }
        if let first = state.pointee.firstError {
            let more = state.pointee.errorCount > 1 ? " (and \(state.pointee.errorCount - 1) more)" : ""
            state.pointee.builder.addWarning("recovered from malformed XML: \(first)\(more)")
        }
        try handler.endReport(warnings: state.pointee.builder.reportedWarnings)
    }
}

/// What the C callbacks reach through libxml2's user-data pointer. Kept in manually allocated
/// storage, not a class, so the hot callbacks pay no exclusivity checks.
struct ParserState {
    var builder: ReportBuilder
    var context: xmlParserCtxtPtr?
    /// Stops the parse: a DOCTYPE, a limit, a document that is no report.
    var failure: ReadError?
    var firstError: String?
    var errorCount = 0
    /// The first error of libxml2's decoder (a byte sequence invalid in the document's encoding),
    /// after which libxml2 stops.
    var encodingError: String?

    init(builder: ReportBuilder) { self.builder = builder }

    mutating func stop(_ error: ReadError) {
        if failure == nil { failure = error }
        if let context { xmlStopParser(context) }
    }

    /// libxml2 stopped reading before the end of the input (a node past its size limits).
    var libxml2GaveUp = false

    /// libxml2 gave up inside `<feedback>`: whatever the builder then misses is a consequence, and
    /// libxml2's error the cause.
    var endedEarly: ReadError? {
        guard builder.sawRoot, !builder.rootEnded, libxml2GaveUp else { return nil }
        return truncation
    }

    var truncation: ReadError {
        ReadError(.truncated, "document ends before </feedback>" + (firstError.map { ": \($0)" } ?? ""))
    }

    /// A builder complaint after libxml2 already found the document broken says less than libxml2.
    func syntaxError(or error: any Error) -> ReadError {
        if let firstError, errorCount > 0, (error as? ReadError)?.code == .notAReport {
            return ReadError(
                .notWellFormed, firstError.hasPrefix("line ") ? "not well-formed at \(firstError)" : "not well-formed: \(firstError)")
        }
        return (error as? ReadError) ?? ReadError(.notWellFormed, "\(error)")
    }
}

/// libxml2's process-wide setup and the SAX2 callbacks, in one place.
enum LibXML2 {
    private static let initialised: Bool = {
        xmlInitParser()
        return true
    }()

    static func initialise() { _ = initialised }

    /// Recover mode (repairs are judged by the caller), no network, and none of the options that
    /// load DTDs or substitute entities.
    static let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue)

    static var saxHandlers: xmlSAXHandler {
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { user, localName, _, uri, _, _, _, _, _ in
            guard let state = user?.assumingMemoryBound(to: ParserState.self), let localName else { return }
            guard state.pointee.failure == nil else { return }
            do throws(ReadError) {
                try state.pointee.builder.start(
                    ElementName(localName: localName), namespaceURI: uri.map { String(cString: $0) })
            } catch {
                state.pointee.stop(error)
            }
        }
        sax.endElementNs = { user, _, _, _ in
            guard let state = user?.assumingMemoryBound(to: ParserState.self), state.pointee.failure == nil else { return }
            do throws(ReadError) {
                try state.pointee.builder.end()
            } catch {
                state.pointee.stop(error)
            }
        }
        sax.characters = { user, characters, length in
            guard let state = user?.assumingMemoryBound(to: ParserState.self), let characters, length > 0 else { return }
            do throws(ReadError) {
                try state.pointee.builder.characters(UnsafeRawBufferPointer(start: characters, count: Int(length)))
            } catch {
                state.pointee.stop(error)
            }
        }
        sax.cdataBlock = sax.characters
        sax.internalSubset = { user, _, _, _ in
            guard let state = user?.assumingMemoryBound(to: ParserState.self) else { return }
            state.pointee.stop(ReadError(.doctype, "DOCTYPE not allowed (DTDs and entities are never loaded)"))
        }
        sax.entityDecl = { user, _, _, _, _, _ in
            guard let state = user?.assumingMemoryBound(to: ParserState.self) else { return }
            state.pointee.stop(ReadError(.doctype, "entity declarations not allowed"))
        }
        sax.serror = structuredError
        return sax
    }

    /// Errors into the parse's state: through the context for parser errors, and through the
    /// thread's handler (installed for the parse) for those libxml2 raises without a context.
    static let structuredError: xmlStructuredErrorFunc = { user, error in
        guard let state = user?.assumingMemoryBound(to: ParserState.self), let error else { return }
        guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        // Built only when kept: a repaired document may have thousands of errors.
        var message: String {
            Normalise.trimmed(error.pointee.message.map { String(cString: $0) } ?? "error \(error.pointee.code)")
        }
        let domain = error.pointee.domain
        if domain == Int32(XML_FROM_I18N.rawValue) || domain == Int32(XML_FROM_IO.rawValue) {
            // The decoder, converting ahead of the parser (no line to tell). It says it again each
            // time it retries the same bytes, as often as the chunking makes it: once is counted.
            guard state.pointee.encodingError == nil else { return }
            state.pointee.encodingError = "encoding error: \(message)"
            state.pointee.errorCount += 1
            if state.pointee.firstError == nil { state.pointee.firstError = state.pointee.encodingError }
            return
        }
        state.pointee.errorCount += 1
        if error.pointee.code == Int32(XML_ERR_GT_REQUIRED.rawValue) { state.pointee.builder.discardOpenElement() }
        if state.pointee.firstError == nil { state.pointee.firstError = "line \(error.pointee.line): \(message)" }
    }
}
