/**
 * PE/COFF constants used by the loader, with the names the Microsoft PE/COFF
 * specification gives them.
 */

export const DOS_MAGIC = 0x5a4d; // "MZ"
export const PE_SIGNATURE = 0x00004550; // "PE\0\0"
export const DOS_HEADER_SIZE = 0x40;
export const COFF_HEADER_SIZE = 20;
export const SECTION_HEADER_SIZE = 40;
/** Standard + Windows-specific PE32 optional header fields, before the data directories. */
export const PE32_OPTIONAL_FIXED_SIZE = 96;

export const OPTIONAL_MAGIC_PE32 = 0x10b;
export const OPTIONAL_MAGIC_PE32_PLUS = 0x20b;
export const OPTIONAL_MAGIC_ROM = 0x107;

export const MACHINE_I386 = 0x14c;
/** Machine names for refusal messages. */
export const MACHINE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0, 'UNKNOWN'],
  [0x14c, 'I386'],
  [0x166, 'R4000'],
  [0x1c0, 'ARM'],
  [0x1c4, 'ARMNT'],
  [0x200, 'IA64'],
  [0x8664, 'AMD64'],
  [0xaa64, 'ARM64'],
  [0xebc, 'EBC'],
  [0x5032, 'RISCV32'],
  [0x5064, 'RISCV64'],
]);

/** COFF file header Characteristics. */
export const FILE_RELOCS_STRIPPED = 0x0001;
export const FILE_EXECUTABLE_IMAGE = 0x0002;
export const FILE_32BIT_MACHINE = 0x0100;
export const FILE_DLL = 0x2000;

/** Optional header DllCharacteristics. */
export const DLLCHAR_DYNAMIC_BASE = 0x0040;
export const DLLCHAR_FORCE_INTEGRITY = 0x0080;
export const DLLCHAR_NX_COMPAT = 0x0100;
export const DLLCHAR_NO_SEH = 0x0400;

export const SUBSYSTEM_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'unknown'],
  [1, 'native'],
  [2, 'windows-gui'],
  [3, 'windows-cui'],
  [5, 'os2-cui'],
  [7, 'posix-cui'],
  [8, 'native-windows'],
  [9, 'windows-ce-gui'],
  [10, 'efi-application'],
  [11, 'efi-boot-service-driver'],
  [12, 'efi-runtime-driver'],
  [13, 'efi-rom'],
  [14, 'xbox'],
  [16, 'windows-boot-application'],
]);

/** Data directory indices. */
export const DIR_EXPORT = 0;
export const DIR_IMPORT = 1;
export const DIR_RESOURCE = 2;
export const DIR_EXCEPTION = 3;
/** The one directory whose "RVA" is a file offset. */
export const DIR_SECURITY = 4;
export const DIR_BASERELOC = 5;
export const DIR_DEBUG = 6;
export const DIR_TLS = 9;
export const DIR_LOAD_CONFIG = 10;
export const DIR_BOUND_IMPORT = 11;
export const DIR_IAT = 12;
export const DIR_DELAY_IMPORT = 13;
export const DIR_CLR = 14;
export const MAX_DATA_DIRECTORIES = 16;
export const DIRECTORY_NAMES = [
  'export', 'import', 'resource', 'exception', 'security', 'base relocation', 'debug', 'architecture',
  'global pointer', 'TLS', 'load config', 'bound import', 'IAT', 'delay import', 'CLR runtime header', 'reserved',
] as const;

/** Section Characteristics. */
export const SCN_CNT_CODE = 0x00000020;
export const SCN_CNT_INITIALIZED_DATA = 0x00000040;
export const SCN_CNT_UNINITIALIZED_DATA = 0x00000080;
export const SCN_MEM_DISCARDABLE = 0x02000000;
export const SCN_MEM_SHARED = 0x10000000;
export const SCN_MEM_EXECUTE = 0x20000000;
export const SCN_MEM_READ = 0x40000000;
export const SCN_MEM_WRITE = 0x80000000;

/** Base relocation types (high 4 bits of each entry). */
export const REL_BASED_ABSOLUTE = 0;
export const REL_BASED_HIGH = 1;
export const REL_BASED_LOW = 2;
export const REL_BASED_HIGHLOW = 3;
export const REL_BASED_HIGHADJ = 4;
export const REL_BASED_NAMES: readonly string[] = [
  'ABSOLUTE', 'HIGH', 'LOW', 'HIGHLOW', 'HIGHADJ', 'MIPS_JMPADDR/ARM_MOV32', 'RESERVED(6)', 'THUMB_MOV32',
  'RISCV_LOW12S', 'MIPS_JMPADDR16', 'DIR64', 'type 11', 'type 12', 'type 13', 'type 14', 'type 15',
];

/** Import lookup table entry: ordinal flag for PE32. */
export const IMPORT_ORDINAL_FLAG32 = 0x80000000;

/** The page size the engine maps with; protections are computed per page. */
export const PAGE_SIZE = 0x1000;
/** Largest image the loader will map (the default guest RAM is 256 MiB). */
export const MAX_IMAGE_SIZE = 0x10000000;
/** Windows refuses more sections than this; so do we. */
export const MAX_SECTIONS = 96;
