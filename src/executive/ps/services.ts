/** Ps services: NtTerminateProcess, NtTerminateThread. */
import { NTSTATUS } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';
import { obReferenceObjectByHandle } from '../ob/reference.js';
import { ProcessType, ThreadType, type EProcess, type EThread } from './process.js';
import { CONTEXT_SIZE, applyContext } from '../ke/exception-dispatch.js';
import { contextFpuAcceptable } from '../ke/context-fpu.js';
import { obInsertObject, readObjectAttributes } from '../ob/reference.js';
import { mapGenericAccess } from '../ob/object.js';
import { PENDING } from '../dispatch.js';
import { psCreateThreadWithContext } from './create.js';
import { ImageSection } from '../mm/image-section.js';
import { Section, SectionType } from '../mm/section.js';

const PROCESS_CREATE_THREAD = 2;
const THREAD_SUSPEND_RESUME = 2;
/** The most a suspend count may reach (NT's MAXIMUM_SUSPEND_COUNT). */
const MAXIMUM_SUSPEND_COUNT = 127;

const PROCESS_TERMINATE = 1;
const THREAD_TERMINATE = 1;

const PROCESS_CREATE_PROCESS = 0x80;
const SECTION_MAP_EXECUTE = 8;

export const psServices: Record<string, ServiceHandler> = {
  NtCreateProcess(ex, t, a) {
    const [pHandle, access, pOa, hParent, inherit, hSection, debugPort, exceptionPort] = a;
    const parent = obReferenceObjectByHandle<EProcess>(t, hParent!, PROCESS_CREATE_PROCESS, ProcessType).object;
    if (parent.terminated) return NTSTATUS.STATUS_PROCESS_IS_TERMINATING;
    if (hSection === 0) {
      ex.trace('NtCreateProcess: without a section NT clones the parent\'s address space (fork); not built');
      return NTSTATUS.STATUS_NOT_IMPLEMENTED;
    }
    if (debugPort !== 0 || exceptionPort !== 0) {
      ex.trace('NtCreateProcess: debug and exception ports need the debugging subsystem; not built');
      return NTSTATUS.STATUS_NOT_IMPLEMENTED;
    }
    const section = obReferenceObjectByHandle<Section>(t, hSection!, SECTION_MAP_EXECUTE, SectionType).object;
    if (!(section instanceof ImageSection)) return NTSTATUS.STATUS_SECTION_NOT_IMAGE;
    if (section.info.isDll) {
      ex.trace(`NtCreateProcess: ${section.imageName} is a DLL, not a program`);
      return NTSTATUS.STATUS_INVALID_IMAGE_FORMAT;
    }
    const oa = readObjectAttributes(t, pOa!);
    const child = ex.createProcessFromSection(section, ex.knownNtdll(), section.imageName);
    try {
      if ((inherit! & 0xff) !== 0) child.handles.inheritFrom(parent.handles);
      const h = obInsertObject(ex, t, child, oa, access!);
      t.process.space.writeU32(pHandle!, h.handle);
      return h.status;
    } catch (e) {
      ex.terminateProcess(child, NTSTATUS.STATUS_UNSUCCESSFUL);
      throw e;
    }
  },
  NtCreateThread(ex, t, a) {
    const [pHandle, access, pOa, hProcess, pClientId, pContext, pInitialTeb, suspended] = a;
    const p = obReferenceObjectByHandle<EProcess>(t, hProcess!, PROCESS_CREATE_THREAD, ProcessType).object;
    if (p.terminated) return NTSTATUS.STATUS_PROCESS_IS_TERMINATING;
    const mem = t.process.space;
    const ctx = mem.readBytes(pContext!, CONTEXT_SIZE);
    const stackBase = mem.readU32(pInitialTeb! + 8);
    const stackLimit = mem.readU32(pInitialTeb! + 12);
    if (stackLimit >= stackBase) return NTSTATUS.STATUS_INVALID_PARAMETER;
    const oa = readObjectAttributes(t, pOa!);
    const r = applyContext(ctx, { eax: 0, ecx: 0, edx: 0, ebx: 0, esp: stackBase, ebp: 0, esi: 0, edi: 0, eip: 0, eflags: 0x202 });
    const nt = psCreateThreadWithContext(ex, p, [r.eip, r.esp, r.eflags, r.eax, r.ebx, r.ecx, r.edx, r.esi, r.edi, r.ebp], stackBase, stackLimit, (suspended! & 0xff) !== 0);
    ex.threads.set(nt.tid, nt);
    const h = obInsertObject(ex, t, nt, oa, access!);
    mem.writeU32(pHandle!, h.handle);
    if (pClientId !== 0) { mem.writeU32(pClientId!, p.pid); mem.writeU32(pClientId! + 4, nt.tid); }
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtSuspendThread(ex, t, a) {
    const target = obReferenceObjectByHandle<EThread>(t, a[0]!, THREAD_SUSPEND_RESUME, ThreadType).object;
    if (target.terminated) return NTSTATUS.STATUS_THREAD_IS_TERMINATING;
    if (target.suspendCount >= MAXIMUM_SUSPEND_COUNT) return NTSTATUS.STATUS_SUSPEND_COUNT_EXCEEDED;
    if (a[1] !== 0) t.process.space.writeU32(a[1]!, target.suspendCount);
    target.suspendCount++;
    if (target.suspendCount > 1) return NTSTATUS.STATUS_SUCCESS;
    if (target === t) { t.selfSuspended = true; return PENDING; } // answered by the resume
    ex.suspendThread(target);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtResumeThread(ex, t, a) {
    const target = obReferenceObjectByHandle<EThread>(t, a[0]!, THREAD_SUSPEND_RESUME, ThreadType).object;
    if (a[1] !== 0) t.process.space.writeU32(a[1]!, target.suspendCount);
    if (target.suspendCount === 0 || target.terminated) return NTSTATUS.STATUS_SUCCESS; // as NT: an ended thread just reports its count
    if (--target.suspendCount === 0) ex.resumeThread(target);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtTerminateProcess(ex, t, a) {
    const p = a[0] === 0 ? t.process : obReferenceObjectByHandle<EProcess>(t, a[0]!, PROCESS_TERMINATE, ProcessType).object;
    if (p.terminated) return NTSTATUS.STATUS_PROCESS_IS_TERMINATING;
    ex.terminateProcess(p, a[1]!);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtTerminateThread(ex, t, a) {
    const target = a[0] === 0 ? t : obReferenceObjectByHandle<EThread>(t, a[0]!, THREAD_TERMINATE, ThreadType).object;
    if (target.terminated) return NTSTATUS.STATUS_THREAD_IS_TERMINATING;
    ex.terminateThread(target, a[1]!);
    return NTSTATUS.STATUS_SUCCESS;
  },
};


const THREAD_GET_CONTEXT = 0x8;
const THREAD_SET_CONTEXT = 0x10;

export const psQueryServices: Record<string, ServiceHandler> = {
  NtGetContextThread(ex, t, a) {
    const target = obReferenceObjectByHandle<EThread>(t, a[0]!, THREAD_GET_CONTEXT, ThreadType).object;
    if (target.terminated) return NTSTATUS.STATUS_THREAD_IS_TERMINATING;
    const mem = t.process.space;
    const want = mem.readU32(a[1]!);
    const ctx = ex.threadContext(target, t);
    // Only the parts asked for (and that exist: control, integer, segments, and with a CPU the FPU's) are written.
    const has = new DataView(ctx.buffer).getUint32(0, true);
    new DataView(ctx.buffer).setUint32(0, (want & has & 0x1002f) | 0x10000, true);
    const out = mem.readBytes(a[1]!, CONTEXT_SIZE);
    const parts: [number, number, number][] = [[0x10004, 0x8c, 0x9c], [0x10002, 0x9c, 0xb4], [0x10001, 0xb4, 0xcc], [0x10008, 0x1c, 0x8c], [0x10020, 0xcc, 0x2cc]];
    for (const [flag, from, to] of parts) if ((want & has & flag) === flag) out.set(ctx.subarray(from, to), from);
    out.set(ctx.subarray(0, 4), 0);
    mem.writeBytes(a[1]!, out);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtSetContextThread(ex, t, a) {
    const target = obReferenceObjectByHandle<EThread>(t, a[0]!, THREAD_SET_CONTEXT, ThreadType).object;
    if (target.terminated) return NTSTATUS.STATUS_THREAD_IS_TERMINATING;
    const ctx = t.process.space.readBytes(a[1]!, CONTEXT_SIZE);
    if (!contextFpuAcceptable(ctx)) return NTSTATUS.STATUS_INVALID_PARAMETER;
    if (target === t) { ex.continueWith(t, ctx, false); return PENDING; }
    if (!ex.setThreadContext(target, ctx)) {
      ex.trace('NtSetContextThread: the target is suspended inside a wait; its registers are owed a reply');
      return NTSTATUS.STATUS_NOT_IMPLEMENTED;
    }
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtOpenProcess(ex, t, a) {
    const [pHandle, access, , pCid] = a;
    if (pCid === 0) return NTSTATUS.STATUS_INVALID_PARAMETER_MIX;
    const pid = t.process.space.readU32(pCid!);
    const p = ex.processes.get(pid);
    if (p === undefined) return NTSTATUS.STATUS_INVALID_CID;
    t.process.space.writeU32(pHandle!, t.process.handles.insert(p, mapGenericAccess(access!, ProcessType)));
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtOpenThread(ex, t, a) {
    const [pHandle, access, , pCid] = a;
    if (pCid === 0) return NTSTATUS.STATUS_INVALID_PARAMETER_MIX;
    const pid = t.process.space.readU32(pCid!);
    const tid = t.process.space.readU32(pCid! + 4);
    const th = ex.threads.get(tid);
    if (th === undefined || (pid !== 0 && th.process.pid !== pid)) return NTSTATUS.STATUS_INVALID_CID;
    t.process.space.writeU32(pHandle!, t.process.handles.insert(th, mapGenericAccess(access!, ThreadType)));
    return NTSTATUS.STATUS_SUCCESS;
  },
};
