#ifndef DMARC_CLIBFUZZER_SHIM_H
#define DMARC_CLIBFUZZER_SHIM_H
#include <stddef.h>
#include <stdint.h>
// libFuzzer's driver as a function (compiler-rt FuzzerInterface.h). Linked by `-sanitize=fuzzer`
// only: SwiftPM on Linux points `main` at the executable module's own entry point
// (`--defsym main=<Module>_main`), so libFuzzer's `main` is never used and ours calls the driver.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
