/*
 * cputest.exe: portable C that exercises the integer ISA and floating point
 * the way compiled programs do, printing every result. The same source built
 * for i386 Linux and run on the host CPU gives guest/programs/cputest/
 * expected.txt (guest/tools/native-expected.mjs); the engine's output must
 * match it line for line. Built at -O2 (cputest.exe) and -O0
 * (cputest-o0.exe) so both code shapes are covered.
 *
 * Rules for this file: no undefined behaviour (signed overflow, INT_MIN/-1,
 * oversized shifts), no long double, no sizeof of structs with doubles
 * (the two ABIs align them differently), no pointers printed. Operands come
 * through volatile variables so the compiler cannot fold them away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <math.h>

static unsigned checks, failures;

/* Self-checks print only when they fail, but always count. */
static void check(int ok, const char *what)
{
  checks++;
  if (!ok) {
    failures++;
    printf("CHECK FAILED: %s\n", what);
  }
}

/* A tiny deterministic generator (xorshift32) for test data. */
static uint32_t rng_state = 0x12345678u;
static uint32_t rng(void)
{
  uint32_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return rng_state = x;
}

/* ---------------------------------------------------------------- int32 */
static volatile int32_t vi[] = {0, 1, -1, 7, -7, 100, -100, 12345, -12345, INT_MAX, INT_MIN, 0x55AA55AA, 1 << 30, -(1 << 30)};
static volatile uint32_t vu[] = {0, 1, 2, 3, 0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu, 0xDEADBEEFu, 0x12345678u, 1000000007u};
#define NVI (int)(sizeof vi / sizeof vi[0])
#define NVU (int)(sizeof vu / sizeof vu[0])

static void test_int32(void)
{
  printf("== int32\n");
  uint32_t h = 0;
  for (int i = 0; i < NVI; i++) {
    for (int j = 0; j < NVI; j++) {
      int32_t a = vi[i], b = vi[j];
      uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
      uint32_t sum = ua + ub, diff = ua - ub, prod = ua * ub;
      int32_t q = 0, r = 0;
      if (b != 0 && !(a == INT_MIN && b == -1)) {
        q = a / b;
        r = a % b;
      }
      uint32_t uq = ub ? ua / ub : 0, ur = ub ? ua % ub : 0;
      int lt = a < b, ult = ua < ub;
      h = h * 31 + sum;
      h = h * 31 + diff;
      h = h * 31 + prod;
      h = h * 31 + (uint32_t)q;
      h = h * 31 + (uint32_t)r;
      h = h * 31 + uq;
      h = h * 31 + ur;
      h = h * 31 + (uint32_t)(lt | ult << 1);
    }
  }
  printf("pairwise hash %08x\n", h);
  for (int i = 3; i < 9; i++)
    for (int j = 3; j < 7; j++)
      printf("%d / %d = %d rem %d\n", vi[i], vi[j], vi[i] / vi[j], vi[i] % vi[j]);
  /* 64-bit product of 32-bit values (mul/imul with EDX:EAX results). */
  for (int i = 0; i < NVU; i++) {
    uint64_t p = (uint64_t)vu[i] * vu[(i + 3) % NVU];
    int64_t sp = (int64_t)vi[i] * vi[(i + 5) % NVI];
    printf("widen %08x*%08x = %016llx, %d*%d = %lld\n", vu[i], vu[(i + 3) % NVU], (unsigned long long)p, vi[i],
           vi[(i + 5) % NVI], (long long)sp);
  }
  /* Shifts: every count 0..31, logical and arithmetic. */
  uint32_t sh = 0;
  for (int n = 0; n < 32; n++) {
    volatile int cnt = n;
    sh = sh * 33 + (vu[7] << cnt);
    sh = sh * 33 + (vu[7] >> cnt);
    sh = sh * 33 + (uint32_t)(vi[8] >> cnt);
    sh = sh * 33 + (uint32_t)(vi[10] >> cnt);
  }
  printf("shift hash %08x\n", sh);
  /* Rotates (the compiler turns these into rol/ror). */
  for (int n = 1; n < 32; n += 5) {
    volatile int cnt = n;
    uint32_t x = vu[7];
    printf("rol %2d %08x ror %08x\n", n, (x << cnt) | (x >> (32 - cnt)), (x >> cnt) | (x << (32 - cnt)));
  }
  /* Bit tricks: bsf/bsr/bswap/popcount/parity, sign extension, byte ops. */
  for (int i = 1; i < NVU; i++) {
    uint32_t x = vu[i];
    printf("bits %08x: ctz %2d clz %2d pop %2d parity %d bswap %08x ext8 %d ext16 %d low %u\n", x,
           x ? __builtin_ctz(x) : 32, x ? __builtin_clz(x) : 32, __builtin_popcount(x), __builtin_parity(x),
           __builtin_bswap32(x), (int)(int8_t)x, (int)(int16_t)x, (unsigned)(uint8_t)(x >> 8));
  }
  /* Conditional selects (setcc/cmovcc). */
  int sel = 0;
  for (int i = 0; i < NVI; i++) {
    int32_t a = vi[i];
    sel = sel * 3 + (a > 0 ? 1 : a < 0 ? 2 : 0);
    sel ^= (a >= 100) << (i & 7);
  }
  printf("select %d\n", sel);
  /* Saturating abs and min/max without branches. */
  for (int i = 0; i < 9; i++) {
    int32_t a = vi[i], b = vi[i + 1];
    int32_t m = a < b ? a : b, M = a > b ? a : b;
    printf("minmax(%d,%d) = %d %d abs %d\n", a, b, m, M, abs(a));
  }
}

/* ---------------------------------------------------------------- int64 */
static volatile int64_t vl[] = {0, 1, -1, 3, -3, 1000000007LL, -1000000007LL, 0x123456789ALL, -0x123456789ALL,
                                LLONG_MAX, LLONG_MIN, 0x00000000FFFFFFFFLL, 0x7FFFFFFF00000000LL, 10000000000LL};
#define NVL (int)(sizeof vl / sizeof vl[0])

static void test_int64(void)
{
  printf("== int64\n");
  uint64_t h = 0;
  for (int i = 0; i < NVL; i++) {
    for (int j = 0; j < NVL; j++) {
      int64_t a = vl[i], b = vl[j];
      uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
      int64_t q = 0, r = 0;
      if (b != 0 && !(a == LLONG_MIN && b == -1)) {
        q = a / b;
        r = a % b;
      }
      uint64_t uq = ub ? ua / ub : 0, ur = ub ? ua % ub : 0;
      h = h * 1099511628211ULL + (ua + ub);
      h = h * 1099511628211ULL + (ua - ub);
      h = h * 1099511628211ULL + ua * ub;
      h = h * 1099511628211ULL + (uint64_t)q;
      h = h * 1099511628211ULL + (uint64_t)r;
      h = h * 1099511628211ULL + uq;
      h = h * 1099511628211ULL + ur;
      h = h * 1099511628211ULL + (uint64_t)((a < b) | (ua < ub) << 1 | (a == b) << 2);
    }
  }
  printf("pairwise hash %016llx\n", (unsigned long long)h);
  for (int i = 3; i < 9; i++)
    for (int j = 3; j < 7; j++)
      printf("%lld / %lld = %lld rem %lld\n", (long long)vl[i], (long long)vl[j], (long long)(vl[i] / vl[j]),
             (long long)(vl[i] % vl[j]));
  printf("u64 %llu / %llu = %llu rem %llu\n", 0xFFFFFFFFFFFFFFFFULL, (unsigned long long)(uint64_t)vl[7],
         0xFFFFFFFFFFFFFFFFULL / (uint64_t)vl[7], 0xFFFFFFFFFFFFFFFFULL % (uint64_t)vl[7]);
  uint64_t sh = 0;
  for (int n = 0; n < 64; n++) {
    volatile int cnt = n;
    sh = sh * 31 + ((uint64_t)vl[7] << cnt);
    sh = sh * 31 + ((uint64_t)vl[8] >> cnt);
    sh = sh * 31 + (uint64_t)(vl[8] >> cnt);
  }
  printf("shift hash %016llx\n", (unsigned long long)sh);
  printf("ctz/clz/pop %d %d %d\n", __builtin_ctzll((uint64_t)vl[12]), __builtin_clzll((uint64_t)vl[7]),
         __builtin_popcountll((uint64_t)vl[8]));
  printf("bswap64 %016llx\n", (unsigned long long)__builtin_bswap64((uint64_t)vl[7]));
  printf("%lld %llu %llx %llX %llo\n", (long long)vl[10], (unsigned long long)vl[10], (unsigned long long)vl[8],
         (unsigned long long)vl[8], (unsigned long long)vl[9]);
  /* Factorials and Fibonacci in 64 bits (carry chains: add/adc, mul). */
  uint64_t f = 1, a = 0, b = 1;
  for (volatile int i = 1; i <= 20; i++)
    f *= (uint64_t)i;
  for (int i = 0; i < 90; i++) {
    uint64_t t = a + b;
    a = b;
    b = t;
  }
  printf("20! = %llu fib(90) = %llu\n", (unsigned long long)f, (unsigned long long)a);
}

/* ---------------------------------------------------------------- float */
static volatile double vd[] = {0.0, 1.0, -1.0, 0.5, 3.141592653589793, -2.718281828459045, 1e10, 1e-10, 123456.789,
                               -0.0001234, 1.7976931348623157e308, 2.2250738585072014e-308, 4.9e-324, 0.1, 2.5, 1e22};
#define NVD (int)(sizeof vd / sizeof vd[0])
static volatile float vf[] = {0.0f, 1.5f, -2.25f, 3.1415927f, 1e-3f, 16777216.0f, 0.1f, -1e30f};
#define NVF (int)(sizeof vf / sizeof vf[0])

static double poly(double x)
{
  /* Horner: a chain of dependent mul/add. */
  return ((((0.5 * x - 1.25) * x + 2.0) * x - 0.75) * x + 0.125);
}

static float favg(const volatile float *v, int n)
{
  float s = 0;
  for (int i = 0; i < n; i++)
    s += v[i];
  return s / (float)n; /* returned in ST0 by the i386 ABI */
}

static void test_float(void)
{
  printf("== float\n");
  for (int i = 0; i < NVD; i++)
    printf("%%g %g  %%e %e  %%.17g %.17g\n", vd[i], vd[i], vd[i]);
  for (int i = 1; i < 10; i++) {
    double a = vd[i], b = vd[i + 1];
    printf("%.6f %+.3e %.10g | + %.17g - %.17g * %.17g / %.17g\n", a, a, a, a + b, a - b, a * b, a / b);
  }
  printf("sqrt: %.17g %.17g %.17g\n", sqrt(vd[1] * 2), sqrt(vd[4]), sqrt(vd[8]));
  for (int i = 1; i < 10; i++) {
    double x = vd[i] * 3.7;
    int e;
    double m = frexp(x, &e);
    printf("math %.17g: floor %.17g ceil %.17g trunc %.17g round %.17g fmod %.17g frexp %.17g %d ldexp %.17g\n", x,
           floor(x), ceil(x), trunc(x), round(x), fmod(x, vd[4]), m, e, ldexp(m, e + 3));
  }
  printf("fmod: %.17g %.17g %.17g %g\n", fmod(1e300, 3.0), fmod(-7.5, 2.0), fmod(5e-324, 3e-324), fmod(1.0, vd[0]));
  printf("poly: %.17g %.17g %.17g\n", poly(vd[4]), poly(vd[5]), poly(vd[8]));
  /* Rounding of %f/%e/%g: exact ties and carries. */
  printf("round: %.0f %.0f %.0f %.0f %.1f %.2f %.2f %.3f\n", 0.5, 1.5, 2.5, -2.5, 0.25, 1.005, 2.675, 1.0005);
  printf("round: %.0f %.1f %.3e %.2g %g %g %g %#g\n", 9.5, 9.95, 9.9995, 0.000099951, 100000.0, 1000000.0, 1e-5, 1.0);
  printf("widths: [%10.3f] [%-10.2f] [%010.4f] [%+f] [% f] [%12.4e] [%-12g|]\n", 3.14159, -2.5, -1.5, 1.0, 2.0,
         123.456, 0.0001);
  printf("big: %f %.0f %.3f\n", 1e22, 1.7976931348623157e308 / 1e290, 123456789012345678.0);
  printf("small: %.20f %.30e %g\n", 1e-10, 4.9e-324, 2.2250738585072014e-308);
  printf("specials: %f %f %e %g %f %+f\n", 1.0 / vd[0], -1.0 / vd[0], vd[0] * -1.0, -vd[0], vd[1] / 3, vd[0]);
  /* float (single) arithmetic, float <-> double */
  for (int i = 0; i < NVF; i++) {
    float x = vf[i];
    printf("float %.9g: x*x %.9g x+1 %.9g (double)%.17g (int)%d\n", (double)x, (double)(x * x), (double)(x + 1.0f),
           (double)x, (x > -2e9f && x < 2e9f) ? (int)x : 0);
  }
  printf("favg %.9g\n", (double)favg(vf, 6));
  /* Conversions: int32/int64/uint64 <-> double (cvtsi2sd, fild/fistp). */
  static volatile int64_t l64[] = {0, 1, -1, 123456789012345LL, -987654321098765LL, 9007199254740993LL, LLONG_MAX,
                                   LLONG_MIN};
  for (int i = 0; i < 8; i++) {
    double d = (double)l64[i];
    printf("i64 %lld -> %.17g", (long long)l64[i], d);
    if (d > -9.2e18 && d < 9.2e18)
      printf(" -> %lld", (long long)d);
    printf("\n");
  }
  static volatile double dd[] = {0.9, -0.9, 1.5, -1.5, 2147483647.0, -2147483648.0, 1e15 + 0.5, -3.7e17,
                                 18446744073709549568.0, 4294967295.0};
  for (int i = 0; i < 10; i++) {
    double d = dd[i];
    long long ll = (d > -9.2e18 && d < 9.2e18) ? (long long)d : 0;
    unsigned long long ull = (d >= 0 && d < 18446744073709551616.0) ? (unsigned long long)d : 0;
    int ii = (d > -2147483649.0 && d < 2147483648.0) ? (int)d : 0;
    unsigned uu = (d >= 0 && d < 4294967296.0) ? (unsigned)d : 0;
    printf("d %.17g -> i32 %d u32 %u i64 %lld u64 %llu\n", d, ii, uu, ll, ull);
  }
  static volatile uint64_t u64[] = {0, 1, 0x8000000000000000ULL, 0xFFFFFFFFFFFFFFFFULL, 0x7FFFFFFFFFFFFC00ULL,
                                    12345678901234567890ULL};
  for (int i = 0; i < 6; i++)
    printf("u64 %llu -> %.17g float %.9g\n", (unsigned long long)u64[i], (double)u64[i], (double)(float)u64[i]);
  /* Comparisons, including NaN (unordered) and signed zero. */
  volatile double nan = vd[0] / vd[0], nz = -vd[0];
  printf("cmp: %d %d %d %d %d %d %d\n", nan == nan, nan != nan, nan < 1.0, nz == 0.0, 1.0 / nz < 0, vd[1] < vd[2],
         vd[3] >= vd[3]);
  /* Accumulate: a harmonic sum and a Leibniz series. */
  double hsum = 0, pi = 0;
  for (int i = 1; i <= 1000; i++) {
    hsum += 1.0 / i;
    pi += (i & 1 ? 4.0 : -4.0) / (2 * i - 1);
  }
  printf("harmonic(1000) %.15f leibniz %.15f\n", hsum, pi);
}

/* ---------------------------------------------------------------- memory, strings */
static int cmp_int(const void *a, const void *b)
{
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

struct rec {
  int key;
  char name[12];
  short tag;
};

static int cmp_rec(const void *a, const void *b)
{
  const struct rec *x = a, *y = b;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return strcmp(x->name, y->name);
}

static void test_sort(void)
{
  printf("== qsort\n");
  enum { N = 1000 };
  int *v = malloc(N * sizeof(int));
  for (int i = 0; i < N; i++)
    v[i] = (int)(rng() % 20001) - 10000;
  qsort(v, N, sizeof(int), cmp_int);
  int sorted = 1;
  uint32_t h = 0;
  for (int i = 0; i < N; i++) {
    if (i && v[i - 1] > v[i])
      sorted = 0;
    h = h * 31 + (uint32_t)v[i];
  }
  printf("ints: sorted %d first %d %d %d last %d hash %08x\n", sorted, v[0], v[1], v[2], v[N - 1], h);
  free(v);
  const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "kiwi", "apricot", "date", "grape", "lemon",
                         "lime", "mango", "melon", "nectarine", "orange", "papaya", "plum", "quince", "raspberry"};
  enum { W = sizeof words / sizeof words[0] };
  const char *w2[W];
  memcpy(w2, words, sizeof words);
  qsort(w2, W, sizeof w2[0], cmp_str);
  for (int i = 0; i < W; i++)
    printf("%s%s", w2[i], i + 1 < W ? " " : "\n");
  struct rec recs[40];
  for (int i = 0; i < 40; i++) {
    recs[i].key = (int)(rng() % 7);
    snprintf(recs[i].name, sizeof recs[i].name, "r%02d", (int)(rng() % 100));
    recs[i].tag = (short)i;
  }
  qsort(recs, 40, sizeof recs[0], cmp_rec);
  for (int i = 0; i < 40; i += 5)
    printf("rec %d %s\n", recs[i].key, recs[i].name);
  int key = 3;
  int arr[] = {1, 3, 5, 7, 9, 11};
  int *found = bsearch(&key, arr, 6, sizeof(int), cmp_int);
  printf("bsearch 3 -> index %d\n", found ? (int)(found - arr) : -1);
}

static void test_strings(void)
{
  printf("== strings\n");
  char buf[64];
  strcpy(buf, "Hello");
  strcat(buf, ", ");
  strncat(buf, "world!!!", 6);
  printf("[%s] len %u\n", buf, (unsigned)strlen(buf));
  printf("cmp %d %d %d %d %d\n", strcmp("abc", "abd") < 0, strcmp("b", "a") > 0, strcmp("x", "x"),
         strncmp("abcdef", "abcxyz", 3), strncmp("abc", "abd", 3) < 0);
  printf("chr [%s] rchr [%s] str [%s] [%s]\n", strchr(buf, 'o'), strrchr(buf, 'o'), strstr(buf, "wor"),
         strstr(buf, "xyz") ? "found" : "null");
  printf("spn %u cspn %u\n", (unsigned)strspn("aabbcc", "ab"), (unsigned)strcspn("hello world", " "));
  char tok[] = "  one,two;;three  four ";
  for (char *t = strtok(tok, " ,;"); t; t = strtok(NULL, " ,;"))
    printf("tok [%s]\n", t);
  memset(buf, 'x', 10);
  buf[10] = 0;
  printf("memset [%s] memcmp %d %d\n", buf, memcmp("abc", "abd", 3) < 0, memcmp("abc", "abc", 3));
  char mv[] = "0123456789";
  memmove(mv + 2, mv, 5);
  printf("memmove up [%s]", mv);
  strcpy(mv, "0123456789");
  memmove(mv, mv + 3, 5);
  printf(" down [%s]\n", mv);
  const char *nums[] = {"42", "-17", "  +99xyz", "0x1F", "077", "2147483647", "2147483648", "-2147483649", "zz",
                        "9223372036854775807", "-9223372036854775808", "18446744073709551615"};
  for (int i = 0; i < 12; i++) {
    char *end;
    long v = strtol(nums[i], &end, 0);
    long long ll = strtoll(nums[i], NULL, 0);
    unsigned long uv = strtoul(nums[i], NULL, 0);
    unsigned long long ull = strtoull(nums[i], NULL, 0);
    printf("strto* \"%s\" -> %ld (used %d) %lld %lu %llu atoi %d\n", nums[i], v, (int)(end - nums[i]), ll, uv, ull,
           atoi(nums[i]));
  }
  printf("base36 %ld base2 %ld\n", strtol("zz", NULL, 36), strtol("101101", NULL, 2));
  int up = 0, dig = 0, sp = 0;
  const char *mix = "Hello World 2024\tTabs\n";
  char upper[32];
  for (int i = 0; mix[i]; i++) {
    up += isupper((unsigned char)mix[i]) != 0;
    dig += isdigit((unsigned char)mix[i]) != 0;
    sp += isspace((unsigned char)mix[i]) != 0;
    upper[i] = (char)toupper((unsigned char)mix[i]);
    upper[i + 1] = 0;
  }
  printf("ctype up %d digit %d space %d alnum %d punct %d -> %.16s %c\n", up, dig, sp, isalnum('z') != 0,
         ispunct('!') != 0, upper, tolower('Q'));
  /* snprintf: truncation and the would-be length. */
  char small[8];
  int n = snprintf(small, sizeof small, "%s-%d", "truncate", 12345);
  printf("snprintf %d [%s]\n", n, small);
  n = snprintf(NULL, 0, "%05d|%-5s|%5.2s|%x|%#o|%#x|%c|%%", 42, "ab", "xyz", 255, 8, 255, 'Z');
  sprintf(buf, "%05d|%-5s|%5.2s|%x|%#o|%#x|%c|%%", 42, "ab", "xyz", 255, 8, 255, 'Z');
  printf("sprintf %d [%s]\n", n, buf);
  printf("ints [%+d] [% d] [%-6d] [%6.3d] [%.0d] [%hd] [%hhu] [%zu] [%i]\n", 5, 5, -5, 7, 0, (short)-1234, (unsigned char)200, (size_t)123,
         -0);
}

/* ---------------------------------------------------------------- control flow */
static jmp_buf jb;
static volatile int depth_reached;

static void dive(int depth)
{
  char pad[64];
  memset(pad, depth, sizeof pad);
  depth_reached = depth + pad[5] - depth;
  if (depth == 25)
    longjmp(jb, depth * 2);
  dive(depth + 1);
}

static int classify(int x)
{
  /* Dense switch: a jump table. */
  switch (x) {
  case 0: return 10;
  case 1: return 11;
  case 2: return 13;
  case 3: return 17;
  case 4: return 19;
  case 5: return 23;
  case 6: return 29;
  case 7: return 31;
  case 8: return 37;
  default: return -1;
  }
}

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }

static int sum_varargs(int n, ...)
{
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++)
    s += va_arg(ap, int);
  va_end(ap);
  return s;
}

static void test_control(void)
{
  printf("== control\n");
  volatile int count = 0;
  int r = setjmp(jb);
  count++;
  if (r == 0)
    dive(0);
  printf("longjmp returned %d after depth %d, setjmp returned %d times\n", r, depth_reached, count);
  if (setjmp(jb) == 0)
    longjmp(jb, 0);
  else
    printf("longjmp(env, 0) makes setjmp return 1\n");
  int s = 0;
  for (int i = -1; i < 11; i++)
    s = s * 7 + classify(i);
  printf("switch %d\n", s);
  printf("fib(24) = %d\n", fib(24));
  int (*ops[])(int, int) = {add, sub, mul};
  volatile int sel = 0;
  int acc = 1;
  for (int i = 0; i < 30; i++)
    acc = ops[(sel + i) % 3](acc, i + 1) & 0xFFFFF;
  printf("function pointers %d varargs %d\n", acc, sum_varargs(5, 1, 2, 3, 4, 5));
}

/* ---------------------------------------------------------------- workloads */
static uint32_t crc_table[256];

static uint32_t crc32(const unsigned char *p, size_t n)
{
  if (!crc_table[1])
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++)
        c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      crc_table[i] = c;
    }
  uint32_t c = 0xFFFFFFFFu;
  while (n--)
    c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

static void test_workloads(void)
{
  printf("== workloads\n");
  const char *text = "The quick brown fox jumps over the lazy dog";
  printf("crc32(\"%s\") = %08x\n", text, crc32((const unsigned char *)text, strlen(text)));
  enum { SZ = 65536 };
  unsigned char *data = malloc(SZ);
  for (int i = 0; i < SZ; i++)
    data[i] = (unsigned char)(rng() >> 24);
  printf("crc32(64 KiB) = %08x\n", crc32(data, SZ));
  free(data);
  /* Matrix multiply, integer and double. */
  enum { M = 12 };
  /* static: keeps the frame under a page (we build without stack probes) */
  static int a[M][M], b[M][M], c[M][M];
  static double da[M][M], db[M][M], dc[M][M];
  for (int i = 0; i < M; i++)
    for (int j = 0; j < M; j++) {
      a[i][j] = (int)(rng() % 200) - 100;
      b[i][j] = (int)(rng() % 200) - 100;
      da[i][j] = (double)a[i][j] / 7.0;
      db[i][j] = (double)b[i][j] / 3.0;
    }
  for (int i = 0; i < M; i++)
    for (int j = 0; j < M; j++) {
      int s = 0;
      double d = 0;
      for (int k = 0; k < M; k++) {
        s += a[i][k] * b[k][j];
        d += da[i][k] * db[k][j];
      }
      c[i][j] = s;
      dc[i][j] = d;
    }
  int64_t trace = 0;
  double dtrace = 0;
  uint32_t h = 0;
  for (int i = 0; i < M; i++) {
    trace += c[i][i];
    dtrace += dc[i][i];
    for (int j = 0; j < M; j++)
      h = h * 31 + (uint32_t)c[i][j];
  }
  printf("matmul trace %lld hash %08x dtrace %.12f c[3][5] %d dc[3][5] %.9f\n", (long long)trace, h, dtrace, c[3][5],
         dc[3][5]);
  /* Sieve of Eratosthenes. */
  enum { LIMIT = 100000 };
  char *composite = calloc(LIMIT + 1, 1);
  int primes = 0, last = 0;
  for (int i = 2; i <= LIMIT; i++) {
    if (composite[i])
      continue;
    primes++;
    last = i;
    for (int j = i * 2; j <= LIMIT; j += i)
      composite[j] = 1;
  }
  free(composite);
  printf("primes <= %d: %d, largest %d\n", LIMIT, primes, last);
  /* Heap churn: many sizes, reallocs, a checksum of the contents. */
  enum { SLOTS = 256 };
  static unsigned char *slot[SLOTS];
  static size_t len[SLOTS];
  uint32_t sum = 0;
  for (int round = 0; round < 4000; round++) {
    int i = (int)(rng() % SLOTS);
    if (slot[i] && (rng() & 1)) {
      for (size_t k = 0; k < len[i]; k++)
        sum += slot[i][k];
      free(slot[i]);
      slot[i] = NULL;
    } else {
      size_t n = (rng() & 7) == 0 ? 300000 + rng() % 1000 : 1 + rng() % 2000;
      unsigned char *p = slot[i] ? realloc(slot[i], n) : malloc(n);
      if (!p) {
        printf("allocation of %u failed\n", (unsigned)n);
        break;
      }
      size_t old = slot[i] ? len[i] : 0;
      if (old > n)
        old = n;
      for (size_t k = old; k < n; k++)
        p[k] = (unsigned char)(k * 7 + (size_t)i);
      slot[i] = p;
      len[i] = n;
    }
  }
  for (int i = 0; i < SLOTS; i++) {
    for (size_t k = 0; k < len[i] && slot[i]; k++)
      sum += slot[i][k];
    free(slot[i]);
  }
  printf("heap churn checksum %08x\n", sum);
}

int main(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  printf("cputest: integer ISA, floating point and the C runtime\n");
  test_int32();
  test_int64();
  test_float();
  test_sort();
  test_strings();
  test_control();
  test_workloads();
  printf("== done: %u self-checks, %u failed\n", checks, failures);
  check(1, "always");
  return failures ? 1 : 0;
}
