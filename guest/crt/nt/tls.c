/*
 * Static TLS (what MSVC's tlssup object provides): the image's TLS
 * directory `_tls_used`, which lld-link points the TLS data directory at.
 * The compiler puts __declspec(thread) variables in .tls$ and reaches them
 * through _tls_index and fs:[__tls_array] (TEB->ThreadLocalStoragePointer,
 * 0x2C); _tls_start (.tls) and _tls_end (.tls$ZZZ) bracket the template
 * ntdll copies for every thread, and the callbacks a program puts in
 * .CRT$XLB ... .CRT$XLY lie between __xl_a and __xl_z. This object is
 * linked only into images that use TLS (they reference _tls_index).
 */
#include <nt.h>

typedef struct {
  ULONG StartAddressOfRawData, EndAddressOfRawData, AddressOfIndex, AddressOfCallBacks, SizeOfZeroFill, Characteristics;
} IMAGE_TLS_DIRECTORY32;

ULONG _tls_index = 0;
__attribute__((section(".tls"))) char _tls_start = 0;
__attribute__((section(".tls$ZZZ"))) char _tls_end = 0;
__attribute__((section(".CRT$XLA"))) PIMAGE_TLS_CALLBACK __xl_a = 0;
__attribute__((section(".CRT$XLZ"))) PIMAGE_TLS_CALLBACK __xl_z = 0;

__attribute__((used)) const IMAGE_TLS_DIRECTORY32 _tls_used = {
  (ULONG)&_tls_start, (ULONG)&_tls_end, (ULONG)&_tls_index, (ULONG)(&__xl_a + 1), 0, 0,
};

/* The TEB offset of ThreadLocalStoragePointer, as the absolute symbol the compiler's fs: accesses name. */
__asm__(".globl __tls_array\n\t.set __tls_array, 0x2c");
