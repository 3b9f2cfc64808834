/*
 * qsort: quicksort with a median-of-three pivot, insertion sort for short
 * runs, and recursion only on the smaller side (stack depth O(log n)).
 * Not stable, like most C libraries' qsort. bsearch is here too.
 */
#include <stdlib.h>
#include <stdint.h>

typedef int (*cmp_fn)(const void *, const void *);

static void swap_bytes(char *a, char *b, size_t size)
{
  if (a == b)
    return;
  /* Word-wise when both are aligned, bytes otherwise. */
  if (!(((uintptr_t)a | (uintptr_t)b | size) & 3)) {
    for (uint32_t *p = (uint32_t *)a, *q = (uint32_t *)b; size; size -= 4, p++, q++) {
      uint32_t t = *p;
      *p = *q;
      *q = t;
    }
    return;
  }
  for (; size; size--, a++, b++) {
    char t = *a;
    *a = *b;
    *b = t;
  }
}

static void insertion_sort(char *base, size_t n, size_t size, cmp_fn cmp)
{
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && cmp(base + (j - 1) * size, base + j * size) > 0; j--)
      swap_bytes(base + (j - 1) * size, base + j * size, size);
}

void qsort(void *vbase, size_t n, size_t size, cmp_fn cmp)
{
  char *base = vbase;
  while (n > 12) {
    char *lo = base, *hi = base + (n - 1) * size, *mid = base + (n / 2) * size;
    /* Order lo <= mid <= hi, then use mid as the pivot (kept at lo). */
    if (cmp(mid, lo) < 0) swap_bytes(mid, lo, size);
    if (cmp(hi, mid) < 0) swap_bytes(hi, mid, size);
    if (cmp(mid, lo) < 0) swap_bytes(mid, lo, size);
    swap_bytes(lo, mid, size);
    /* Hoare partition around *lo. */
    char *i = lo, *j = hi + size;
    for (;;) {
      do i += size; while (i <= hi && cmp(i, lo) < 0);
      do j -= size; while (cmp(j, lo) > 0);
      if (i >= j)
        break;
      swap_bytes(i, j, size);
    }
    swap_bytes(lo, j, size);
    size_t left = (size_t)(j - base) / size;
    size_t right = n - left - 1;
    if (left < right) {
      qsort(base, left, size, cmp);
      base = j + size;
      n = right;
    } else {
      qsort(j + size, right, size, cmp);
      n = left;
    }
  }
  insertion_sort(base, n, size, cmp);
}

void *bsearch(const void *key, const void *vbase, size_t n, size_t size, cmp_fn cmp)
{
  const char *base = vbase;
  while (n) {
    const char *mid = base + (n / 2) * size;
    int c = cmp(key, mid);
    if (c == 0)
      return (void *)mid;
    if (c > 0) {
      base = mid + size;
      n -= n / 2 + 1;
    } else {
      n /= 2;
    }
  }
  return NULL;
}
