/** Ke services: events, waits, delays, yield, time. */
import { systemTime } from './time.js';
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';
import { PENDING } from '../dispatch.js';
import type { Executive } from '../executive.js';
import { obInsertObject, obOpenObjectByName, obReferenceObjectByHandle, readObjectAttributes } from '../ob/reference.js';
import { ThreadType, type EThread } from '../ps/process.js';
import { CONTEXT_SIZE, EXCEPTION_RECORD_SIZE, readExceptionRecord } from './exception-dispatch.js';
import { contextFpuAcceptable } from './context-fpu.js';
import {
  DispatcherObject, EVENT_MODIFY_STATE, EventType, KEvent, KMutant, KSemaphore, MutantType, SEMAPHORE_MODIFY_STATE,
  SemaphoreType, WaitBlock, keSignal, timeoutDeadline, KTimer, TimerType, TIMER_MODIFY_STATE,
} from './dispatcher.js';

/** QueryPerformanceFrequency: 10 MHz, as current Windows reports. */
export const PERFORMANCE_FREQUENCY = 10_000_000n;
const MAXIMUM_WAIT_OBJECTS = 64;
const SYNCHRONIZE = 0x100000;

export { systemTime };

/** Answers a wait later; STATUS_USER_APC also runs the APC that ended it. */
function answerWait(ex: Executive, t: EThread, status: number): void {
  t.alertable = false;
  if (status === NTSTATUS.STATUS_USER_APC) ex.completeLater(t, status, () => ex.deliverApc(t));
  else ex.completeLater(t, status);
}

/** An alertable wait with APCs queued ends at once with STATUS_USER_APC (they run on the way out). */
function apcAtEntry(ex: Executive, t: EThread, alertable: boolean): boolean {
  if (!alertable || t.apcs.length === 0) return false;
  answerWait(ex, t, NTSTATUS.STATUS_USER_APC);
  return true;
}

/** Blocks `t` on `objects` unless already satisfied; the timeout (100 ns units, NT's sign rules) arms a timer. */
function wait(ex: Executive, t: EThread, objects: DispatcherObject[], waitAll: boolean, timeoutPtr: number, alertable = false): number {
  if (apcAtEntry(ex, t, alertable)) return PENDING;
  let result: number | null = null;
  const w = new WaitBlock(objects, waitAll, (status) => {
    if (result === null && t.wait === null) result = status; // satisfied at once
    else answerWait(ex, t, status);
  }, t);
  if (w.trySatisfy()) return result!;
  let timeout: bigint | null = null;
  if (timeoutPtr !== 0) timeout = t.process.space.readI64(timeoutPtr);
  if (timeout === 0n) { w.cancel(); return NTSTATUS.STATUS_TIMEOUT; }
  for (const o of objects) o.waiters.add(w);
  t.alertable = alertable;
  if (timeout !== null) {
    w.timer = ex.addTimer(timeoutDeadline(timeout, ex.now(), systemTime()), () => w.finish(NTSTATUS.STATUS_TIMEOUT));
  }
  ex.beginWait(t, w);
  return PENDING;
}

function dispatcherObject(t: EThread, h: number): DispatcherObject {
  const { object } = obReferenceObjectByHandle(t, h, SYNCHRONIZE, null);
  if (!(object instanceof DispatcherObject)) throw new NtStatusError(NTSTATUS.STATUS_OBJECT_TYPE_MISMATCH, `a ${object.type.name} cannot be waited on`);
  return object;
}

function setPrevious(t: EThread, ptr: number, v: number): void {
  if (ptr !== 0) t.process.space.writeU32(ptr, v);
}

export const keServices: Record<string, ServiceHandler> = {
  NtCreateEvent(ex, t, a) {
    const [pHandle, access, pOa, type, initial] = a;
    if (type! > 1) return NTSTATUS.STATUS_INVALID_PARAMETER;
    const r = obInsertObject(ex, t, new KEvent(type === 1, (initial! & 0xff) !== 0), readObjectAttributes(t, pOa!), access!);
    t.process.space.writeU32(pHandle!, r.handle);
    return r.status;
  },
  NtOpenEvent(ex, t, a) {
    const h = obOpenObjectByName(ex, t, readObjectAttributes(t, a[2]!), EventType, a[1]!);
    t.process.space.writeU32(a[0]!, h);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtSetEvent(_ex, t, a) {
    const e = obReferenceObjectByHandle<KEvent>(t, a[0]!, EVENT_MODIFY_STATE, EventType).object;
    setPrevious(t, a[1]!, e.signalState);
    e.signalState = 1;
    keSignal(e);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtResetEvent(_ex, t, a) {
    const e = obReferenceObjectByHandle<KEvent>(t, a[0]!, EVENT_MODIFY_STATE, EventType).object;
    setPrevious(t, a[1]!, e.signalState);
    e.signalState = 0;
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtClearEvent(_ex, t, a) {
    obReferenceObjectByHandle<KEvent>(t, a[0]!, EVENT_MODIFY_STATE, EventType).object.signalState = 0;
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtWaitForSingleObject(ex, t, a) {
    return wait(ex, t, [dispatcherObject(t, a[0]!)], false, a[2]!, (a[1]! & 0xff) !== 0);
  },
  NtWaitForMultipleObjects(ex, t, a) {
    const [count, pHandles, waitType, alertable, pTimeout] = a;
    if (count === 0 || count! > MAXIMUM_WAIT_OBJECTS) return NTSTATUS.STATUS_INVALID_PARAMETER_1;
    if (waitType! > 1) return NTSTATUS.STATUS_INVALID_PARAMETER_3;
    const mem = t.process.space;
    mem.probe(pHandles!, count! * 4, false);
    const objects: DispatcherObject[] = [];
    for (let i = 0; i < count!; i++) objects.push(dispatcherObject(t, mem.readU32(pHandles! + i * 4)));
    if (waitType === 0 && new Set(objects).size !== objects.length) return NTSTATUS.STATUS_INVALID_PARAMETER_MIX;
    return wait(ex, t, objects, waitType === 0, pTimeout!, (alertable! & 0xff) !== 0);
  },
  NtDelayExecution(ex, t, a) {
    const interval = t.process.space.readI64(a[1]!);
    const alertable = (a[0]! & 0xff) !== 0;
    if (apcAtEntry(ex, t, alertable)) return PENDING;
    if (interval === 0n) { ex.yieldAfterReply = true; return NTSTATUS.STATUS_SUCCESS; }
    const w = new WaitBlock([], false, (status) => answerWait(ex, t, status));
    t.alertable = alertable;
    w.timer = ex.addTimer(timeoutDeadline(interval, ex.now(), systemTime()), () => w.finish(NTSTATUS.STATUS_SUCCESS));
    ex.beginWait(t, w);
    return PENDING;
  },
  NtYieldExecution(ex) {
    ex.yieldAfterReply = true;
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtQueryPerformanceCounter(ex, t, a) {
    const mem = t.process.space;
    mem.writeU64(a[0]!, ex.now() / 100n);
    if (a[1] !== 0) mem.writeU64(a[1]!, PERFORMANCE_FREQUENCY);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtQuerySystemTime(_ex, t, a) {
    t.process.space.writeU64(a[0]!, systemTime());
    return NTSTATUS.STATUS_SUCCESS;
  },
};

export const keExceptionServices: Record<string, ServiceHandler> = {
  NtContinue(ex, t, a) {
    const ctx = t.process.space.readBytes(a[0]!, CONTEXT_SIZE);
    if (!contextFpuAcceptable(ctx)) return NTSTATUS.STATUS_INVALID_PARAMETER;
    ex.continueWith(t, ctx, (a[1]! & 0xff) !== 0);
    return PENDING;
  },
  NtRaiseException(ex, t, a) {
    const mem = t.process.space;
    const rec = readExceptionRecord(mem.readBytes(a[0]!, EXCEPTION_RECORD_SIZE));
    const ctx = mem.readBytes(a[1]!, CONTEXT_SIZE);
    if ((a[2]! & 0xff) === 0) {
      ex.unhandledException(t, rec);
      return PENDING; // the process is gone
    }
    if (!ex.raiseFromService(t, rec, ctx)) {
      ex.unhandledException(t, rec);
      return PENDING;
    }
    return PENDING;
  },
};

export const keMutantSemaphoreServices: Record<string, ServiceHandler> = {
  NtCreateMutant(ex, t, a) {
    const m = new KMutant();
    const r = obInsertObject(ex, t, m, readObjectAttributes(t, a[2]!), a[1]!);
    if (r.status === NTSTATUS.STATUS_SUCCESS && (a[3]! & 0xff) !== 0) m.consume(t);
    t.process.space.writeU32(a[0]!, r.handle);
    return r.status;
  },
  NtOpenMutant(ex, t, a) {
    t.process.space.writeU32(a[0]!, obOpenObjectByName(ex, t, readObjectAttributes(t, a[2]!), MutantType, a[1]!));
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtReleaseMutant(_ex, t, a) {
    const m = obReferenceObjectByHandle<KMutant>(t, a[0]!, 0, MutantType).object;
    if (m.owner !== t) return NTSTATUS.STATUS_MUTANT_NOT_OWNED;
    setPrevious(t, a[1]!, 1 - m.recursion);
    m.release();
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtCreateSemaphore(ex, t, a) {
    const initial = a[3]! | 0, maximum = a[4]! | 0;
    if (maximum <= 0 || initial < 0 || initial > maximum) return NTSTATUS.STATUS_INVALID_PARAMETER;
    const r = obInsertObject(ex, t, new KSemaphore(initial, maximum), readObjectAttributes(t, a[2]!), a[1]!);
    t.process.space.writeU32(a[0]!, r.handle);
    return r.status;
  },
  NtOpenSemaphore(ex, t, a) {
    t.process.space.writeU32(a[0]!, obOpenObjectByName(ex, t, readObjectAttributes(t, a[2]!), SemaphoreType, a[1]!));
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtReleaseSemaphore(_ex, t, a) {
    const s = obReferenceObjectByHandle<KSemaphore>(t, a[0]!, SEMAPHORE_MODIFY_STATE, SemaphoreType).object;
    const n = a[1]! | 0;
    if (n <= 0) return NTSTATUS.STATUS_INVALID_PARAMETER;
    if (s.signalState + n > s.maximum) return NTSTATUS.STATUS_SEMAPHORE_LIMIT_EXCEEDED;
    setPrevious(t, a[2]!, s.signalState);
    s.signalState += n;
    keSignal(s);
    return NTSTATUS.STATUS_SUCCESS;
  },
};

function setBoolean(t: EThread, ptr: number, v: boolean): void {
  if (ptr !== 0) t.process.space.writeBytes(ptr, new Uint8Array([v ? 1 : 0]));
}

export const keTimerServices: Record<string, ServiceHandler> = {
  NtCreateTimer(ex, t, a) {
    if (a[3]! > 1) return NTSTATUS.STATUS_INVALID_PARAMETER_4;
    const r = obInsertObject(ex, t, new KTimer(a[3] === 1), readObjectAttributes(t, a[2]!), a[1]!);
    t.process.space.writeU32(a[0]!, r.handle);
    return r.status;
  },
  NtOpenTimer(ex, t, a) {
    t.process.space.writeU32(a[0]!, obOpenObjectByName(ex, t, readObjectAttributes(t, a[2]!), TimerType, a[1]!));
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtSetTimer(ex, t, a) {
    const [h, pDue, apc, apcContext, , period, pPrev] = a;
    const timer = obReferenceObjectByHandle<KTimer>(t, h!, TIMER_MODIFY_STATE, TimerType).object;
    if ((period! | 0) < 0) return NTSTATUS.STATUS_INVALID_PARAMETER_6;
    const due = t.process.space.readI64(pDue!);
    setBoolean(t, pPrev!, timer.signalState > 0);
    if (timer.armed !== null) timer.armed.cancelled = true;
    timer.signalState = 0;
    const periodNs = BigInt(period! | 0) * 1_000_000n;
    const arm = (deadline: bigint) => {
      timer.armed = ex.addTimer(deadline, () => {
        timer.armed = null;
        timer.signalState = 1;
        keSignal(timer);
        if (apc !== 0 && !t.terminated) {
          const now = systemTime();
          ex.queueApc(t, apc!, [apcContext!, Number(now & 0xffffffffn), Number((now >> 32n) & 0xffffffffn)]);
        }
        if (periodNs > 0n) arm(deadline + periodNs);
      });
    };
    arm(timeoutDeadline(due, ex.now(), systemTime()));
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtCancelTimer(_ex, t, a) {
    const timer = obReferenceObjectByHandle<KTimer>(t, a[0]!, TIMER_MODIFY_STATE, TimerType).object;
    if (timer.armed !== null) { timer.armed.cancelled = true; timer.armed = null; }
    setBoolean(t, a[1]!, timer.signalState > 0);
    return NTSTATUS.STATUS_SUCCESS;
  },
};

export const keApcServices: Record<string, ServiceHandler> = {
  NtQueueApcThread(ex, t, a) {
    const target = obReferenceObjectByHandle<EThread>(t, a[0]!, 0x10 /* THREAD_SET_CONTEXT */, ThreadType).object;
    if (target.terminated) return NTSTATUS.STATUS_THREAD_IS_TERMINATING;
    if (a[1] === 0) return NTSTATUS.STATUS_INVALID_PARAMETER_2;
    ex.queueApc(target, a[1]!, [a[2]!, a[3]!, a[4]!]);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtTestAlert(ex, t) {
    if (t.apcs.length === 0) return NTSTATUS.STATUS_SUCCESS;
    ex.completeLater(t, NTSTATUS.STATUS_SUCCESS, () => ex.deliverApc(t));
    return PENDING;
  },
};
