/**
 * NtQuerySystemInformation's classes: basic and processor information
 * (processor count from the kernel), time of day, the process and thread
 * list, and the module list. Layouts are NT's x86 ones.
 *
 * The module list (SystemModuleInformation) names kernel-mode modules on
 * NT. Here nothing runs in kernel mode as a PE image (the kernel and the
 * executive are the host's), so it lists the images the executive has
 * mapped into running processes at their creation (ntdll and each
 * program), each once, with LoadCount = the processes that map it.
 */
import { NTSTATUS } from '../../abi/ntstatus.js';
import type { Executive } from '../executive.js';
import type { EProcess, EThread } from '../ps/process.js';
import { systemTime } from '../ke/time.js';

export const SystemBasicInformation = 0, SystemProcessorInformation = 1, SystemTimeOfDayInformation = 3;
export const SystemProcessInformation = 5, SystemModuleInformation = 11;

const SYSTEM_BASIC_INFORMATION_SIZE = 44;
const SYSTEM_PROCESSOR_INFORMATION_SIZE = 12;
const SYSTEM_TIMEOFDAY_INFORMATION_SIZE = 48;
const SYSTEM_PROCESS_INFORMATION_SIZE = 0xb8;
const SYSTEM_THREAD_INFORMATION_SIZE = 0x40;
const RTL_PROCESS_MODULE_INFORMATION_SIZE = 0x11c;
const MODULE_PATH_CHARS = 256;

// KTHREAD_STATE and KWAIT_REASON values used in SYSTEM_THREAD_INFORMATION.
const StateReady = 1, StateRunning = 2, StateWaiting = 5;
const WaitSuspended = 5, WaitUserRequest = 6;

/** An answer: the bytes, or a status with the length that would have been needed. */
export interface SysInfoAnswer {
  readonly status: number;
  readonly bytes: Uint8Array | null;
  /** What ReturnLength reports. */
  readonly needed: number;
}

/** Builds the answer for `cls` with `len` bytes of buffer; `caller` is the asking thread (reported as running). */
export function exQuerySystemInformation(ex: Executive, caller: EThread, cls: number, len: number): SysInfoAnswer {
  switch (cls) {
    case SystemBasicInformation: return exact(basicInformation(ex), len);
    case SystemProcessorInformation: return exact(processorInformation(), len);
    case SystemTimeOfDayInformation: {
      // NT copies as much of the structure as the caller asks for, up to its size.
      const all = timeOfDayInformation(ex);
      if (len > all.length) return { status: NTSTATUS.STATUS_INFO_LENGTH_MISMATCH, bytes: null, needed: all.length };
      return { status: NTSTATUS.STATUS_SUCCESS, bytes: all.subarray(0, len), needed: len };
    }
    case SystemProcessInformation: return atLeast(processInformation(ex, caller), len);
    case SystemModuleInformation: return atLeast(moduleInformation(ex), len);
    default: return { status: NTSTATUS.STATUS_INVALID_INFO_CLASS, bytes: null, needed: 0 };
  }
}

function exact(b: Uint8Array, len: number): SysInfoAnswer {
  return len === b.length
    ? { status: NTSTATUS.STATUS_SUCCESS, bytes: b, needed: b.length }
    : { status: NTSTATUS.STATUS_INFO_LENGTH_MISMATCH, bytes: null, needed: b.length };
}

function atLeast(b: Uint8Array, len: number): SysInfoAnswer {
  return len >= b.length
    ? { status: NTSTATUS.STATUS_SUCCESS, bytes: b, needed: b.length }
    : { status: NTSTATUS.STATUS_INFO_LENGTH_MISMATCH, bytes: null, needed: b.length };
}

function basicInformation(ex: Executive): Uint8Array {
  const b = new Uint8Array(SYSTEM_BASIC_INFORMATION_SIZE);
  const dv = new DataView(b.buffer);
  const pages = Math.floor(ex.k.memory.byteLength / 4096);
  const cpus = ex.cores;
  // Reserved TimerResolution PageSize NumberOfPhysicalPages Lowest/HighestPhysicalPageNumber AllocationGranularity
  // MinimumUserModeAddress MaximumUserModeAddress ActiveProcessorsAffinityMask NumberOfProcessors
  [0, 156250, 4096, pages, 1, pages - 1, 0x10000, 0x10000, 0x7ffeffff, (2 ** cpus - 1) >>> 0].forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
  dv.setUint8(40, cpus);
  return b;
}

/** SYSTEM_PROCESSOR_INFORMATION: the CPU the engine models (i686, family 6: P6-class with SSE2). */
function processorInformation(): Uint8Array {
  const b = new Uint8Array(SYSTEM_PROCESSOR_INFORMATION_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 0, true); // PROCESSOR_ARCHITECTURE_INTEL
  dv.setUint16(2, 6, true); // ProcessorLevel: family 6
  dv.setUint16(4, 0, true); // ProcessorRevision
  dv.setUint16(6, 0, true); // MaximumProcessors (reserved)
  dv.setUint32(8, 0, true); // ProcessorFeatureBits (Itanium only)
  return b;
}

function timeOfDayInformation(ex: Executive): Uint8Array {
  const b = new Uint8Array(SYSTEM_TIMEOFDAY_INFORMATION_SIZE);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, ex.bootTime, true); // BootTime
  dv.setBigUint64(8, systemTime(), true); // CurrentTime
  // TimeZoneBias 0 (the system runs in UTC), TimeZoneId 0 (unknown), BootTimeBias, SleepTimeBias 0.
  return b;
}

function liveProcesses(ex: Executive): EProcess[] {
  return [...ex.processes.values()].filter((p) => !p.terminated).sort((a, b) => a.pid - b.pid);
}

/** SYSTEM_PROCESS_INFORMATION entries, each followed by its threads' SYSTEM_THREAD_INFORMATION and its image name. */
function processInformation(ex: Executive, caller: EThread): Uint8Array {
  const procs = liveProcesses(ex);
  const sizes = procs.map((p) => align8(SYSTEM_PROCESS_INFORMATION_SIZE + liveThreads(p).length * SYSTEM_THREAD_INFORMATION_SIZE + (p.imageName.length + 1) * 2));
  const total = sizes.reduce((a, b) => a + b, 0);
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  let off = 0;
  procs.forEach((p, i) => {
    const threads = liveThreads(p);
    const size = sizes[i]!;
    dv.setUint32(off + 0x00, i === procs.length - 1 ? 0 : size, true); // NextEntryOffset
    dv.setUint32(off + 0x04, threads.length, true);
    dv.setUint32(off + 0x14, threads.length, true); // NumberOfThreadsHighWatermark (today's count; history not kept)
    dv.setBigUint64(off + 0x20, p.createTime, true);
    const nameOff = off + SYSTEM_PROCESS_INFORMATION_SIZE + threads.length * SYSTEM_THREAD_INFORMATION_SIZE;
    dv.setUint16(off + 0x38, p.imageName.length * 2, true); // ImageName.Length
    dv.setUint16(off + 0x3a, (p.imageName.length + 1) * 2, true);
    // ImageName.Buffer is filled by the caller's side of the copy (a guest address): see exWriteSystemInformation.
    dv.setUint32(off + 0x3c, nameOff, true);
    dv.setInt32(off + 0x40, p.basePriority, true);
    dv.setUint32(off + 0x44, p.pid, true);
    dv.setUint32(off + 0x48, p.parentPid, true);
    dv.setUint32(off + 0x4c, p.handles.count, true);
    threads.forEach((t, j) => {
      const o = off + SYSTEM_PROCESS_INFORMATION_SIZE + j * SYSTEM_THREAD_INFORMATION_SIZE;
      dv.setBigUint64(o + 0x10, t.createTime, true);
      dv.setUint32(o + 0x1c, t.startAddress, true);
      dv.setUint32(o + 0x20, p.pid, true);
      dv.setUint32(o + 0x24, t.tid, true);
      dv.setInt32(o + 0x28, t.priority, true);
      dv.setInt32(o + 0x2c, p.basePriority, true);
      const [state, reason] = t === caller ? [StateRunning, 0]
        : t.suspendCount > 0 ? [StateWaiting, WaitSuspended]
          : t.wait !== null ? [StateWaiting, WaitUserRequest] : [StateReady, 0];
      dv.setUint32(o + 0x34, state, true);
      dv.setUint32(o + 0x38, reason, true);
    });
    for (let c = 0; c < p.imageName.length; c++) dv.setUint16(nameOff + c * 2, p.imageName.charCodeAt(c), true);
    off += size;
  });
  return b;
}

function liveThreads(p: EProcess): EThread[] {
  return [...p.threads].filter((t) => !t.terminated).sort((a, b) => a.tid - b.tid);
}

/** RTL_PROCESS_MODULES: NumberOfModules, then RTL_PROCESS_MODULE_INFORMATION per image. */
function moduleInformation(ex: Executive): Uint8Array {
  const mods = new Map<string, { name: string; base: number; size: number; count: number }>();
  for (const p of liveProcesses(ex)) {
    for (const m of p.modules) {
      const key = `${m.name.toLowerCase()}@${m.base}`;
      const e = mods.get(key);
      if (e !== undefined) e.count++;
      else mods.set(key, { name: m.name, base: m.base, size: m.size, count: 1 });
    }
  }
  const list = [...mods.values()];
  const b = new Uint8Array(4 + list.length * RTL_PROCESS_MODULE_INFORMATION_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, list.length, true);
  list.forEach((m, i) => {
    const o = 4 + i * RTL_PROCESS_MODULE_INFORMATION_SIZE;
    dv.setUint32(o + 0x04, m.base, true); // MappedBase
    dv.setUint32(o + 0x08, m.base, true); // ImageBase
    dv.setUint32(o + 0x0c, m.size, true);
    dv.setUint16(o + 0x14, i, true); // LoadOrderIndex
    dv.setUint16(o + 0x16, i, true); // InitOrderIndex
    dv.setUint16(o + 0x18, Math.min(m.count, 0xffff), true); // LoadCount
    const dir = '\\BootModules\\';
    const path = (dir + m.name).slice(0, MODULE_PATH_CHARS - 1);
    dv.setUint16(o + 0x1a, Math.min(dir.length, path.length), true); // OffsetToFileName
    for (let c = 0; c < path.length; c++) b[o + 0x1c + c] = path.charCodeAt(c) & 0xff;
  });
  return b;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Writes an answer into the caller's buffer at `buf`. SystemProcessInformation's
 * ImageName.Buffer fields hold offsets until here, where they become guest addresses.
 */
export function exWriteSystemInformation(cls: number, bytes: Uint8Array, buf: number, write: (va: number, b: Uint8Array) => void): void {
  if (cls === SystemProcessInformation && bytes.length > 0) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let off = 0;
    for (;;) {
      const nameOff = dv.getUint32(off + 0x3c, true);
      dv.setUint32(off + 0x3c, (buf + nameOff) >>> 0, true);
      const next = dv.getUint32(off, true);
      if (next === 0) break;
      off += next;
    }
  }
  write(buf, bytes);
}
