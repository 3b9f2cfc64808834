/*
 * Vectored exception handlers: process-wide, asked before any SEH frame
 * (RtlDispatchException, exception.c). RtlAddVectoredExceptionHandler puts
 * a handler first (First != 0) or last; one that answers
 * EXCEPTION_CONTINUE_EXECUTION ends the dispatch and the CONTEXT it may
 * have changed is resumed; EXCEPTION_CONTINUE_SEARCH asks the next one.
 *
 * Entries come from the process heap (no fixed limit). The list is guarded
 * by a spin lock that yields on contention, never held while a handler
 * runs: a dispatch takes a reference on the entry it is about to call, so
 * a handler may add or remove handlers. A removed entry is marked and
 * skipped; it stays linked (so a dispatch standing on it still finds its
 * successor) until the last reference goes, then it is unlinked and freed.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

typedef struct _VEH_ENTRY {
  struct _VEH_ENTRY *Next, *Prev;
  PVECTORED_EXCEPTION_HANDLER Handler;
  LONG Refs;      /* the list's (while linked) + one per dispatch calling it */
  LONG Removed;
} VEH_ENTRY;

static VEH_ENTRY veh_head = { &veh_head, &veh_head, NULL, 1, 0 };
static volatile LONG veh_lock;

static void lock(void)
{
  while (__sync_lock_test_and_set(&veh_lock, 1) != 0) NtYieldExecution();
}

static void unlock(void)
{
  __sync_lock_release(&veh_lock);
}

PVOID NTAPI RtlAddVectoredExceptionHandler(ULONG First, PVECTORED_EXCEPTION_HANDLER Handler)
{
  VEH_ENTRY *e;
  if (Handler == NULL) return NULL;
  e = RtlAllocateHeap(RtlProcessHeap(), 0, sizeof(VEH_ENTRY));
  if (e == NULL) return NULL;
  e->Handler = Handler;
  e->Refs = 1;
  e->Removed = 0;
  lock();
  if (First) { e->Prev = &veh_head; e->Next = veh_head.Next; }
  else { e->Next = &veh_head; e->Prev = veh_head.Prev; }
  e->Prev->Next = e;
  e->Next->Prev = e;
  unlock();
  return e;
}

/* Under the lock: drops one reference; the last one unlinks the entry and
 * answers TRUE (the caller frees it after unlocking). */
static BOOLEAN release_ref(VEH_ENTRY *e)
{
  if (--e->Refs != 0) return FALSE;
  e->Prev->Next = e->Next;
  e->Next->Prev = e->Prev;
  return TRUE;
}

ULONG NTAPI RtlRemoveVectoredExceptionHandler(PVOID Handle)
{
  VEH_ENTRY *e;
  BOOLEAN dead = FALSE;
  ULONG found = 0;
  lock();
  /* Only a handle on the list (and not yet removed) is removed. */
  for (e = veh_head.Next; e != &veh_head; e = e->Next)
    if (e == Handle && !e->Removed) {
      e->Removed = 1;
      dead = release_ref(e);
      found = 1;
      break;
    }
  unlock();
  if (dead) RtlFreeHeap(RtlProcessHeap(), 0, e);
  return found;
}

/* TRUE when a vectored handler answered EXCEPTION_CONTINUE_EXECUTION. */
BOOLEAN RtlpCallVectoredHandlers(PEXCEPTION_RECORD rec, PCONTEXT ctx)
{
  EXCEPTION_POINTERS ep;
  VEH_ENTRY *e, *next;
  BOOLEAN dead;
  LONG answer;
  if (veh_head.Next == &veh_head) return FALSE; /* none: no lock taken */
  ep.ExceptionRecord = rec;
  ep.ContextRecord = ctx;
  lock();
  e = veh_head.Next;
  while (e != &veh_head) {
    PVECTORED_EXCEPTION_HANDLER h = e->Handler;
    if (e->Removed) {
      e = e->Next;
      continue;
    }
    e->Refs++;
    unlock();
    answer = h(&ep);
    lock();
    next = e->Next; /* read before release_ref may unlink it */
    /* Freed under the spin lock: next stays valid (it is linked, and an
     * entry is unlinked only under this lock). */
    dead = release_ref(e);
    if (dead) RtlFreeHeap(RtlProcessHeap(), 0, e);
    if (answer == EXCEPTION_CONTINUE_EXECUTION) {
      unlock();
      return TRUE;
    }
    e = next;
  }
  unlock();
  return FALSE;
}
