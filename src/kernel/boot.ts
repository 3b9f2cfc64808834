/**
 * Kernel boot (seL4's src/kernel/boot.c, reduced): lays out the kernel's
 * own objects at the bottom of object memory, creates the root task's
 * thread, CSpace and VSpace, and hands every remaining byte to it as
 * untyped caps, listed in the boot info.
 *
 * Object memory:  [0, 4 KiB) never used (0 is the null pointer)
 *                 IRQ node, idle TCBs (one per core), root CNode, root TCB,
 *                 root page directory, the initial ASID pool
 *                 then untyped memory up to the end
 *
 * Root CNode slots are seL4's: 1 TCB, 2 CNode, 3 VSpace (page directory,
 * ASID 1), 4 IRQControl, 5 ASIDControl, 6 the initial ASID pool, 11 Domain;
 * untyped caps from slot 16 (bootInfo.untyped), then empty slots
 * (bootInfo.empty). The root CNode's guard makes a CPtr a plain slot number
 * at depth 32.
 */
import { CORE_CUR, CORE_IDLE, G_ASID_TABLE, G_IRQ_NODE, Kernel, createGlobals } from './state.js';
import { capWord0, cnodeExtra, untypedExtra, RIGHTS_ALL } from './cap.js';
import {
  cap_asid_control_cap, cap_asid_pool_cap, cap_cnode_cap, cap_domain_cap, cap_irq_control_cap, cap_page_directory_cap,
  cap_thread_cap, cap_untyped_cap, seL4_MaxUntypedBits, seL4_MinUntypedBits, seL4_SlotBits, seL4_TCBBits,
} from './objecttype.js';
import { cteInsert, deriveCapInto, insertRootCap } from './cdt.js';
import {
  TCB_MCP, TCB_PRIO, ThreadState_IdleThreadState, ThreadState_Running, initTCB, setupReplyMaster, tcbCTable, tcbSlot,
  tcbVTable, TCB_AFFINITY, TCB_STATE,
} from './tcb.js';
import { CONFIG_TIME_SLICE, seL4_MaxPrio } from './scheduler.js';

export const seL4_CapNull = 0;
export const seL4_CapInitThreadTCB = 1;
export const seL4_CapInitThreadCNode = 2;
export const seL4_CapInitThreadVSpace = 3;
export const seL4_CapIRQControl = 4;
export const seL4_CapASIDControl = 5;
export const seL4_CapInitThreadASIDPool = 6;
export const seL4_CapDomain = 11;
export const seL4_NumInitialCaps = 16;

export interface BootOptions {
  /** Object memory: a SAB (e.g. guest RAM's) or a size in bytes (default 16 MiB). */
  memory?: SharedArrayBuffer | number;
  cores?: number;
  numIRQs?: number;
  /** log2 slots of the root CNode (default 12). */
  rootCNodeBits?: number;
  timeSlice?: number;
  /** The core the root thread is current on (default 0; the SMP machine gives it a core of its own, the host's). */
  rootCore?: number;
}

export interface UntypedDesc { slot: number; paddr: number; sizeBits: number; isDevice: boolean }

export interface BootInfo {
  rootCNodeBits: number;
  /** The root thread (TCB pointer). */
  rootThread: number;
  rootCNode: number;
  untyped: UntypedDesc[];
  /** Empty slots [start, end) of the root CNode. */
  empty: { start: number; end: number };
}

export function bootKernel(opts: BootOptions = {}): { kernel: Kernel; bootInfo: BootInfo } {
  const memory = opts.memory instanceof SharedArrayBuffer ? opts.memory : new SharedArrayBuffer(opts.memory ?? 16 << 20);
  const memBytes = memory.byteLength;
  const cores = opts.cores ?? 1;
  const numIRQs = opts.numIRQs ?? 32;
  const rootBits = opts.rootCNodeBits ?? 12;
  const timeSlice = opts.timeSlice ?? CONFIG_TIME_SLICE;
  const globals = createGlobals(memBytes, cores, numIRQs, timeSlice);
  const k = new Kernel({ memory, globals }, 0);

  let cursor = 4096;
  const alloc = (bytes: number, align: number): number => {
    const a = Math.ceil(cursor / align) * align;
    cursor = a + bytes;
    if (cursor > memBytes) throw new RangeError('object memory too small for the kernel boot objects');
    k.zero(a, bytes);
    return a;
  };

  k.g[G_IRQ_NODE] = alloc(numIRQs * 32, 32);
  for (let c = 0; c < cores; c++) {
    const idle = alloc(1 << seL4_TCBBits, 1 << seL4_TCBBits);
    initTCB(k, idle, timeSlice);
    k.m[(idle >> 2) + TCB_STATE] = ThreadState_IdleThreadState;
    k.m[(idle >> 2) + TCB_AFFINITY] = c;
    k.g[k.coreBase(c) + CORE_IDLE] = idle;
    k.g[k.coreBase(c) + CORE_CUR] = idle;
  }
  const cnodeBytes = (1 << rootBits) << seL4_SlotBits;
  const cnode = alloc(cnodeBytes, cnodeBytes);
  const tcb = alloc(1 << seL4_TCBBits, 1 << seL4_TCBBits);
  const pd = alloc(4096, 4096);
  const pool = alloc(4096, 4096);
  const slot = (i: number): number => cnode + i * 32;

  insertRootCap(k, slot(seL4_CapInitThreadCNode), 0, capWord0(cap_cnode_cap, RIGHTS_ALL, cnodeExtra(rootBits, 32 - rootBits)), cnode, 0, 0);
  insertRootCap(k, slot(seL4_CapInitThreadTCB), 0, capWord0(cap_thread_cap, RIGHTS_ALL, 0), tcb, 0, 0);
  insertRootCap(k, slot(seL4_CapInitThreadVSpace), 0, capWord0(cap_page_directory_cap, RIGHTS_ALL, 0), pd, 0, 1);
  insertRootCap(k, slot(seL4_CapIRQControl), 0, capWord0(cap_irq_control_cap, RIGHTS_ALL, 0), 0, 0, 0);
  insertRootCap(k, slot(seL4_CapASIDControl), 0, capWord0(cap_asid_control_cap, RIGHTS_ALL, 0), 0, 0, 0);
  insertRootCap(k, slot(seL4_CapInitThreadASIDPool), 0, capWord0(cap_asid_pool_cap, RIGHTS_ALL, 0), pool, 0, 0);
  insertRootCap(k, slot(seL4_CapDomain), 0, capWord0(cap_domain_cap, RIGHTS_ALL, 0), 0, 0, 0);
  k.g[G_ASID_TABLE] = pool;
  k.m[(pool >> 2) + 1] = pd;

  initTCB(k, tcb, timeSlice);
  deriveCapInto(k, slot(seL4_CapInitThreadCNode), k.capA);
  cteInsert(k, k.capA, slot(seL4_CapInitThreadCNode), tcbSlot(tcb, tcbCTable));
  deriveCapInto(k, slot(seL4_CapInitThreadVSpace), k.capA);
  cteInsert(k, k.capA, slot(seL4_CapInitThreadVSpace), tcbSlot(tcb, tcbVTable));
  setupReplyMaster(k, tcb);
  k.m[(tcb >> 2) + TCB_PRIO] = seL4_MaxPrio;
  k.m[(tcb >> 2) + TCB_MCP] = seL4_MaxPrio;
  const rootCore = opts.rootCore ?? 0;
  if (!(rootCore >= 0 && rootCore < cores)) throw new RangeError(`rootCore ${rootCore} out of range 0..${cores - 1}`);
  k.m[(tcb >> 2) + TCB_AFFINITY] = rootCore;
  k.m[(tcb >> 2) + TCB_STATE] = ThreadState_Running;
  k.g[k.coreBase(rootCore) + CORE_CUR] = tcb;

  // Untyped: the rest of memory in maximal aligned power-of-two blocks.
  const untyped: UntypedDesc[] = [];
  let next = seL4_NumInitialCaps;
  let p = Math.ceil(cursor / 4096) * 4096;
  while (p < memBytes && next < 1 << rootBits) {
    let bits = seL4_MaxUntypedBits;
    while (bits > seL4_MinUntypedBits && (p % 2 ** bits !== 0 || p + 2 ** bits > memBytes)) bits--;
    if (p + 2 ** bits > memBytes) break;
    insertRootCap(k, slot(next), 0, capWord0(cap_untyped_cap, RIGHTS_ALL, untypedExtra(bits, false)), p, 0, 0);
    untyped.push({ slot: next, paddr: p, sizeBits: bits, isDevice: false });
    next++;
    p += 2 ** bits;
  }
  return {
    kernel: k,
    bootInfo: { rootCNodeBits: rootBits, rootThread: tcb, rootCNode: cnode, untyped, empty: { start: next, end: 1 << rootBits } },
  };
}
