/**
 * This model's PCI personality: an AHCI HBA (class 01h, subclass 06h,
 * prog-if 01h = AHCI 1.0), registers behind BAR5 (ABAR, 32-bit memory,
 * 8 KiB: generic host control plus up to 32 ports), MSI capability with up
 * to 8 messages (one per port when enabled), and INTA#.
 */
export const AHCI_VENDOR_ID = 0x4e54; // 'NT': a private-use ID for this emulator
export const AHCI_DEVICE_ID = 0x0002;
export const AHCI_ABAR_INDEX = 5;
export const AHCI_ABAR_SIZE = 8192;
export const AHCI_MSI_LOG2_VECTORS = 3;
export const AHCI_SLOTS = 32;
/**
 * NCQ completions the disk reports per Set Device Bits FIS at most (it also
 * posts one whenever its queue runs dry): the driver can refill those slots
 * while the rest of the queue runs, as NVMe interrupt coalescing allows.
 */
export const NCQ_SDB_BATCH = 8;
