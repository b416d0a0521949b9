// libFuzzer's driver, called from each fuzzer's own main (SwiftPM names an executable's entry point
// `<Target>_main`, so libFuzzer's `main` cannot be the entry point).
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
