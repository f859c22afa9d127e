#ifndef DMARC_CLIBPQ_SHIM_H
#define DMARC_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
