/*
 * The malloc family of the native reference build (native-expected.mjs):
 * on NT the CRT's malloc is ntdll's process heap (crt/nt/heap.c); natively
 * it is this allocator over the shim's mmap. Boundary-tag blocks in 1 MiB arenas from the platform's page
 * allocator (NtAllocateVirtualMemory), segregated free lists, immediate
 * coalescing; requests of 256 KiB and more get their own pages and go back
 * to the system on free.
 *
 * Block layout (8-byte aligned, sizes multiples of 8, header included):
 *   [prev_size][size | flags][payload ...]
 * prev_size is valid only when the previous block is free (PREV_FREE). A
 * free block keeps its list links in the payload and repeats its size in
 * the next block's prev_size. Each arena ends with a zero-size in-use
 * sentinel so coalescing never runs off the end.
 *
 * Free lists: exact sizes up to 512 bytes (one list per 8 bytes), then one
 * list per power of two (first fit inside it). A bitmap of non-empty lists
 * finds the next candidate list without scanning empty ones.
 * Single-threaded (as the rest of the CRT for now).
 */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "../crt/crt_internal.h"

/* Zeroed, page-granular memory from the shim (native-shim.c). */
void *__crt_sys_alloc(size_t bytes);
void __crt_sys_free(void *p, size_t bytes);

typedef struct block {
  size_t prev_size;
  size_t size; /* total size | flags */
  struct block *next, *prev; /* free blocks only */
} block;

#define IN_USE 1u
#define PREV_FREE 2u
#define BIG 4u /* own pages: size is the mapping's size */
#define FLAGS 7u
#define HDR 8u
#define MIN_BLOCK 16u
#define ARENA_SIZE (1u << 20)
#define BIG_THRESHOLD (256u << 10)

#define SMALL_LISTS 64 /* sizes 8*i, i < 64: up to 504 */
#define NLISTS (SMALL_LISTS + 32)

static block *lists[NLISTS];
static uint32_t nonempty[(NLISTS + 31) / 32];

static size_t bsize(const block *b) { return b->size & ~(size_t)FLAGS; }
static block *next_block(block *b) { return (block *)((char *)b + bsize(b)); }

static int list_of(size_t size)
{
  if (size < SMALL_LISTS * 8)
    return (int)(size >> 3);
  return SMALL_LISTS + (31 - __builtin_clz(size)) - 9; /* 512.. -> 64.. */
}

static void unlink_free(block *b)
{
  int i = list_of(bsize(b));
  if (b->prev)
    b->prev->next = b->next;
  else
    lists[i] = b->next;
  if (b->next)
    b->next->prev = b->prev;
  if (!lists[i])
    nonempty[i >> 5] &= ~(1u << (i & 31));
}

/* Marks b free (size already set) and files it. */
static void link_free(block *b)
{
  size_t s = bsize(b);
  int i = list_of(s);
  b->size = s | (b->size & PREV_FREE);
  block *n = next_block(b);
  n->prev_size = s;
  n->size |= PREV_FREE;
  b->prev = NULL;
  b->next = lists[i];
  if (b->next)
    b->next->prev = b;
  lists[i] = b;
  nonempty[i >> 5] |= 1u << (i & 31);
}

static int grow(void)
{
  char *a = __crt_sys_alloc(ARENA_SIZE);
  if (!a)
    return 0;
  /* First block starts 8 bytes in (its prev_size word is the arena's
   * first word, never read because PREV_FREE is clear). */
  block *first = (block *)a;
  size_t usable = ARENA_SIZE - HDR; /* keep room for the sentinel header */
  first->size = usable;
  block *sentinel = (block *)(a + usable);
  sentinel->size = IN_USE;
  link_free(first);
  return 1;
}

static block *find(size_t need)
{
  int i = list_of(need);
  /* Exact small lists: any block there fits. Larger lists: first fit. */
  if (i < SMALL_LISTS && lists[i])
    return lists[i];
  if (i >= SMALL_LISTS)
    for (block *b = lists[i]; b; b = b->next)
      if (bsize(b) >= need)
        return b;
  for (int j = i + 1; j < NLISTS;) {
    uint32_t word = nonempty[j >> 5] & (~0u << (j & 31));
    if (!word) {
      j = (j | 31) + 1;
      continue;
    }
    return lists[(j & ~31) + __builtin_ctz(word)];
  }
  return NULL;
}

void *malloc(size_t n)
{
  if (n >= BIG_THRESHOLD) {
    if (n > 0x7FFF0000u)
      return NULL;
    size_t total = (n + HDR + 0xFFF) & ~(size_t)0xFFF;
    block *b = __crt_sys_alloc(total);
    if (!b)
      return NULL;
    b->size = total | BIG | IN_USE;
    return (char *)b + HDR;
  }
  size_t need = (n + HDR + 7) & ~(size_t)7;
  if (need < MIN_BLOCK)
    need = MIN_BLOCK;
  block *b = find(need);
  if (!b) {
    if (!grow())
      return NULL;
    b = find(need);
  }
  unlink_free(b);
  size_t have = bsize(b);
  if (have - need >= MIN_BLOCK) {
    /* Split: the tail goes back on a list. */
    block *rest = (block *)((char *)b + need);
    rest->size = have - need;
    b->size = need | (b->size & PREV_FREE) | IN_USE;
    link_free(rest);
  } else {
    b->size |= IN_USE;
    next_block(b)->size &= ~(size_t)PREV_FREE;
  }
  return (char *)b + HDR;
}

void free(void *p)
{
  if (!p)
    return;
  block *b = (block *)((char *)p - HDR);
  if (b->size & BIG) {
    __crt_sys_free(b, bsize(b));
    return;
  }
  size_t s = bsize(b);
  block *n = next_block(b);
  if (!(n->size & IN_USE)) {
    unlink_free(n);
    s += bsize(n);
  }
  if (b->size & PREV_FREE) {
    block *prev = (block *)((char *)b - b->prev_size);
    unlink_free(prev);
    s += bsize(prev);
    b = prev;
  }
  b->size = s | (b->size & PREV_FREE);
  link_free(b);
}

void *calloc(size_t n, size_t size)
{
  if (size && n > (size_t)-1 / size)
    return NULL;
  size_t total = n * size;
  void *p = malloc(total);
  if (p)
    memset(p, 0, total);
  return p;
}

void *realloc(void *p, size_t n)
{
  if (!p)
    return malloc(n);
  if (n == 0) {
    free(p);
    return NULL;
  }
  block *b = (block *)((char *)p - HDR);
  size_t have = bsize(b) - HDR;
  if (!(b->size & BIG) && n < BIG_THRESHOLD) {
    size_t need = (n + HDR + 7) & ~(size_t)7;
    if (need < MIN_BLOCK)
      need = MIN_BLOCK;
    /* Grow in place into a free successor when it is big enough. */
    block *nx = next_block(b);
    if (need > bsize(b) && !(nx->size & IN_USE) && bsize(b) + bsize(nx) >= need) {
      unlink_free(nx);
      b->size += bsize(nx);
      next_block(b)->size &= ~(size_t)PREV_FREE;
    }
    if (need <= bsize(b)) {
      size_t total = bsize(b);
      if (total - need >= MIN_BLOCK) {
        block *rest = (block *)((char *)b + need);
        rest->size = (total - need) | IN_USE;
        b->size = need | (b->size & (PREV_FREE | IN_USE));
        free((char *)rest + HDR); /* coalesces with what follows */
      }
      return p;
    }
  } else if (n <= have && (b->size & BIG) && n >= BIG_THRESHOLD / 2) {
    return p;
  }
  void *q = malloc(n);
  if (!q)
    return NULL;
  memcpy(q, p, have < n ? have : n);
  free(p);
  return q;
}
