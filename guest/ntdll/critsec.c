/*
 * Critical sections: NT's RTL_CRITICAL_SECTION, a recursive lock whose
 * uncontended acquire and release are one locked instruction each.
 *
 * LockCount starts at -1; each thread that wants the lock increments it.
 * The increment that reaches 0 takes the lock; a larger result means
 * another thread holds it, and this one blocks on LockSemaphore, a
 * SynchronizationEvent made at initialization (an auto-reset event wakes
 * one waiter per NtSetEvent and keeps a set that finds no waiter yet, so a
 * release that runs before the woken thread reaches its wait is not lost).
 * The owner's re-entry only counts (RecursionCount). Release: the last
 * level clears the owner and decrements LockCount; a result >= 0 means a
 * waiter is due, so the event is set and exactly one waiter takes over.
 * There is no spinning (SpinCount is kept, not used) and no debug info.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

static HANDLE current_thread_id(void)
{
  return NtCurrentTeb()->ClientId.UniqueThread;
}

NTSTATUS NTAPI RtlInitializeCriticalSectionAndSpinCount(PRTL_CRITICAL_SECTION cs, ULONG SpinCount)
{
  HANDLE event = NULL;
  NTSTATUS st = NtCreateEvent(&event, EVENT_ALL_ACCESS, NULL, SynchronizationEvent, FALSE);
  if (!NT_SUCCESS(st)) return st;
  cs->DebugInfo = NULL;
  cs->LockCount = -1;
  cs->RecursionCount = 0;
  cs->OwningThread = NULL;
  cs->LockSemaphore = event;
  cs->SpinCount = SpinCount;
  return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlInitializeCriticalSection(PRTL_CRITICAL_SECTION cs)
{
  return RtlInitializeCriticalSectionAndSpinCount(cs, 0);
}

NTSTATUS NTAPI RtlDeleteCriticalSection(PRTL_CRITICAL_SECTION cs)
{
  NTSTATUS st = STATUS_SUCCESS;
  if (cs->LockSemaphore != NULL) st = NtClose(cs->LockSemaphore);
  cs->LockSemaphore = NULL;
  cs->LockCount = -1;
  cs->RecursionCount = 0;
  cs->OwningThread = NULL;
  return st;
}

NTSTATUS NTAPI RtlEnterCriticalSection(PRTL_CRITICAL_SECTION cs)
{
  HANDLE me = current_thread_id();
  if (__atomic_add_fetch(&cs->LockCount, 1, __ATOMIC_ACQUIRE) != 0) {
    /* Held. By this thread: only count (LockCount keeps the extra level,
     * Leave takes it back). By another: wait for its hand-off. */
    if (cs->OwningThread == me) {
      cs->RecursionCount++;
      return STATUS_SUCCESS;
    }
    NTSTATUS st = NtWaitForSingleObject(cs->LockSemaphore, FALSE, NULL);
    if (!NT_SUCCESS(st)) {
      EXCEPTION_RECORD rec = { 0 };
      rec.ExceptionCode = st;
      rec.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
      RtlRaiseException(&rec);
    }
  }
  cs->OwningThread = me;
  cs->RecursionCount = 1;
  return STATUS_SUCCESS;
}

BOOLEAN NTAPI RtlTryEnterCriticalSection(PRTL_CRITICAL_SECTION cs)
{
  HANDLE me = current_thread_id();
  LONG expected = -1;
  if (__atomic_compare_exchange_n(&cs->LockCount, &expected, 0, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
    cs->OwningThread = me;
    cs->RecursionCount = 1;
    return TRUE;
  }
  if (cs->OwningThread == me) {
    __atomic_add_fetch(&cs->LockCount, 1, __ATOMIC_RELAXED);
    cs->RecursionCount++;
    return TRUE;
  }
  return FALSE;
}

NTSTATUS NTAPI RtlLeaveCriticalSection(PRTL_CRITICAL_SECTION cs)
{
  /* Leaving a section this thread does not own is a caller bug; NT's free
   * build does not check it either, but refusing keeps the counts sane. */
  if (cs->OwningThread != current_thread_id()) return STATUS_INVALID_PARAMETER;
  if (--cs->RecursionCount != 0) {
    __atomic_sub_fetch(&cs->LockCount, 1, __ATOMIC_RELEASE);
    return STATUS_SUCCESS;
  }
  cs->OwningThread = NULL;
  if (__atomic_sub_fetch(&cs->LockCount, 1, __ATOMIC_RELEASE) >= 0) NtSetEvent(cs->LockSemaphore, NULL);
  return STATUS_SUCCESS;
}
