/*
 * The Rtl heap: RtlCreateHeap, RtlAllocateHeap, RtlFreeHeap,
 * RtlReAllocateHeap, RtlSizeHeap, RtlValidateHeap, RtlDestroyHeap,
 * RtlGetProcessHeaps. The process heap (PEB->ProcessHeap) is one of these,
 * made by LdrInitializeThunk before any DLL runs.
 *
 * A heap is one or more segments, each a region reserved with
 * NtAllocateVirtualMemory and committed from its start as blocks need it.
 * The heap's header (the handle points at it) opens its first segment.
 * Blocks are boundary-tagged: a 16-byte header
 *   [PrevSize][Size | BUSY][Requested][Check]
 * then the caller's bytes (8-byte aligned, as NT on x86). PrevSize is the
 * size of the block before (0 for a segment's first), kept for every
 * block, so both neighbours of a block are found from its header and a
 * free coalesces immediately with free neighbours. Requested is the
 * caller's size (RtlSizeHeap's answer). Check is a function of the other
 * three words, the header's address and a per-heap cookie, so a header
 * that was overwritten, or a pointer that is not a block, is recognized.
 * Each committed range ends with a zero-size busy sentinel header; growing
 * the commit turns the sentinel into a free block at the end.
 *
 * Free blocks keep their list links after the header. Lists: one per
 * exact size (8-byte steps) below 512 bytes, then one per power of two
 * (first fit inside it), with a bitmap of non-empty lists. Requests of
 * 508 KiB and more (NT's VirtualMemoryThreshold) get their own region,
 * on a list of the heap, released by the free.
 *
 * What a free, realloc or size call checks, and refuses (FALSE, NULL or
 * (SIZE_T)-1; STATUS_INVALID_PARAMETER raised instead when the heap or the
 * call has HEAP_GENERATE_EXCEPTIONS): a misaligned pointer, a header whose
 * Check does not match (a corrupted header, a pointer into the middle of a
 * block, a block absorbed by a coalesce, i.e. most double frees), a block
 * already free (the other double frees), a pointer outside every segment
 * and not one of the large blocks, neighbours whose sizes disagree with
 * the header. RtlValidateHeap walks every block and every free list and
 * answers FALSE on any disagreement. A heap handle without the heap
 * signature is refused the same way.
 *
 * Serialized by a critical section unless HEAP_NO_SERIALIZE (at creation,
 * or per call). Not here: caller-supplied heap memory (HeapBase) or locks
 * (Lock), RTL_HEAP_PARAMETERS (ignored), decommit of free pages, heap tags,
 * RtlWalkHeap/RtlLockHeap.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

#define HEAP_SIGNATURE 0x50414548u /* "HEAP" */
#define SEGMENT_SIGNATURE 0x47455348u /* "HSEG" */
#define BUSY 1u
#define BIG 2u
#define FLAGS 7u
#define HDR 16u
#define MIN_BLOCK 24u /* header + the two list links of a free block */
#define PAGE 4096u
#define BIG_THRESHOLD 0x7F000u
#define DEFAULT_RESERVE (1u << 20)
#define MIN_GROW (16u << 10)
#define SMALL_LISTS 64 /* exact sizes 8*i, i < 64 */
#define NLISTS (SMALL_LISTS + 32)
#define MAX_REQUEST 0x7FFF0000u
#define CALL_FLAGS (HEAP_NO_SERIALIZE | HEAP_GENERATE_EXCEPTIONS)

typedef struct _HEAP_ENTRY {
  ULONG PrevSize;
  ULONG Size; /* bytes, header included | BUSY | BIG */
  ULONG Requested;
  ULONG Check;
  struct _HEAP_ENTRY *Next, *Prev; /* free blocks only */
} HEAP_ENTRY;

typedef struct _HEAP_SEGMENT {
  ULONG Signature;
  struct _HEAP_SEGMENT *Next;
  PCHAR First;     /* first block */
  PCHAR CommitEnd; /* the sentinel header ends here */
  PCHAR ReserveEnd;
  ULONG Pad[3];
} HEAP_SEGMENT;

/* Precedes the header of a large block, in its own region. */
typedef struct _HEAP_BIG {
  struct _HEAP_BIG *Next, *Prev;
  SIZE_T RegionSize;
  ULONG Pad;
} HEAP_BIG;

typedef struct _HEAP {
  ULONG Signature;
  ULONG Flags;
  ULONG Cookie;
  struct _HEAP *NextHeap; /* RtlGetProcessHeaps */
  HEAP_SEGMENT *Segments;
  HEAP_BIG BigHead; /* circular list of large blocks */
  RTL_CRITICAL_SECTION Lock;
  ULONG NonEmpty[(NLISTS + 31) / 32];
  HEAP_ENTRY *Lists[NLISTS];
} HEAP;

_Static_assert(sizeof(HEAP_SEGMENT) % 8 == 0, "segment header keeps blocks 8-aligned");
_Static_assert(sizeof(HEAP_BIG) == 16, "large block prefix keeps 8-alignment");

static HEAP *heap_list;
static RTL_CRITICAL_SECTION heap_list_lock;
static BOOLEAN heap_list_lock_ready;

/* --- headers ------------------------------------------------------------- */
static ULONG bsize(const HEAP_ENTRY *b) { return b->Size & ~FLAGS; }
static HEAP_ENTRY *next_of(HEAP_ENTRY *b) { return (HEAP_ENTRY *)((PCHAR)b + bsize(b)); }
static HEAP_ENTRY *prev_of(HEAP_ENTRY *b) { return (HEAP_ENTRY *)((PCHAR)b - b->PrevSize); }

static ULONG check_of(const HEAP *h, const HEAP_ENTRY *b)
{
  ULONG x = b->PrevSize * 0x9E3779B1u ^ b->Size ^ (b->Requested * 0x85EBCA6Bu) ^ (ULONG)(ULONG_PTR)b ^ h->Cookie;
  return x ^ (x >> 15);
}

static void seal(const HEAP *h, HEAP_ENTRY *b) { b->Check = check_of(h, b); }
static BOOLEAN sealed(const HEAP *h, const HEAP_ENTRY *b) { return b->Check == check_of(h, b); }

static void set_header(const HEAP *h, HEAP_ENTRY *b, ULONG prev, ULONG size, ULONG requested)
{
  b->PrevSize = prev;
  b->Size = size;
  b->Requested = requested;
  seal(h, b);
}

static void set_prev_size(const HEAP *h, HEAP_ENTRY *b, ULONG prev)
{
  b->PrevSize = prev;
  seal(h, b);
}

/* --- free lists ------------------------------------------------------------ */
static int list_of(ULONG size)
{
  if (size < SMALL_LISTS * 8) return (int)(size >> 3);
  return SMALL_LISTS + (31 - __builtin_clz(size)) - 9; /* 512.. -> 64.. */
}

static void unlink_free(HEAP *h, HEAP_ENTRY *b)
{
  int i = list_of(bsize(b));
  if (b->Prev) b->Prev->Next = b->Next;
  else h->Lists[i] = b->Next;
  if (b->Next) b->Next->Prev = b->Prev;
  if (!h->Lists[i]) h->NonEmpty[i >> 5] &= ~(1u << (i & 31));
}

static void link_free(HEAP *h, HEAP_ENTRY *b)
{
  int i = list_of(bsize(b));
  b->Prev = NULL;
  b->Next = h->Lists[i];
  if (b->Next) b->Next->Prev = b;
  h->Lists[i] = b;
  h->NonEmpty[i >> 5] |= 1u << (i & 31);
}

/* b (any state, size set) becomes free, merged with free neighbours, and
 * is filed. A header merged into its predecessor is wiped so that a later
 * free of the same pointer fails its check. */
static void release_block(HEAP *h, HEAP_ENTRY *b)
{
  ULONG size = bsize(b);
  HEAP_ENTRY *n = next_of(b);
  if (!(n->Size & BUSY)) {
    unlink_free(h, n);
    size += bsize(n);
    n->Check = ~n->Check;
  }
  if (b->PrevSize != 0) {
    HEAP_ENTRY *p = prev_of(b);
    if (!(p->Size & BUSY)) {
      unlink_free(h, p);
      size += bsize(p);
      b->Check = ~b->Check;
      b = p;
    }
  }
  set_header(h, b, b->PrevSize, size, 0);
  set_prev_size(h, next_of(b), size);
  link_free(h, b);
}

static HEAP_ENTRY *find_free(HEAP *h, ULONG need)
{
  int i = list_of(need);
  if (i < SMALL_LISTS && h->Lists[i]) return h->Lists[i];
  if (i >= SMALL_LISTS)
    for (HEAP_ENTRY *b = h->Lists[i]; b; b = b->Next)
      if (bsize(b) >= need) return b;
  for (int j = i + 1; j < NLISTS;) {
    ULONG word = h->NonEmpty[j >> 5] & (~0u << (j & 31));
    if (!word) {
      j = (j | 31) + 1;
      continue;
    }
    return h->Lists[(j & ~31) + __builtin_ctz(word)];
  }
  return NULL;
}

/* Takes a free block for need bytes; the tail past need goes back. */
static void carve(HEAP *h, HEAP_ENTRY *b, ULONG need, ULONG requested)
{
  ULONG have = bsize(b);
  unlink_free(h, b);
  if (have - need >= MIN_BLOCK) {
    HEAP_ENTRY *rest = (HEAP_ENTRY *)((PCHAR)b + need);
    set_header(h, b, b->PrevSize, need | BUSY, requested);
    set_header(h, rest, need, have - need, 0);
    set_prev_size(h, next_of(rest), have - need);
    link_free(h, rest);
  } else {
    set_header(h, b, b->PrevSize, have | BUSY, requested);
  }
}

/* --- segments -------------------------------------------------------------- */
static PVOID reserve(SIZE_T size)
{
  PVOID base = NULL;
  SIZE_T s = size;
  if (!NT_SUCCESS(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &s, MEM_RESERVE, PAGE_READWRITE))) return NULL;
  return base;
}

static BOOLEAN commit(PVOID at, SIZE_T size)
{
  PVOID base = at;
  SIZE_T s = size;
  return NT_SUCCESS(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &s, MEM_COMMIT, PAGE_READWRITE));
}

static void release_region(PVOID at)
{
  PVOID base = at;
  SIZE_T s = 0;
  NtFreeVirtualMemory(NtCurrentProcess(), &base, &s, MEM_RELEASE);
}

static ULONG round_up(ULONG v, ULONG to) { return (v + to - 1) & ~(to - 1); }

/* Lays out a fresh segment's committed range [first, commit_end): one free
 * block and the sentinel. */
static void format_segment(HEAP *h, HEAP_SEGMENT *seg)
{
  HEAP_ENTRY *b = (HEAP_ENTRY *)seg->First;
  ULONG size = (ULONG)(seg->CommitEnd - seg->First) - HDR;
  HEAP_ENTRY *sentinel = (HEAP_ENTRY *)(seg->CommitEnd - HDR);
  set_header(h, b, 0, size, 0);
  set_header(h, sentinel, size, BUSY, 0);
  link_free(h, b);
}

/* Commits at least `extra` more bytes of seg; the old sentinel becomes a
 * free block (merged with a free last block). */
static BOOLEAN extend_segment(HEAP *h, HEAP_SEGMENT *seg, ULONG extra)
{
  if (!commit(seg->CommitEnd, extra)) return FALSE;
  HEAP_ENTRY *old = (HEAP_ENTRY *)(seg->CommitEnd - HDR);
  seg->CommitEnd += extra;
  HEAP_ENTRY *sentinel = (HEAP_ENTRY *)(seg->CommitEnd - HDR);
  set_header(h, sentinel, extra, BUSY, 0);
  set_header(h, old, old->PrevSize, extra, 0);
  release_block(h, old);
  return TRUE;
}

/* Finds room for need bytes by committing more of a segment or, when the
 * heap is growable, adding one. */
static BOOLEAN grow(HEAP *h, ULONG need)
{
  for (HEAP_SEGMENT *seg = h->Segments; seg; seg = seg->Next) {
    HEAP_ENTRY *sentinel = (HEAP_ENTRY *)(seg->CommitEnd - HDR);
    HEAP_ENTRY *last = sentinel->PrevSize ? prev_of(sentinel) : NULL;
    ULONG have = (last && !(last->Size & BUSY)) ? bsize(last) : 0;
    ULONG extra = round_up(need - have + HDR, PAGE);
    ULONG room = (ULONG)(seg->ReserveEnd - seg->CommitEnd);
    if (extra > room) continue;
    if (extra < MIN_GROW) extra = room < MIN_GROW ? room : MIN_GROW;
    if (extend_segment(h, seg, extra)) return TRUE;
  }
  if (!(h->Flags & HEAP_GROWABLE)) return FALSE;
  ULONG commit_size = round_up(need + sizeof(HEAP_SEGMENT) + 2 * HDR, PAGE);
  if (commit_size < MIN_GROW) commit_size = MIN_GROW;
  ULONG reserve_size = round_up(commit_size, 0x10000);
  if (reserve_size < DEFAULT_RESERVE) reserve_size = DEFAULT_RESERVE;
  HEAP_SEGMENT *seg = reserve(reserve_size);
  if (!seg) return FALSE;
  if (!commit(seg, commit_size)) {
    release_region(seg);
    return FALSE;
  }
  seg->Signature = SEGMENT_SIGNATURE;
  seg->First = (PCHAR)(seg + 1);
  seg->CommitEnd = (PCHAR)seg + commit_size;
  seg->ReserveEnd = (PCHAR)seg + reserve_size;
  seg->Next = h->Segments;
  h->Segments = seg;
  format_segment(h, seg);
  return TRUE;
}

/* --- locking, errors --------------------------------------------------------- */
static BOOLEAN heap_ok(HEAP *h)
{
  return h != NULL && ((ULONG_PTR)h & 7) == 0 && h->Signature == HEAP_SIGNATURE;
}

static void heap_lock(HEAP *h, ULONG flags)
{
  if (!(flags & HEAP_NO_SERIALIZE)) RtlEnterCriticalSection(&h->Lock);
}

static void heap_unlock(HEAP *h, ULONG flags)
{
  if (!(flags & HEAP_NO_SERIALIZE)) RtlLeaveCriticalSection(&h->Lock);
}

/* Raised (after the lock is dropped) when HEAP_GENERATE_EXCEPTIONS asks. */
static void heap_raise(ULONG flags, NTSTATUS code, SIZE_T info)
{
  if (!(flags & HEAP_GENERATE_EXCEPTIONS)) return;
  EXCEPTION_RECORD rec = { 0 };
  rec.ExceptionCode = code;
  rec.NumberParameters = 1;
  rec.ExceptionInformation[0] = info;
  RtlRaiseException(&rec);
}

/* The busy block of a caller's pointer, or NULL (see the header comment). */
static HEAP_ENTRY *block_of(HEAP *h, const VOID *p)
{
  if (p == NULL || ((ULONG_PTR)p & 7) != 0 || (ULONG_PTR)p < HDR + sizeof(HEAP_BIG)) return NULL;
  HEAP_ENTRY *b = (HEAP_ENTRY *)((PCHAR)p - HDR);
  if (!sealed(h, b) || !(b->Size & BUSY) || bsize(b) == 0) return NULL;
  if (b->Size & BIG) {
    HEAP_BIG *big = (HEAP_BIG *)b - 1;
    for (HEAP_BIG *x = h->BigHead.Next; x != &h->BigHead; x = x->Next)
      if (x == big) return b;
    return NULL;
  }
  for (HEAP_SEGMENT *seg = h->Segments; seg; seg = seg->Next) {
    if ((PCHAR)b < seg->First || (PCHAR)b >= seg->CommitEnd - HDR) continue;
    if ((PCHAR)b + bsize(b) > seg->CommitEnd - HDR) return NULL;
    HEAP_ENTRY *n = next_of(b);
    if (!sealed(h, n) || n->PrevSize != bsize(b)) return NULL;
    if (b->PrevSize != 0) {
      if ((PCHAR)b - b->PrevSize < seg->First) return NULL;
      HEAP_ENTRY *pv = prev_of(b);
      if (!sealed(h, pv) || bsize(pv) != b->PrevSize) return NULL;
    } else if ((PCHAR)b != seg->First) {
      return NULL;
    }
    return b;
  }
  return NULL;
}

/* --- allocation ---------------------------------------------------------------- */
static ULONG block_need(SIZE_T n)
{
  ULONG need = round_up((ULONG)n, 8) + HDR;
  return need < MIN_BLOCK ? MIN_BLOCK : need;
}

static PVOID alloc_big(HEAP *h, SIZE_T n)
{
  SIZE_T region = round_up((ULONG)n + sizeof(HEAP_BIG) + HDR, PAGE);
  HEAP_BIG *big = reserve(region);
  if (!big) return NULL;
  if (!commit(big, region)) {
    release_region(big);
    return NULL;
  }
  big->RegionSize = region;
  big->Next = h->BigHead.Next;
  big->Prev = &h->BigHead;
  big->Next->Prev = big;
  h->BigHead.Next = big;
  HEAP_ENTRY *b = (HEAP_ENTRY *)(big + 1);
  set_header(h, b, 0, (ULONG)(region - sizeof(HEAP_BIG)) | BUSY | BIG, (ULONG)n);
  return (PCHAR)b + HDR; /* fresh pages read as zero */
}

static PVOID alloc_locked(HEAP *h, ULONG flags, SIZE_T n)
{
  if (n >= BIG_THRESHOLD && (h->Flags & HEAP_GROWABLE)) return alloc_big(h, n);
  ULONG need = block_need(n);
  HEAP_ENTRY *b = find_free(h, need);
  if (!b) {
    if (!grow(h, need)) return NULL;
    b = find_free(h, need);
    if (!b) return NULL;
  }
  carve(h, b, need, (ULONG)n);
  PVOID p = (PCHAR)b + HDR;
  if (flags & HEAP_ZERO_MEMORY) RtlZeroMemory(p, n);
  return p;
}

PVOID NTAPI RtlAllocateHeap(PVOID HeapHandle, ULONG Flags, SIZE_T Size)
{
  HEAP *h = HeapHandle;
  if (!heap_ok(h)) return NULL;
  ULONG flags = Flags | (h->Flags & CALL_FLAGS);
  if (Size > MAX_REQUEST) {
    heap_raise(flags, STATUS_NO_MEMORY, Size);
    return NULL;
  }
  heap_lock(h, flags);
  PVOID p = alloc_locked(h, flags, Size);
  heap_unlock(h, flags);
  if (!p) heap_raise(flags, STATUS_NO_MEMORY, Size);
  return p;
}

static void free_locked(HEAP *h, HEAP_ENTRY *b)
{
  if (b->Size & BIG) {
    HEAP_BIG *big = (HEAP_BIG *)b - 1;
    big->Prev->Next = big->Next;
    big->Next->Prev = big->Prev;
    b->Check = ~b->Check;
    release_region(big);
    return;
  }
  b->Size &= ~BUSY;
  b->Requested = 0;
  release_block(h, b);
}

BOOLEAN NTAPI RtlFreeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress)
{
  HEAP *h = HeapHandle;
  if (BaseAddress == NULL) return TRUE;
  if (!heap_ok(h)) return FALSE;
  ULONG flags = Flags | (h->Flags & CALL_FLAGS);
  heap_lock(h, flags);
  HEAP_ENTRY *b = block_of(h, BaseAddress);
  if (b) free_locked(h, b);
  heap_unlock(h, flags);
  if (!b) heap_raise(flags, STATUS_INVALID_PARAMETER, (SIZE_T)BaseAddress);
  return b != NULL;
}

SIZE_T NTAPI RtlSizeHeap(PVOID HeapHandle, ULONG Flags, const VOID *BaseAddress)
{
  HEAP *h = HeapHandle;
  if (!heap_ok(h)) return (SIZE_T)-1;
  ULONG flags = Flags | (h->Flags & CALL_FLAGS);
  heap_lock(h, flags);
  HEAP_ENTRY *b = block_of(h, BaseAddress);
  SIZE_T size = b ? b->Requested : (SIZE_T)-1;
  heap_unlock(h, flags);
  return size;
}

/* Resizes b where it is, or answers FALSE. */
static BOOLEAN resize_in_place(HEAP *h, HEAP_ENTRY *b, SIZE_T n)
{
  if (b->Size & BIG) {
    if (n + sizeof(HEAP_BIG) + HDR > ((HEAP_BIG *)b - 1)->RegionSize || n < BIG_THRESHOLD / 2) return FALSE;
    b->Requested = (ULONG)n;
    seal(h, b);
    return TRUE;
  }
  if (n >= BIG_THRESHOLD && (h->Flags & HEAP_GROWABLE)) return FALSE;
  ULONG need = block_need(n);
  ULONG size = bsize(b);
  HEAP_ENTRY *nx = next_of(b);
  if (need > size && !(nx->Size & BUSY) && size + bsize(nx) >= need) {
    /* Take the free successor whole; the split below gives back its tail. */
    unlink_free(h, nx);
    size += bsize(nx);
    nx->Check = ~nx->Check;
    set_header(h, b, b->PrevSize, size | BUSY, b->Requested);
    set_prev_size(h, next_of(b), size);
  }
  if (need > size) return FALSE;
  if (size - need >= MIN_BLOCK) {
    HEAP_ENTRY *rest = (HEAP_ENTRY *)((PCHAR)b + need);
    set_header(h, b, b->PrevSize, need | BUSY, (ULONG)n);
    set_header(h, rest, need, size - need, 0);
    set_prev_size(h, next_of(rest), size - need);
    release_block(h, rest); /* merges with a free block after it */
  } else {
    b->Requested = (ULONG)n;
    seal(h, b);
  }
  return TRUE;
}

PVOID NTAPI RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size)
{
  HEAP *h = HeapHandle;
  if (!heap_ok(h) || BaseAddress == NULL) return NULL;
  ULONG flags = Flags | (h->Flags & CALL_FLAGS);
  if (Size > MAX_REQUEST) {
    heap_raise(flags, STATUS_NO_MEMORY, Size);
    return NULL;
  }
  heap_lock(h, flags);
  HEAP_ENTRY *b = block_of(h, BaseAddress);
  if (!b) {
    heap_unlock(h, flags);
    heap_raise(flags, STATUS_INVALID_PARAMETER, (SIZE_T)BaseAddress);
    return NULL;
  }
  SIZE_T old = b->Requested;
  PVOID result = NULL;
  if (resize_in_place(h, b, Size)) {
    result = BaseAddress;
  } else if (!(flags & HEAP_REALLOC_IN_PLACE_ONLY)) {
    result = alloc_locked(h, flags & ~HEAP_ZERO_MEMORY, Size);
    if (result) {
      RtlCopyMemory(result, BaseAddress, old < Size ? old : Size);
      free_locked(h, b);
    }
  }
  if (result && (flags & HEAP_ZERO_MEMORY) && Size > old) RtlZeroMemory((PCHAR)result + old, Size - old);
  heap_unlock(h, flags);
  if (!result) heap_raise(flags, STATUS_NO_MEMORY, Size);
  return result;
}

/* --- validation ------------------------------------------------------------------ */
static BOOLEAN validate_locked(HEAP *h)
{
  ULONG free_blocks = 0, listed = 0;
  for (HEAP_SEGMENT *seg = h->Segments; seg; seg = seg->Next) {
    if (seg->Signature != SEGMENT_SIGNATURE) return FALSE;
    PCHAR end = seg->CommitEnd - HDR;
    HEAP_ENTRY *b = (HEAP_ENTRY *)seg->First;
    ULONG prev = 0;
    BOOLEAN prev_free = FALSE;
    while ((PCHAR)b < end) {
      ULONG size = bsize(b);
      if (!sealed(h, b) || b->PrevSize != prev || size < MIN_BLOCK || (size & 7) || (b->Size & BIG)) return FALSE;
      if ((PCHAR)b + size > end) return FALSE;
      BOOLEAN is_free = !(b->Size & BUSY);
      if (is_free) {
        if (prev_free) return FALSE; /* two free neighbours: a missed coalesce */
        free_blocks++;
      } else if (b->Requested + HDR > size) {
        return FALSE;
      }
      prev_free = is_free;
      prev = size;
      b = next_of(b);
    }
    if ((PCHAR)b != end || !sealed(h, b) || b->PrevSize != prev || b->Size != BUSY) return FALSE;
  }
  for (int i = 0; i < NLISTS; i++) {
    BOOLEAN nonempty = (h->NonEmpty[i >> 5] >> (i & 31)) & 1;
    if (nonempty != (h->Lists[i] != NULL)) return FALSE;
    HEAP_ENTRY *prev = NULL;
    for (HEAP_ENTRY *b = h->Lists[i]; b; b = b->Next) {
      if (!sealed(h, b) || (b->Size & BUSY) || list_of(bsize(b)) != i || b->Prev != prev) return FALSE;
      if (++listed > free_blocks) return FALSE; /* also ends a cycle */
      prev = b;
    }
  }
  if (listed != free_blocks) return FALSE;
  for (HEAP_BIG *x = h->BigHead.Next; x != &h->BigHead; x = x->Next) {
    HEAP_ENTRY *b = (HEAP_ENTRY *)(x + 1);
    if (x->Next->Prev != x || !sealed(h, b) || (b->Size & (BUSY | BIG)) != (BUSY | BIG)) return FALSE;
  }
  return TRUE;
}

BOOLEAN NTAPI RtlValidateHeap(PVOID HeapHandle, ULONG Flags, const VOID *BaseAddress)
{
  HEAP *h = HeapHandle;
  if (!heap_ok(h)) return FALSE;
  ULONG flags = Flags | (h->Flags & HEAP_NO_SERIALIZE);
  heap_lock(h, flags);
  BOOLEAN ok = BaseAddress ? block_of(h, BaseAddress) != NULL : validate_locked(h);
  heap_unlock(h, flags);
  return ok;
}

/* --- heaps ------------------------------------------------------------------------ */
static void list_lock(void)
{
  if (heap_list_lock_ready) RtlEnterCriticalSection(&heap_list_lock);
}

static void list_unlock(void)
{
  if (heap_list_lock_ready) RtlLeaveCriticalSection(&heap_list_lock);
}

PVOID NTAPI RtlCreateHeap(ULONG Flags, PVOID HeapBase, SIZE_T ReserveSize, SIZE_T CommitSize, PVOID Lock, PVOID Parameters)
{
  (void)Parameters;
  if (HeapBase != NULL || Lock != NULL) return NULL; /* caller memory or lock: not supported */
  if (ReserveSize > MAX_REQUEST || CommitSize > MAX_REQUEST) return NULL;
  ULONG first = round_up(sizeof(HEAP) + sizeof(HEAP_SEGMENT), 8);
  ULONG commit_size = round_up(CommitSize ? (ULONG)CommitSize : PAGE, PAGE);
  if (commit_size < round_up(first + MIN_BLOCK + HDR, PAGE)) commit_size = round_up(first + MIN_BLOCK + HDR, PAGE);
  ULONG reserve_size = round_up(ReserveSize ? (ULONG)ReserveSize : DEFAULT_RESERVE, 0x10000);
  if (reserve_size < commit_size) reserve_size = round_up(commit_size, 0x10000);
  PCHAR base = reserve(reserve_size);
  if (!base) return NULL;
  if (!commit(base, commit_size)) {
    release_region(base);
    return NULL;
  }
  HEAP *h = (HEAP *)base;
  HEAP_SEGMENT *seg = (HEAP_SEGMENT *)(h + 1);
  h->Flags = Flags & (HEAP_NO_SERIALIZE | HEAP_GROWABLE | HEAP_GENERATE_EXCEPTIONS);
  if (!(h->Flags & HEAP_NO_SERIALIZE) && !NT_SUCCESS(RtlInitializeCriticalSection(&h->Lock))) {
    release_region(base);
    return NULL;
  }
  LARGE_INTEGER t;
  NtQueryPerformanceCounter(&t, NULL);
  h->Cookie = (ULONG)t.QuadPart * 0x9E3779B1u ^ (ULONG)(ULONG_PTR)h;
  h->BigHead.Next = h->BigHead.Prev = &h->BigHead;
  seg->Signature = SEGMENT_SIGNATURE;
  seg->Next = NULL;
  seg->First = base + first;
  seg->CommitEnd = base + commit_size;
  seg->ReserveEnd = base + reserve_size;
  h->Segments = seg;
  format_segment(h, seg);
  h->Signature = HEAP_SIGNATURE;
  list_lock();
  h->NextHeap = heap_list;
  heap_list = h;
  list_unlock();
  return h;
}

PVOID NTAPI RtlDestroyHeap(PVOID HeapHandle)
{
  HEAP *h = HeapHandle;
  if (!heap_ok(h) || h == NtCurrentPeb()->ProcessHeap) return HeapHandle;
  list_lock();
  for (HEAP **pp = &heap_list; *pp; pp = &(*pp)->NextHeap)
    if (*pp == h) {
      *pp = h->NextHeap;
      break;
    }
  list_unlock();
  h->Signature = 0;
  while (h->BigHead.Next != &h->BigHead) {
    HEAP_BIG *big = h->BigHead.Next;
    h->BigHead.Next = big->Next;
    release_region(big);
  }
  HEAP_SEGMENT *seg = h->Segments;
  while (seg) {
    HEAP_SEGMENT *next = seg->Next;
    if ((PCHAR)seg != (PCHAR)(h + 1)) release_region(seg);
    seg = next;
  }
  if (!(h->Flags & HEAP_NO_SERIALIZE)) RtlDeleteCriticalSection(&h->Lock);
  release_region(h);
  return NULL;
}

ULONG NTAPI RtlGetProcessHeaps(ULONG NumberOfHeaps, PVOID *ProcessHeaps)
{
  ULONG n = 0;
  list_lock();
  for (HEAP *h = heap_list; h; h = h->NextHeap, n++)
    if (n < NumberOfHeaps) ProcessHeaps[n] = h;
  list_unlock();
  return n;
}

/* LdrInitializeThunk, first thread, before the loader runs anything:
 * PEB->ProcessHeap (growable, serialized, 1 MiB reserved). */
NTSTATUS RtlpInitializeHeapManager(void)
{
  NTSTATUS st = RtlInitializeCriticalSection(&heap_list_lock);
  if (!NT_SUCCESS(st)) return st;
  heap_list_lock_ready = TRUE;
  PVOID heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, NULL, NULL);
  if (heap == NULL) return STATUS_NO_MEMORY;
  NtCurrentPeb()->ProcessHeap = heap;
  return STATUS_SUCCESS;
}
