/**
 * Object types that Untyped_Retype can create, their sizes, and the
 * capability types that name objects (seL4's src/object/objecttype.c).
 *
 * Object type numbers are seL4's for ia32 (non-MCS): the five generic
 * objects, then the x86 paging objects. Sizes are seL4's ia32 sizes except
 * seL4_SlotBits (see cap.ts: a slot here is 8 plain words so that nothing on
 * a hot path unpacks bitfields).
 */
export const seL4_UntypedObject = 0;
export const seL4_TCBObject = 1;
export const seL4_EndpointObject = 2;
export const seL4_NotificationObject = 3;
export const seL4_CapTableObject = 4;
export const seL4_X86_4K = 5;
export const seL4_X86_LargePageObject = 6;
export const seL4_X86_PageTableObject = 7;
export const seL4_X86_PageDirectoryObject = 8;
export const seL4_ObjectTypeCount = 9;

export const seL4_WordBits = 32;
export const seL4_SlotBits = 5;
export const seL4_TCBBits = 11;
export const seL4_EndpointBits = 4;
export const seL4_NotificationBits = 4;
export const seL4_PageBits = 12;
export const seL4_LargePageBits = 22;
export const seL4_PageTableBits = 12;
export const seL4_PageDirBits = 12;
export const seL4_ASIDPoolBits = 12;
export const seL4_MinUntypedBits = 4;
export const seL4_MaxUntypedBits = 29;
/** seL4 on 32-bit platforms: badges are 28 bits. */
export const seL4_BadgeBits = 28;
export const BADGE_MASK = (1 << seL4_BadgeBits) - 1;
/** CONFIG_RETYPE_FAN_OUT_LIMIT: at most this many objects per Retype. */
export const CONFIG_RETYPE_FAN_OUT_LIMIT = 256;
/** seL4_MsgMaxLength and seL4_MsgMaxExtraCaps. */
export const seL4_MsgMaxLength = 120;
export const seL4_MsgMaxExtraCaps = 3;

/**
 * Capability types (the tags of seL4's cap_t). A slot whose type is
 * cap_null_cap is empty.
 */
export const cap_null_cap = 0;
export const cap_untyped_cap = 1;
export const cap_endpoint_cap = 2;
export const cap_notification_cap = 3;
export const cap_reply_cap = 4;
export const cap_cnode_cap = 5;
export const cap_thread_cap = 6;
export const cap_irq_control_cap = 7;
export const cap_irq_handler_cap = 8;
export const cap_domain_cap = 9;
export const cap_frame_cap = 10;
export const cap_page_table_cap = 11;
export const cap_page_directory_cap = 12;
export const cap_asid_control_cap = 13;
export const cap_asid_pool_cap = 14;

export const CAP_TYPE_NAMES = [
  'null', 'untyped', 'endpoint', 'notification', 'reply', 'cnode', 'thread', 'irq_control',
  'irq_handler', 'domain', 'frame', 'page_table', 'page_directory', 'asid_control', 'asid_pool',
] as const;

/** log2 of the size in bytes of an object of `type`; `userObjSize` is the size argument of Retype. */
export function getObjectSize(type: number, userObjSize: number): number {
  switch (type) {
    case seL4_UntypedObject: return userObjSize;
    case seL4_TCBObject: return seL4_TCBBits;
    case seL4_EndpointObject: return seL4_EndpointBits;
    case seL4_NotificationObject: return seL4_NotificationBits;
    case seL4_CapTableObject: return seL4_SlotBits + userObjSize;
    case seL4_X86_4K: return seL4_PageBits;
    case seL4_X86_LargePageObject: return seL4_LargePageBits;
    case seL4_X86_PageTableObject: return seL4_PageTableBits;
    case seL4_X86_PageDirectoryObject: return seL4_PageDirBits;
    default: return -1;
  }
}

/** Objects that may be created from device untyped memory (frames and untyped only). */
export function typeAllowedFromDevice(type: number): boolean {
  return type === seL4_UntypedObject || type === seL4_X86_4K || type === seL4_X86_LargePageObject;
}
