/**
 * IRQControl and IRQHandler (seL4's src/object/interrupt.c).
 *
 * IRQControl_Get makes the one IRQHandler cap of an interrupt line; the
 * handler's SetNotification puts a copy of a notification cap in the
 * kernel's IRQ node (one slot per IRQ, in kernel object memory). When the
 * interrupt fires (handleInterrupt, called by the device/timer side), the
 * kernel signals that notification with the cap's badge and masks the line
 * until the handler's Ack.
 *
 * IRQ state words (globals): 0 Inactive, 1 Signal, 2 Timer, 3 Reserved;
 * bit 8 = masked.
 */
import type { Kernel } from './state.js';
import { G_IRQ_NODE, G_IRQ_STATE, G_NUM_IRQS } from './state.js';
import { capWord0, slotData, slotPtr, slotType, slotW0, RIGHTS_ALL, RIGHT_WRITE } from './cap.js';
import { cap_irq_control_cap, cap_irq_handler_cap, cap_notification_cap, cap_null_cap } from './objecttype.js';
import {
  seL4_DeleteFirst, seL4_IllegalOperation, seL4_InvalidCapability, seL4_NoError, seL4_RangeError, seL4_RevokeFirst,
} from './errors.js';
import { cteDeleteOne, cteInsert, deriveCapInto } from './cdt.js';
import { lookupSlotForCNodeOp } from './cnode.js';
import { sendSignal } from './notification.js';
import { timerTick } from './scheduler.js';

export const IRQInactive = 0;
export const IRQSignal = 1;
export const IRQTimer = 2;
export const IRQReserved = 3;
const MASKED = 0x100;

export function irqState(k: Kernel, irq: number): number {
  return k.g[G_IRQ_STATE + irq]! & 0xff;
}
export function irqMasked(k: Kernel, irq: number): boolean {
  return (k.g[G_IRQ_STATE + irq]! & MASKED) !== 0;
}
function setIRQState(k: Kernel, irq: number, s: number): void {
  k.g[G_IRQ_STATE + irq] = (k.g[G_IRQ_STATE + irq]! & MASKED) | s;
}
/** The IRQ node slot of `irq`. */
export function irqSlot(k: Kernel, irq: number): number {
  return k.g[G_IRQ_NODE]! + irq * 32;
}

/** IRQControl_Get: the handler cap for `irq`, into (index, depth) of the CNode cap in `destRoot`. */
export function invokeIRQControl_Get(k: Kernel, controlSlot: number, irq: number, destRoot: number, index: number, depth: number): number {
  if (slotType(k, controlSlot) !== cap_irq_control_cap) {
    k.err.type = seL4_InvalidCapability;
    return seL4_InvalidCapability;
  }
  const n = k.g[G_NUM_IRQS]!;
  if (!(irq >= 0 && irq < n)) {
    k.err.type = seL4_RangeError;
    k.err.rangeErrorMin = 0;
    k.err.rangeErrorMax = n - 1;
    return seL4_RangeError;
  }
  if (irqState(k, irq) !== IRQInactive) {
    k.err.type = seL4_RevokeFirst;
    return seL4_RevokeFirst;
  }
  const dest = lookupSlotForCNodeOp(k, false, destRoot, index, depth);
  if (dest === 0) return k.err.type;
  if (slotType(k, dest) !== cap_null_cap) {
    k.err.type = seL4_DeleteFirst;
    return seL4_DeleteFirst;
  }
  setIRQState(k, irq, IRQSignal);
  const c = k.capA;
  c[0] = capWord0(cap_irq_handler_cap, RIGHTS_ALL, 0);
  c[1] = irq;
  c[2] = 0;
  c[3] = 0;
  cteInsert(k, c, controlSlot, dest);
  return seL4_NoError;
}

function handlerIRQ(k: Kernel, handlerSlot: number): number {
  if (slotType(k, handlerSlot) !== cap_irq_handler_cap) {
    k.err.type = seL4_InvalidCapability;
    return -1;
  }
  return slotPtr(k, handlerSlot);
}

/** IRQHandler_SetNotification: the IRQ will signal the notification cap in `ntfnSlot` (which needs Write). */
export function invokeIRQHandler_SetNotification(k: Kernel, handlerSlot: number, ntfnSlot: number): number {
  const irq = handlerIRQ(k, handlerSlot);
  if (irq < 0) return seL4_InvalidCapability;
  const w0 = slotW0(k, ntfnSlot);
  if ((w0 & 31) !== cap_notification_cap || ((w0 >>> 5) & RIGHT_WRITE) === 0) {
    k.err.type = seL4_InvalidCapability;
    k.err.invalidCapNumber = 1;
    return seL4_InvalidCapability;
  }
  const slot = irqSlot(k, irq);
  const e = deriveCapInto(k, ntfnSlot, k.capB);
  if (e !== seL4_NoError) return e;
  cteDeleteOne(k, slot);
  cteInsert(k, k.capB, ntfnSlot, slot);
  return seL4_NoError;
}

/** IRQHandler_Clear: the IRQ no longer signals anything. */
export function invokeIRQHandler_Clear(k: Kernel, handlerSlot: number): number {
  const irq = handlerIRQ(k, handlerSlot);
  if (irq < 0) return seL4_InvalidCapability;
  cteDeleteOne(k, irqSlot(k, irq));
  return seL4_NoError;
}

/** IRQHandler_Ack: unmask the line so that it can fire again. */
export function invokeIRQHandler_Ack(k: Kernel, handlerSlot: number): number {
  const irq = handlerIRQ(k, handlerSlot);
  if (irq < 0) return seL4_InvalidCapability;
  k.g[G_IRQ_STATE + irq]! &= ~MASKED;
  return seL4_NoError;
}

/** Makes `irq` the scheduler's timer (boot configuration). */
export function setIRQTimer(k: Kernel, irq: number): void {
  setIRQState(k, irq, IRQTimer);
}

/**
 * An interrupt arrived (seL4's handleInterrupt). Returns false for a
 * masked or unhandled line.
 */
export function handleInterrupt(k: Kernel, irq: number): boolean {
  if (!(irq >= 0 && irq < k.g[G_NUM_IRQS]!)) return false;
  const word = k.g[G_IRQ_STATE + irq]!;
  if ((word & MASKED) !== 0) return false;
  switch (word & 0xff) {
    case IRQSignal: {
      const slot = irqSlot(k, irq);
      const w0 = slotW0(k, slot);
      if ((w0 & 31) === cap_notification_cap && ((w0 >>> 5) & RIGHT_WRITE) !== 0) {
        sendSignal(k, slotPtr(k, slot), slotData(k, slot));
      }
      k.g[G_IRQ_STATE + irq] = word | MASKED;
      return true;
    }
    case IRQTimer:
      timerTick(k);
      return true;
    default:
      k.g[G_IRQ_STATE + irq] = word | MASKED;
      return false;
  }
}

/** The IRQ handler cap of `irq` was destroyed: the line is free again. */
export function deletingIRQHandler(k: Kernel, irq: number): void {
  const slot = irqSlot(k, irq);
  if (slotType(k, slot) !== cap_null_cap) cteDeleteOne(k, slot);
  setIRQState(k, irq, IRQInactive);
}
