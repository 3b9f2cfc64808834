/**
 * What a root task does to start threads, done from the host through the
 * kernel's own invocations: a VSpace out of untyped memory (page
 * directory with an ASID, page tables, frames), CNodes whose CPtrs are
 * slot numbers, TCBs configured with a CSpace, VSpace, IPC buffer and
 * registers. Used by tests and benchmarks while no root task runs in the
 * guest (the NT executive becomes it later).
 *
 * `reserve`/`write`/`protect` have the shape of the PE loader's
 * ImageTarget, so an image can be loaded straight into the VSpace; the
 * kernel itself knows nothing of PE. Pages are mapped read-write
 * (`protect` is not applied yet).
 */
import type { Kernel } from './state.js';
import type { BootInfo } from './boot.js';
import { seL4_CapInitThreadASIDPool, seL4_CapInitThreadCNode, seL4_CapInitThreadTCB } from './boot.js';
import { RIGHTS_ALL, RIGHT_READ, RIGHT_WRITE, slotPtr } from './cap.js';
import { cnodeCapData } from './cdt.js';
import { invokeCNode_Mint } from './cnode.js';
import {
  seL4_CapTableObject, seL4_EndpointObject, seL4_NotificationObject, seL4_TCBObject, seL4_X86_4K,
  seL4_X86_PageDirectoryObject, seL4_X86_PageTableObject,
} from './objecttype.js';
import { invokeUntyped_Retype } from './untyped.js';
import { invokeASIDPool_Assign } from './asid.js';
import { invokePage_Map, invokePageTable_Map, translate } from './vspace.js';
import {
  IPCBUF_USERDATA, invokeTCB_Configure, invokeTCB_SetAffinity, invokeTCB_Resume, invokeTCB_SetPriority, invokeTCB_WriteRegisters,
} from './tcb.js';
import { ERROR_NAMES, seL4_NoError } from './errors.js';

function check(e: number, what: string): void {
  if (e !== seL4_NoError) throw new Error(`${what} failed: ${ERROR_NAMES[e]}`);
}

export interface ThreadSpec {
  entry: number;
  /** Initial stack pointer ([esp] is the return address the entry sees). */
  esp: number;
  priority: number;
  /** Its CNode's radix (CPtr = slot number below 2^radix). */
  cnodeBits?: number;
  /** CPtr of its fault endpoint in its own CSpace (0: none). */
  faultEP?: number;
  /** Virtual address of its IPC buffer (a page of its own is mapped there). */
  ipcBuffer: number;
  /** The core it runs on (TCB_SetAffinity; default: the core of the builder's kernel handle). */
  core?: number;
  /** Extra registers: eax ebx ecx edx esi edi ebp. */
  regs?: Partial<Record<'eax' | 'ebx' | 'ecx' | 'edx' | 'esi' | 'edi' | 'ebp', number>>;
}

export interface BuiltThread {
  tcb: number;
  /** Root CNode slot of its TCB cap. */
  tcbSlot: number;
  /** Root CNode slot of its CNode cap (unguarded: depth = radix). */
  cnodeSlot: number;
  cnodeBits: number;
}

export class SpaceBuilder {
  /** Root CNode slot of the page directory cap, and its physical address. */
  readonly pdSlot: number;
  readonly pd: number;
  private next: number;
  private readonly u8: Uint8Array;
  private readonly untyped: number;

  constructor(readonly k: Kernel, readonly info: BootInfo) {
    this.next = info.empty.start;
    this.u8 = new Uint8Array(k.memory);
    this.untyped = info.untyped.reduce((a, b) => (b.sizeBits > a.sizeBits ? b : a)).slot;
    this.pdSlot = this.retype(seL4_X86_PageDirectoryObject);
    check(invokeASIDPool_Assign(k, this.slot(seL4_CapInitThreadASIDPool), this.slot(this.pdSlot)), 'ASIDPool_Assign');
    this.pd = slotPtr(k, this.slot(this.pdSlot));
  }

  /** Byte address of root CNode slot `i`. */
  slot(i: number): number {
    return this.info.rootCNode + i * 32;
  }

  /** Retypes one object into a fresh root CNode slot; returns the slot index. */
  retype(type: number, sizeBits = 0): number {
    const at = this.next++;
    check(invokeUntyped_Retype(this.k, this.slot(this.untyped), type, sizeBits, this.slot(seL4_CapInitThreadCNode), 0, 0, at, 1), `Retype(${type})`);
    return at;
  }

  endpoint(): number { return this.retype(seL4_EndpointObject); }
  notification(): number { return this.retype(seL4_NotificationObject); }

  /** Maps a fresh zeroed frame at `vaddr` (page tables as needed); returns its physical address. */
  mapPage(vaddr: number): number {
    const k = this.k;
    vaddr = (vaddr & ~0xfff) >>> 0;
    if ((k.m[(this.pd >> 2) + (vaddr >>> 22)]! & 1) === 0) {
      const pt = this.retype(seL4_X86_PageTableObject);
      check(invokePageTable_Map(k, this.slot(pt), this.slot(this.pdSlot), vaddr), 'PageTable_Map');
    }
    const f = this.retype(seL4_X86_4K);
    check(invokePage_Map(k, this.slot(f), this.slot(this.pdSlot), vaddr, RIGHT_READ | RIGHT_WRITE), 'Page_Map');
    return slotPtr(k, this.slot(f));
  }

  /** Maps [base, base + size) page by page, skipping pages already mapped. */
  mapRange(base: number, size: number): void {
    for (let p = base & ~0xfff; p < base + size; p += 4096) {
      if (translate(this.k, this.pd, p) < 0) this.mapPage(p);
    }
  }

  // ---- the PE loader's ImageTarget ----
  reserve(base: number, size: number): boolean {
    for (let p = base; p < base + size; p += 4096) if (translate(this.k, this.pd, p) >= 0) return false;
    this.mapRange(base, size);
    return true;
  }
  write(vaddr: number, bytes: Uint8Array): void {
    for (let done = 0; done < bytes.length;) {
      const va = vaddr + done;
      const pa = translate(this.k, this.pd, va);
      if (pa < 0) throw new RangeError(`write to unmapped 0x${(va >>> 0).toString(16)}`);
      const n = Math.min(bytes.length - done, 4096 - (va & 0xfff));
      this.u8.set(bytes.subarray(done, done + n), pa);
      if (this.k.physicalWritten !== null) this.k.physicalWritten(pa, n);
      done += n;
    }
  }
  protect(_vaddr: number, _size: number, _prot: number): void {}

  writeWords(vaddr: number, words: readonly number[]): void {
    const b = new Uint8Array(words.length * 4);
    const dv = new DataView(b.buffer);
    words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
    this.write(vaddr, b);
  }
  readWord(vaddr: number): number {
    const pa = translate(this.k, this.pd, vaddr);
    if (pa < 0) throw new RangeError(`read of unmapped 0x${(vaddr >>> 0).toString(16)}`);
    return this.k.m[pa >> 2]! >>> 0;
  }

  /** Mints a cap from root slot `src` into slot `index` of a thread's CNode. */
  giveCap(th: BuiltThread, index: number, src: number, rights = RIGHTS_ALL, badge = 0): void {
    check(invokeCNode_Mint(this.k, this.slot(th.cnodeSlot), index, th.cnodeBits, this.slot(seL4_CapInitThreadCNode), src, 32, rights, badge), 'CNode_Mint');
  }

  /**
   * A thread in this VSpace: its own CNode (guarded so a CPtr is a slot
   * number), an IPC buffer page at `spec.ipcBuffer` (GS base = the buffer,
   * userData = its address: the SDK's seL4_GetIPCBuffer), registers, and
   * priority. Not resumed: give it caps first, then `start`.
   */
  thread(spec: ThreadSpec): BuiltThread {
    const k = this.k;
    const bits = spec.cnodeBits ?? 4;
    const cnodeSlot = this.retype(seL4_CapTableObject, bits);
    const guarded = this.next++;
    check(invokeCNode_Mint(k, this.slot(seL4_CapInitThreadCNode), guarded, 32, this.slot(seL4_CapInitThreadCNode), cnodeSlot, 32, RIGHTS_ALL, cnodeCapData(0, 32 - bits)), 'CNode_Mint(guard)');
    const tcbSlot = this.retype(seL4_TCBObject);
    const tcb = slotPtr(k, this.slot(tcbSlot));
    const bufFrame = this.retype(seL4_X86_4K);
    const buf = spec.ipcBuffer >>> 0;
    if ((this.k.m[(this.pd >> 2) + (buf >>> 22)]! & 1) === 0) {
      const pt = this.retype(seL4_X86_PageTableObject);
      check(invokePageTable_Map(k, this.slot(pt), this.slot(this.pdSlot), buf), 'PageTable_Map');
    }
    check(invokePage_Map(k, this.slot(bufFrame), this.slot(this.pdSlot), buf & ~0xfff, RIGHT_READ | RIGHT_WRITE), 'Page_Map(IPC buffer)');
    check(invokeTCB_Configure(k, tcb, spec.faultEP ?? 0, this.slot(guarded), this.slot(this.pdSlot), buf, this.slot(bufFrame)), 'TCB_Configure');
    check(invokeTCB_SetPriority(k, tcb, this.slot(seL4_CapInitThreadTCB), spec.priority), 'TCB_SetPriority');
    if (spec.core !== undefined) check(invokeTCB_SetAffinity(k, tcb, spec.core), 'TCB_SetAffinity');
    this.writeWords(buf + IPCBUF_USERDATA * 4, [buf]);
    const r = spec.regs ?? {};
    // seL4_UserContext: eip esp eflags eax ebx ecx edx esi edi ebp fs_base gs_base
    const ctx = [spec.entry, spec.esp, 0x202, r.eax ?? 0, r.ebx ?? 0, r.ecx ?? 0, r.edx ?? 0, r.esi ?? 0, r.edi ?? 0, r.ebp ?? 0, 0, buf];
    check(invokeTCB_WriteRegisters(k, tcb, false, ctx.length, ctx), 'TCB_WriteRegisters');
    return { tcb, tcbSlot, cnodeSlot, cnodeBits: bits };
  }

  start(th: BuiltThread): void {
    check(invokeTCB_Resume(this.k, th.tcb), 'TCB_Resume');
  }
}
