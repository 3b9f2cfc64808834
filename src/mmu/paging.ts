/**
 * i386 two-level paging structures (Intel SDM vol. 3, 4.3), as they sit in
 * guest physical RAM: a 4 KiB page directory of 1024 PDEs, each pointing to
 * a 4 KiB page table of 1024 PTEs (or, with PS set and 4 MiB pages, mapping
 * 4 MiB directly).
 */
export const PTE_P = 1 << 0; // present
export const PTE_RW = 1 << 1; // writable
export const PTE_US = 1 << 2; // user
export const PTE_PWT = 1 << 3;
export const PTE_PCD = 1 << 4;
export const PTE_A = 1 << 5; // accessed
export const PTE_D = 1 << 6; // dirty (PTE; PDE with PS)
export const PDE_PS = 1 << 7; // 4 MiB page (PDE)
export const PTE_G = 1 << 8; // global
/** Bits 9..11 are free for software; we use one to mark pages that are not RAM (MMIO). */
export const PTE_SW_MMIO = 1 << 9;

export const PTE_FRAME = 0xfffff000 | 0;
