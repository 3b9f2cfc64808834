/* The MSVC toolchain references _fltused from any object that uses floating
 * point (it once pulled in the FP runtime); defining it satisfies the link. */
int _fltused = 0x9875;
