/**
 * Ps: the information classes of processes and threads that programs set
 * and query (NtSetInformationProcess/Thread, NtQueryInformationProcess/
 * Thread). NT priorities 1..31 go to the thread's TCB as
 * NT_THREAD_PRIORITY - 8 + priority (so normal threads keep the priority
 * they always had, and every one stays below the executive's). Affinity
 * masks are checked against the processors and kept; on several cores a
 * thread whose core leaves its mask moves to a core of the new mask
 * (ps/placement.ts).
 */
import { NTSTATUS } from '../../abi/ntstatus.js';
import { invokeTCB_SetPriority, seL4_CapInitThreadTCB, seL4_NoError } from '../../kernel/index.js';
import type { Executive } from '../executive.js';
import type { ServiceHandler } from '../dispatch.js';
import { obReferenceObjectByHandle } from '../ob/reference.js';
import { ProcessType, ThreadType, type EProcess, type EThread } from './process.js';
import { NT_THREAD_PRIORITY } from './create.js';
import { Token, TokenImpersonation, TOKEN_IMPERSONATE, TokenType } from '../se/token.js';

const PROCESS_SET_INFORMATION = 0x200;
const PROCESS_QUERY_INFORMATION = 0x400;
const THREAD_SET_INFORMATION = 0x20;
const THREAD_QUERY_INFORMATION = 0x40;

// PROCESSINFOCLASS
const ProcessBasicInformation = 0, ProcessBasePriority = 5, ProcessDebugPort = 7, ProcessExceptionPort = 8;
const ProcessDefaultHardErrorMode = 12, ProcessPriorityClass = 18, ProcessAffinityMask = 21, ProcessPriorityBoost = 22;
const ProcessSessionInformation = 24, ProcessWow64Information = 26, ProcessBreakOnTermination = 29;
// THREADINFOCLASS
const ThreadBasicInformation = 0, ThreadPriority = 2, ThreadBasePriority = 3, ThreadAffinityMask = 4, ThreadImpersonationToken = 5;
const ThreadZeroTlsCell = 10, ThreadAmILastThread = 12, ThreadPriorityBoost = 14, ThreadHideFromDebugger = 17;
const ThreadBreakOnTermination = 18, ThreadIsTerminated = 20;

/** Base priority of each PROCESS_PRIORITY_CLASS_* (1 idle .. 6 above normal). */
const CLASS_BASE = [0, 4, 8, 13, 24, 6, 10];
/** THREAD_BASE_PRIORITY_LOWRT / _IDLE: "saturate" to the top or bottom of the class's range. */
const BASE_PRIORITY_LOWRT = 15, BASE_PRIORITY_IDLE = -15;
/** TEB.TlsSlots: 64 slots at 0xE10. */
const TEB_TLS_SLOTS = 0xe10, TLS_MINIMUM_AVAILABLE = 64;

function words(values: readonly number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
  return b;
}

/** Writes `bytes` into a caller's information buffer with NT's length rules. */
function answerInfo(t: EThread, buf: number, len: number, pRet: number, bytes: Uint8Array): number {
  const mem = t.process.space;
  if (len !== bytes.length) {
    if (pRet !== 0) mem.writeU32(pRet, bytes.length);
    return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
  }
  mem.writeBytes(buf, bytes);
  if (pRet !== 0) mem.writeU32(pRet, bytes.length);
  return NTSTATUS.STATUS_SUCCESS;
}

/** Sets a thread's NT priority and its TCB's. */
export function psSetThreadPriority(ex: Executive, th: EThread, priority: number): void {
  th.priority = priority;
  if (th.terminated) return;
  const e = invokeTCB_SetPriority(ex.k, th.tcb, ex.ko.slot(seL4_CapInitThreadTCB), NT_THREAD_PRIORITY - 8 + priority);
  if (e !== seL4_NoError) ex.trace(`TCB_SetPriority(${NT_THREAD_PRIORITY - 8 + priority}) for thread ${th.tid} failed: seL4 error ${e}`);
}

function systemAffinity(ex: Executive): number {
  return ex.placement.systemAffinity;
}

/** Reads the ULONG/LONG a set class takes, after checking the length. */
function valueOf(t: EThread, buf: number, len: number, want: number): number | undefined {
  if (len !== want) return undefined;
  const mem = t.process.space;
  return want === 1 ? mem.readBytes(buf, 1)[0]! : mem.readU32(buf);
}

export const psInformationServices: Record<string, ServiceHandler> = {
  NtSetInformationProcess(ex, t, a) {
    const [h, cls, buf, len] = a;
    const p = obReferenceObjectByHandle<EProcess>(t, h!, PROCESS_SET_INFORMATION, ProcessType).object;
    const mem = t.process.space;
    const u32 = (): number | undefined => valueOf(t, buf!, len!, 4);
    switch (cls) {
      case ProcessBasePriority: {
        const v = u32();
        if (v === undefined) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        if ((v | 0) < 1 || (v | 0) > 31) return NTSTATUS.STATUS_INVALID_PARAMETER;
        setProcessBase(ex, p, v);
        return NTSTATUS.STATUS_SUCCESS;
      }
      case ProcessPriorityClass: { // PROCESS_PRIORITY_CLASS { BOOLEAN Foreground; UCHAR PriorityClass }
        if (len !== 2) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        const cl = mem.readBytes(buf!, 2)[1]!;
        if (cl < 1 || cl > 6) return NTSTATUS.STATUS_INVALID_PARAMETER;
        p.priorityClass = cl;
        setProcessBase(ex, p, CLASS_BASE[cl]!);
        return NTSTATUS.STATUS_SUCCESS;
      }
      case ProcessAffinityMask: {
        const v = u32();
        if (v === undefined) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        if (v === 0 || (v & ~systemAffinity(ex)) !== 0) return NTSTATUS.STATUS_INVALID_PARAMETER;
        p.affinity = v;
        for (const th of p.threads) {
          th.affinity = (th.affinity & v) || v;
          ex.placement.follow(th);
        }
        return NTSTATUS.STATUS_SUCCESS;
      }
      case ProcessDefaultHardErrorMode: {
        const v = u32();
        if (v === undefined) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        p.hardErrorMode = v;
        return NTSTATUS.STATUS_SUCCESS;
      }
      case ProcessPriorityBoost: case ProcessBreakOnTermination: {
        const v = u32();
        if (v === undefined) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        if (cls === ProcessPriorityBoost) p.priorityBoostDisabled = v !== 0; else p.breakOnTermination = v !== 0;
        return NTSTATUS.STATUS_SUCCESS;
      }
      case ProcessDebugPort: case ProcessExceptionPort:
        if (len !== 4) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        ex.trace(`NtSetInformationProcess: ${cls === ProcessDebugPort ? 'a debug port' : 'an exception port'} needs the debugging subsystem (LPC exception messages); not built`);
        return NTSTATUS.STATUS_NOT_IMPLEMENTED;
      default:
        return NTSTATUS.STATUS_INVALID_INFO_CLASS;
    }
  },
  NtSetInformationThread(ex, t, a) {
    const [h, cls, buf, len] = a;
    const th = obReferenceObjectByHandle<EThread>(t, h!, THREAD_SET_INFORMATION, ThreadType).object;
    const p = th.process;
    const u32 = (): number | undefined => (buf === 0 && len !== 0 ? undefined : valueOf(t, buf!, len!, 4));
    switch (cls) {
      case ThreadPriority: {
        const v = u32();
        if (v === undefined) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        if ((v | 0) < 1 || (v | 0) > 31) return NTSTATUS.STATUS_INVALID_PARAMETER;
        psSetThreadPriority(ex, th, v);
        return NTSTATUS.STATUS_SUCCESS;
      }
      case ThreadBasePriority: { // an increment over the process's base
        const v = u32();
        if (v === undefined) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        const inc = v | 0;
        let prio: number;
        const realtime = p.basePriority >= 16;
        if (inc === BASE_PRIORITY_LOWRT) prio = realtime ? 31 : 15;
        else if (inc === BASE_PRIORITY_IDLE) prio = realtime ? 16 : 1;
        else if (inc >= -2 && inc <= 2) prio = p.basePriority + inc;
        else return NTSTATUS.STATUS_INVALID_PARAMETER;
        psSetThreadPriority(ex, th, Math.min(31, Math.max(1, prio)));
        return NTSTATUS.STATUS_SUCCESS;
      }
      case ThreadAffinityMask: {
        const v = u32();
        if (v === undefined) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        if (v === 0 || (v & ~p.affinity) !== 0) return NTSTATUS.STATUS_INVALID_PARAMETER;
        th.affinity = v;
        ex.placement.follow(th);
        return NTSTATUS.STATUS_SUCCESS;
      }
      case ThreadImpersonationToken: {
        const v = u32();
        if (v === undefined) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        if (v === 0) { th.impersonationToken = undefined; return NTSTATUS.STATUS_SUCCESS; } // revert to self
        const token = obReferenceObjectByHandle<Token>(t, v, TOKEN_IMPERSONATE, TokenType).object;
        if (token.tokenType !== TokenImpersonation) return NTSTATUS.STATUS_BAD_TOKEN_TYPE;
        th.impersonationToken = token;
        return NTSTATUS.STATUS_SUCCESS;
      }
      case ThreadZeroTlsCell: {
        const v = u32();
        if (v === undefined) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        if (v >= TLS_MINIMUM_AVAILABLE) {
          ex.trace('NtSetInformationThread(ThreadZeroTlsCell): TLS expansion slots (index 64 and up) are not kept by the executive');
          return v < 1088 ? NTSTATUS.STATUS_NOT_IMPLEMENTED : NTSTATUS.STATUS_INVALID_PARAMETER;
        }
        for (const x of p.threads) if (x.teb !== 0) p.space.writeU32(x.teb + TEB_TLS_SLOTS + 4 * v, 0);
        return NTSTATUS.STATUS_SUCCESS;
      }
      case ThreadPriorityBoost: case ThreadBreakOnTermination: {
        const v = u32();
        if (v === undefined) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        if (cls === ThreadPriorityBoost) th.priorityBoostDisabled = v !== 0; else th.breakOnTermination = v !== 0;
        return NTSTATUS.STATUS_SUCCESS;
      }
      case ThreadHideFromDebugger:
        if (len !== 0) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
        th.hideFromDebugger = true;
        return NTSTATUS.STATUS_SUCCESS;
      default:
        return NTSTATUS.STATUS_INVALID_INFO_CLASS;
    }
  },
  NtQueryInformationProcess(_ex, t, a) {
    const [h, cls, buf, len, pRet] = a;
    const p = obReferenceObjectByHandle<EProcess>(t, h!, PROCESS_QUERY_INFORMATION, ProcessType).object;
    const answer = (b: Uint8Array): number => answerInfo(t, buf!, len!, pRet!, b);
    switch (cls) {
      case ProcessBasicInformation:
        // PROCESS_BASIC_INFORMATION: ExitStatus PebBaseAddress AffinityMask BasePriority UniqueProcessId InheritedFromUniqueProcessId
        return answer(words([p.exitStatus, p.peb, p.affinity, p.basePriority, p.pid, p.parentPid]));
      case ProcessPriorityClass: return answer(new Uint8Array([0, p.priorityClass]));
      case ProcessDefaultHardErrorMode: return answer(words([p.hardErrorMode]));
      case ProcessPriorityBoost: return answer(words([p.priorityBoostDisabled ? 1 : 0]));
      case ProcessBreakOnTermination: return answer(words([p.breakOnTermination ? 1 : 0]));
      case ProcessDebugPort: return answer(words([0])); // no debugger is ever attached
      case ProcessSessionInformation: return answer(words([0]));
      case ProcessWow64Information: return answer(words([0])); // a native 32-bit system: not WOW64
      default: return NTSTATUS.STATUS_INVALID_INFO_CLASS;
    }
  },
  NtQueryInformationThread(_ex, t, a) {
    const [h, cls, buf, len, pRet] = a;
    const th = obReferenceObjectByHandle<EThread>(t, h!, THREAD_QUERY_INFORMATION, ThreadType).object;
    const answer = (b: Uint8Array): number => answerInfo(t, buf!, len!, pRet!, b);
    switch (cls) {
      case ThreadBasicInformation:
        // THREAD_BASIC_INFORMATION: ExitStatus TebBaseAddress ClientId{UniqueProcess UniqueThread} AffinityMask Priority BasePriority
        return answer(words([th.exitStatus, th.teb, th.process.pid, th.tid, th.affinity, th.priority, th.process.basePriority]));
      case ThreadAmILastThread: return answer(words([th.process.threads.size === 1 && th.process.threads.has(th) ? 1 : 0]));
      case ThreadPriorityBoost: return answer(words([th.priorityBoostDisabled ? 1 : 0]));
      case ThreadBreakOnTermination: return answer(words([th.breakOnTermination ? 1 : 0]));
      case ThreadIsTerminated: return answer(words([th.terminated ? 1 : 0]));
      case ThreadHideFromDebugger: return answer(new Uint8Array([th.hideFromDebugger ? 1 : 0]));
      default: return NTSTATUS.STATUS_INVALID_INFO_CLASS;
    }
  },
};

/** A new process base priority: every thread moves with it (the relative setting of each is not kept). */
function setProcessBase(ex: Executive, p: EProcess, base: number): void {
  p.basePriority = base;
  if (p.priorityClass !== 0 && CLASS_BASE[p.priorityClass] !== base) p.priorityClass = base >= 24 ? 4 : base >= 13 ? 3 : base >= 10 ? 6 : base >= 8 ? 2 : base >= 6 ? 5 : 1;
  for (const th of p.threads) psSetThreadPriority(ex, th, base);
}
