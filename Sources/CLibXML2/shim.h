#ifndef DMARC_CLIBXML2_SHIM_H
#define DMARC_CLIBXML2_SHIM_H
// Debian's libxml2 is built with ICU; its <unicode/ucnv.h> clashes with Foundation's bundled ICU.
// The parser never needs libxml2's ICU converters, so hide them before any other libxml header.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>

// libxml2 2.9 declares xmlFree as a mutable global, which Swift 6 rejects as unsafe shared state.
static inline void dmarc_xmlFree(void *p) { xmlFree(p); }

// Errors libxml2 raises without a parser context (encoding conversion, I/O) skip the context's
// structured handler and go to the thread's global handlers, whose default prints to stderr; a few
// ("xmlParseChunk: encoder error") are printed through the generic handler directly. libxml2 keeps
// these handlers per thread (thread-enabled builds, as Debian's), so a parse installs its own for
// as long as it runs on its thread and puts the previous ones back: nothing else is affected.
// The generic handler is variadic, which Swift cannot write: it lives here, and ignores the
// message (the structured handler has already had what matters).
typedef struct {
    xmlGenericErrorFunc generic;
    void *genericContext;
    xmlStructuredErrorFunc structured;
    void *structuredContext;
} dmarc_xmlErrorHandlers;

static void dmarc_xmlIgnoreGenericError(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

static inline dmarc_xmlErrorHandlers dmarc_xmlInstallErrorHandler(xmlStructuredErrorFunc handler, void *context) {
    dmarc_xmlErrorHandlers previous = {
        xmlGenericError, xmlGenericErrorContext, xmlStructuredError, xmlStructuredErrorContext};
    xmlSetGenericErrorFunc(NULL, dmarc_xmlIgnoreGenericError);
    xmlSetStructuredErrorFunc(context, handler);
    return previous;
}

static inline void dmarc_xmlRestoreErrorHandlers(dmarc_xmlErrorHandlers previous) {
    xmlSetGenericErrorFunc(previous.genericContext, previous.generic);
    xmlSetStructuredErrorFunc(previous.structuredContext, previous.structured);
}
#endif
