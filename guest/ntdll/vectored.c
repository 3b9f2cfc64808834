/*
 * Vectored exception handlers: process-wide, asked before any SEH frame
 * (RtlDispatchException, exception.c). RtlAddVectoredExceptionHandler puts
 * a handler first (First != 0) or last; one that answers
 * EXCEPTION_CONTINUE_EXECUTION ends the dispatch and the CONTEXT it may
 * have changed is resumed; EXCEPTION_CONTINUE_SEARCH asks the next one.
 *
 * ntdll has no heap yet, so the entries come from a fixed table of
 * VEH_MAX; adding one more returns NULL. The list is guarded by a spin
 * lock that yields on contention; a dispatch copies the handlers out
 * under the lock and calls them without it, so a handler may add or
 * remove handlers (the change applies to the next exception).
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

#define VEH_MAX 64

typedef struct _VEH_ENTRY {
  struct _VEH_ENTRY *Next, *Prev;
  PVECTORED_EXCEPTION_HANDLER Handler;
  LONG InUse;
} VEH_ENTRY;

static VEH_ENTRY veh_pool[VEH_MAX];
static VEH_ENTRY veh_head = { &veh_head, &veh_head, NULL, 1 };
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
  VEH_ENTRY *e = NULL;
  ULONG i;
  if (Handler == NULL) return NULL;
  lock();
  for (i = 0; i < VEH_MAX; i++)
    if (!veh_pool[i].InUse) { e = &veh_pool[i]; break; }
  if (e != NULL) {
    e->InUse = 1;
    e->Handler = Handler;
    if (First) { e->Prev = &veh_head; e->Next = veh_head.Next; }
    else { e->Next = &veh_head; e->Prev = veh_head.Prev; }
    e->Prev->Next = e;
    e->Next->Prev = e;
  }
  unlock();
  return e;
}

ULONG NTAPI RtlRemoveVectoredExceptionHandler(PVOID Handle)
{
  VEH_ENTRY *e = (VEH_ENTRY *)Handle;
  ULONG found = 0;
  lock();
  /* Only a handle this table gave out (and still in use) is removed. */
  if (e >= veh_pool && e < veh_pool + VEH_MAX && ((ULONG_PTR)e - (ULONG_PTR)veh_pool) % sizeof(VEH_ENTRY) == 0 && e->InUse) {
    e->Prev->Next = e->Next;
    e->Next->Prev = e->Prev;
    e->InUse = 0;
    e->Handler = NULL;
    found = 1;
  }
  unlock();
  return found;
}

/* TRUE when a vectored handler answered EXCEPTION_CONTINUE_EXECUTION. */
BOOLEAN RtlpCallVectoredHandlers(PEXCEPTION_RECORD rec, PCONTEXT ctx)
{
  PVECTORED_EXCEPTION_HANDLER h[VEH_MAX];
  EXCEPTION_POINTERS ep;
  ULONG n = 0, i;
  VEH_ENTRY *e;
  if (veh_head.Next == &veh_head) return FALSE; /* none: no lock taken */
  lock();
  for (e = veh_head.Next; e != &veh_head && n < VEH_MAX; e = e->Next) h[n++] = e->Handler;
  unlock();
  ep.ExceptionRecord = rec;
  ep.ContextRecord = ctx;
  for (i = 0; i < n; i++)
    if (h[i](&ep) == EXCEPTION_CONTINUE_EXECUTION) return TRUE;
  return FALSE;
}
