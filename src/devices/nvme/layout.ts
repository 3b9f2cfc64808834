/**
 * This model's PCI personality and BAR0 layout: a single-function NVMe
 * controller (class 01h, subclass 08h, prog-if 02h = NVM Express), BAR0/1 a
 * 64-bit non-prefetchable 16 KiB memory BAR holding the controller registers
 * (0x0000), the doorbells (0x1000, stride 4), the MSI-X table (0x2000) and
 * the Pending Bit Array (0x3000).
 */
export const NVME_VENDOR_ID = 0x4e54; // 'NT': a private-use ID for this emulator
export const NVME_DEVICE_ID = 0x0001;
export const NVME_BAR0_SIZE = 16 * 1024;
/** Queue IDs 0..MAX_QUEUES-1 (admin + 63 I/O queue pairs). */
export const NVME_MAX_QUEUES = 64;
export const NVME_MSIX_VECTORS = 64;
export const NVME_MSIX_TABLE_OFFSET = 0x2000;
export const NVME_MSIX_PBA_OFFSET = 0x3000;
/** MSI: Multiple Message Capable = 2^3 = 8 vectors. */
export const NVME_MSI_LOG2_VECTORS = 3;
export const NVME_LBA_SHIFT = 9; // 512-byte logical blocks
/** MDTS: 2^8 minimum pages = 1 MiB per command. */
export const NVME_MDTS = 8;
