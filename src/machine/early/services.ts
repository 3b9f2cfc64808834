/**
 * The early service layer: serves the few native services a program needs
 * before the kernel and the executive exist (console output, termination,
 * virtual memory, time), behind the same syscall trap the kernel will take
 * over (`int 0x2e`, EAX = service number from src/abi/services.ts, EDX =
 * the caller's stack arguments, NTSTATUS back in EAX).
 *
 * Temporary by design (issue 2): the executive (issue 5) serves the whole
 * service table over seL4 IPC. A service of the table that this layer does
 * not serve returns STATUS_NOT_IMPLEMENTED and says so on --trace-syscalls.
 */
import { NTSTATUS, NtStatusError, ntStatusName } from '../../abi/ntstatus.js';
import { SERVICES as services, serviceArgSlots } from '../../abi/services.js';
import { NT_CURRENT_PROCESS } from '../../abi/layouts.js';
import type { Cpu } from '../../cpu/cpu.js';
import type { EarlyProcess } from './process.js';

/** QueryPerformanceFrequency: 10 MHz, as current Windows reports. */
export const PERFORMANCE_FREQUENCY = 10_000_000n;
/** 100 ns intervals between 1601-01-01 and 1970-01-01. */
const EPOCH_1601_OFFSET = 116444736000000000n;

type Handler = (p: EarlyProcess, a: Uint32Array) => number;

const handlers: Record<string, Handler> = {
  NtTerminateProcess(p, a) {
    const handle = a[0]!, status = a[1]!;
    if (handle !== NT_CURRENT_PROCESS && handle !== 0) return NTSTATUS.STATUS_INVALID_HANDLE;
    p.terminate(status);
    return NTSTATUS.STATUS_SUCCESS;
  },

  NtDisplayString(p, a) {
    p.console(p.mem.readUnicodeString(a[0]!));
    return NTSTATUS.STATUS_SUCCESS;
  },

  NtAllocateVirtualMemory(p, a) {
    const [handle, pBase, zeroBits, pSize, type, protect] = a as unknown as number[];
    if (handle !== NT_CURRENT_PROCESS) return NTSTATUS.STATUS_INVALID_HANDLE;
    if (zeroBits! > 21) return NTSTATUS.STATUS_INVALID_PARAMETER_3;
    const base = p.mem.readU32(pBase!);
    const size = p.mem.readU32(pSize!);
    p.mem.probe(pBase!, 4, true);
    p.mem.probe(pSize!, 4, true);
    const [b, s] = p.space.allocate(base, size, type!, protect!);
    p.mem.writeU32(pBase!, b);
    p.mem.writeU32(pSize!, s);
    return NTSTATUS.STATUS_SUCCESS;
  },

  NtFreeVirtualMemory(p, a) {
    const [handle, pBase, pSize, type] = a as unknown as number[];
    if (handle !== NT_CURRENT_PROCESS) return NTSTATUS.STATUS_INVALID_HANDLE;
    const base = p.mem.readU32(pBase!);
    const size = p.mem.readU32(pSize!);
    p.mem.probe(pBase!, 4, true);
    p.mem.probe(pSize!, 4, true);
    const [b, s] = p.space.free(base, size, type!);
    p.mem.writeU32(pBase!, b);
    p.mem.writeU32(pSize!, s);
    return NTSTATUS.STATUS_SUCCESS;
  },

  NtProtectVirtualMemory(p, a) {
    const [handle, pBase, pSize, newProtect, pOld] = a as unknown as number[];
    if (handle !== NT_CURRENT_PROCESS) return NTSTATUS.STATUS_INVALID_HANDLE;
    const base = p.mem.readU32(pBase!);
    const size = p.mem.readU32(pSize!);
    p.mem.probe(pBase!, 4, true);
    p.mem.probe(pSize!, 4, true);
    p.mem.probe(pOld!, 4, true);
    const [b, s, old] = p.space.protect(base, size, newProtect!);
    p.mem.writeU32(pBase!, b);
    p.mem.writeU32(pSize!, s);
    p.mem.writeU32(pOld!, old);
    return NTSTATUS.STATUS_SUCCESS;
  },

  NtQueryPerformanceCounter(p, a) {
    const [pCounter, pFrequency] = a as unknown as number[];
    p.mem.probe(pCounter!, 8, true);
    if (pFrequency !== 0) p.mem.probe(pFrequency!, 8, true);
    p.mem.writeU64(pCounter!, process.hrtime.bigint() / 100n);
    if (pFrequency !== 0) p.mem.writeU64(pFrequency!, PERFORMANCE_FREQUENCY);
    return NTSTATUS.STATUS_SUCCESS;
  },

  NtQuerySystemTime(p, a) {
    p.mem.writeU64(a[0]!, BigInt(Date.now()) * 10000n + EPOCH_1601_OFFSET);
    return NTSTATUS.STATUS_SUCCESS;
  },
};

/** Handlers by service number; null for services this layer does not serve. */
const byNumber: (Handler | null)[] = services.map((s) => handlers[s.name] ?? null);
for (const name of Object.keys(handlers)) {
  if (!services.some((s) => s.name === name)) throw new Error(`early service ${name} is not in the service table (src/abi/services.ts)`);
}
const argCounts = services.map((s) => serviceArgSlots(s));
const scratch = new Uint32Array(16);

/**
 * Serves the system call the thread on `cpu` just made (Stop.SYSCALL with
 * trap number 0x2e). Writes the NTSTATUS to EAX.
 */
export function dispatchEarlyService(p: EarlyProcess, cpu: Cpu): void {
  const number = cpu.reg[0]! >>> 0;
  const argp = cpu.reg[2]! >>> 0;
  let status: number;
  const handler = number < byNumber.length ? byNumber[number] : undefined;
  const name = number < services.length ? services[number]!.name : `#${number}`;
  if (handler === undefined) {
    status = NTSTATUS.STATUS_INVALID_SYSTEM_SERVICE;
  } else if (handler === null) {
    status = NTSTATUS.STATUS_NOT_IMPLEMENTED;
    p.trace(`${name}: not served before the executive exists (STATUS_NOT_IMPLEMENTED)`);
  } else {
    try {
      const args = scratch.subarray(0, argCounts[number]);
      for (let i = 0; i < args.length; i++) args[i] = p.mem.readU32(argp + i * 4);
      status = handler(p, args);
    } catch (e) {
      if (!(e instanceof NtStatusError)) throw e;
      status = e.status;
      p.trace(`${name}: ${e.message}`);
    }
  }
  if (p.tracing) p.trace(`${name} -> ${ntStatusName(status)}`);
  cpu.reg[0] = status | 0;
}
