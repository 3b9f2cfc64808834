/**
 * CNode_SaveCaller (non-MCS seL4): moves the reply capability in a thread's
 * tcbCaller slot into a CNode slot, so that the thread can receive again
 * and answer the saved caller later (Send on the saved slot replies). The
 * NT executive uses it for services that must wait.
 */
import type { Kernel } from './state.js';
import { loadCap, slotType } from './cap.js';
import { cap_null_cap, cap_reply_cap } from './objecttype.js';
import { cteMove } from './cdt.js';
import { seL4_DeleteFirst, seL4_NoError } from './errors.js';
import { tcbCaller, tcbSlot } from './tcb.js';

/** Moves `t`'s caller cap to `destSlot` (a slot address); an empty caller slot moves nothing. */
export function invokeCNode_SaveCaller(k: Kernel, t: number, destSlot: number): number {
  if (slotType(k, destSlot) !== cap_null_cap) {
    k.err.type = seL4_DeleteFirst;
    return seL4_DeleteFirst;
  }
  const src = tcbSlot(t, tcbCaller);
  if (slotType(k, src) !== cap_reply_cap) return seL4_NoError;
  loadCap(k, src, k.capA);
  cteMove(k, k.capA, src, destSlot);
  return seL4_NoError;
}
