/*
 * compute.exe: a small real compute workload for the CPU benchmarks
 * (bench/suites/jit.ts, `compute.jit` / `compute.interp`): a checksum
 * (Adler-32 and a CRC-32) over a buffer, an insertion + quick sort of
 * integers, and a small integer matrix multiply, repeated ROUNDS times
 * (argv[1], default 3). Prints one line per part and a combined digest, so a
 * wrong translation shows as a different digest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define BUF 16384
#define NSORT 4000
#define MAT 24

static uint8_t buf[BUF];
static int32_t arr[NSORT];
static int32_t ma[MAT][MAT], mb[MAT][MAT], mc[MAT][MAT];
static uint32_t crc_table[256];

static uint32_t rng_state = 0x2545F491u;
static uint32_t rng(void)
{
  uint32_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return rng_state = x;
}

static uint32_t adler32(const uint8_t *p, int n)
{
  uint32_t a = 1, b = 0;
  for (int i = 0; i < n; i++) {
    a = (a + p[i]) % 65521u;
    b = (b + a) % 65521u;
  }
  return (b << 16) | a;
}

static void crc_init(void)
{
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

static uint32_t crc32(const uint8_t *p, int n)
{
  uint32_t c = 0xFFFFFFFFu;
  for (int i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

static void insertion(int32_t *a, int lo, int hi)
{
  for (int i = lo + 1; i <= hi; i++) {
    int32_t v = a[i];
    int j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void quick(int32_t *a, int lo, int hi)
{
  while (hi - lo > 16) {
    int32_t pivot = a[lo + (hi - lo) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        int32_t t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (j - lo < hi - i) {
      quick(a, lo, j);
      lo = i;
    } else {
      quick(a, i, hi);
      hi = j;
    }
  }
  insertion(a, lo, hi);
}

static uint32_t sort_digest(void)
{
  for (int i = 0; i < NSORT; i++) arr[i] = (int32_t)rng();
  quick(arr, 0, NSORT - 1);
  uint32_t h = 0;
  for (int i = 0; i < NSORT; i++) {
    if (i > 0 && arr[i - 1] > arr[i]) return 0xBAD;
    h = h * 31u + (uint32_t)arr[i];
  }
  return h;
}

static uint32_t matmul_digest(void)
{
  for (int i = 0; i < MAT; i++)
    for (int j = 0; j < MAT; j++) {
      ma[i][j] = (int32_t)(rng() % 1000) - 500;
      mb[i][j] = (int32_t)(rng() % 1000) - 500;
    }
  for (int i = 0; i < MAT; i++)
    for (int j = 0; j < MAT; j++) {
      int32_t s = 0;
      for (int k = 0; k < MAT; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
  uint32_t h = 0;
  for (int i = 0; i < MAT; i++)
    for (int j = 0; j < MAT; j++) h = (h ^ (uint32_t)mc[i][j]) * 16777619u;
  return h;
}

int main(int argc, char **argv)
{
  int rounds = argc > 1 ? atoi(argv[1]) : 3;
  uint32_t digest = 0;
  crc_init();
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < BUF; i++) buf[i] = (uint8_t)rng();
    uint32_t ad = adler32(buf, BUF), cr = crc32(buf, BUF), so = sort_digest(), mm = matmul_digest();
    if (r == 0) printf("adler32 %08x crc32 %08x sort %08x matmul %08x\n", ad, cr, so, mm);
    digest = (digest * 33u) ^ ad ^ cr ^ so ^ mm;
  }
  printf("compute: %d rounds, digest %08x\n", rounds, digest);
  return 0;
}
