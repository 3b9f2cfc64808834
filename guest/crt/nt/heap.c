/*
 * malloc, calloc, realloc, free on NT: the process heap ntdll makes at
 * process start (PEB->ProcessHeap, ntdll/heap.c), which is serialized, so
 * the malloc family is safe to call from several threads. Blocks are
 * 8-byte aligned. free of a pointer the heap does not know (or a second
 * free) is refused by RtlFreeHeap and ignored here; realloc of such a
 * pointer answers NULL.
 */
#include <nt.h>
#include <stdlib.h>

void *malloc(size_t n)
{
  return RtlAllocateHeap(RtlProcessHeap(), 0, n);
}

void free(void *p)
{
  if (p)
    RtlFreeHeap(RtlProcessHeap(), 0, p);
}

void *calloc(size_t n, size_t size)
{
  if (size && n > (size_t)-1 / size)
    return NULL;
  return RtlAllocateHeap(RtlProcessHeap(), HEAP_ZERO_MEMORY, n * size);
}

void *realloc(void *p, size_t n)
{
  if (!p)
    return malloc(n);
  if (n == 0) {
    free(p);
    return NULL;
  }
  return RtlReAllocateHeap(RtlProcessHeap(), 0, p, n);
}
