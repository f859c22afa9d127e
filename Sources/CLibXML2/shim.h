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
#endif
