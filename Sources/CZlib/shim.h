#ifndef DMARC_CZLIB_SHIM_H
#define DMARC_CZLIB_SHIM_H
#include <zlib.h>
// inflateInit2 is a macro; Swift cannot call macros.
static inline int dmarc_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
