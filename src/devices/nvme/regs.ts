/**
 * NVMe controller registers, opcodes and status codes, named as in the NVM
 * Express Base Specification 1.4 (§3.1 controller registers, §5 admin
 * commands, §6 NVM command set, §4.6 status field).
 */

// Controller registers (byte offsets in BAR0).
export const NVME_REG_CAP = 0x00; // Controller Capabilities (64-bit)
export const NVME_REG_VS = 0x08; // Version
export const NVME_REG_INTMS = 0x0c; // Interrupt Mask Set
export const NVME_REG_INTMC = 0x10; // Interrupt Mask Clear
export const NVME_REG_CC = 0x14; // Controller Configuration
export const NVME_REG_CSTS = 0x1c; // Controller Status
export const NVME_REG_NSSR = 0x20; // NVM Subsystem Reset (not supported: CAP.NSSRS = 0)
export const NVME_REG_AQA = 0x24; // Admin Queue Attributes
export const NVME_REG_ASQ = 0x28; // Admin Submission Queue Base Address (64-bit)
export const NVME_REG_ACQ = 0x30; // Admin Completion Queue Base Address (64-bit)
export const NVME_REG_DBS = 0x1000; // first doorbell (SQ0TDBL)

export const NVME_VS_1_4 = 0x00010400;

// CAP fields (low dword bits 0..31, high dword bits 32..63).
export const CAP_MQES_MASK = 0xffff; // Maximum Queue Entries Supported, 0-based
export const CAP_CQR = 1 << 16; // Contiguous Queues Required
export const CAP_TO_SHIFT = 24; // Timeout, 500 ms units
// High dword (bit n here is CAP bit 32+n).
export const CAP_HI_DSTRD_SHIFT = 0; // Doorbell Stride (bits 35:32)
export const CAP_HI_NSSRS = 1 << 4; // NVM Subsystem Reset Supported (bit 36)
export const CAP_HI_CSS_NVM = 1 << 5; // Command Sets Supported: NVM (bit 37)
export const CAP_HI_MPSMIN_SHIFT = 16; // bits 51:48
export const CAP_HI_MPSMAX_SHIFT = 20; // bits 55:52

// CC fields.
export const CC_EN = 1 << 0;
export const CC_CSS_SHIFT = 4;
export const CC_MPS_SHIFT = 7;
export const CC_AMS_SHIFT = 11;
export const CC_SHN_SHIFT = 14;
export const CC_IOSQES_SHIFT = 16;
export const CC_IOCQES_SHIFT = 20;
/** Bits of CC software may write. */
export const CC_WRITABLE = 0x00fffff1;

// CSTS fields.
export const CSTS_RDY = 1 << 0;
export const CSTS_CFS = 1 << 1;
export const CSTS_SHST_SHIFT = 2;
export const CSTS_SHST_MASK = 3 << 2;
export const SHST_NORMAL = 0;
export const SHST_OCCURRING = 1;
export const SHST_COMPLETE = 2;

// AQA fields.
export const AQA_ASQS_MASK = 0xfff;
export const AQA_ACQS_SHIFT = 16;

// Admin command opcodes.
export const ADM_DELETE_IO_SQ = 0x00;
export const ADM_CREATE_IO_SQ = 0x01;
export const ADM_GET_LOG_PAGE = 0x02;
export const ADM_DELETE_IO_CQ = 0x04;
export const ADM_CREATE_IO_CQ = 0x05;
export const ADM_IDENTIFY = 0x06;
export const ADM_ABORT = 0x08;
export const ADM_SET_FEATURES = 0x09;
export const ADM_GET_FEATURES = 0x0a;
export const ADM_ASYNC_EVENT_REQUEST = 0x0c;

// NVM command set opcodes.
export const NVM_FLUSH = 0x00;
export const NVM_WRITE = 0x01;
export const NVM_READ = 0x02;
export const NVM_WRITE_ZEROES = 0x08;
export const NVM_DATASET_MANAGEMENT = 0x09;

// Identify CNS values.
export const CNS_NAMESPACE = 0x00;
export const CNS_CONTROLLER = 0x01;
export const CNS_ACTIVE_NS_LIST = 0x02;

// Feature identifiers.
export const FID_ARBITRATION = 0x01;
export const FID_POWER_MANAGEMENT = 0x02;
export const FID_TEMPERATURE_THRESHOLD = 0x04;
export const FID_VOLATILE_WRITE_CACHE = 0x06;
export const FID_NUMBER_OF_QUEUES = 0x07;
export const FID_INTERRUPT_COALESCING = 0x08;

// Status: (Status Code Type << 8) | Status Code. 0 = success.
export const SCT_GENERIC = 0x0;
export const SCT_COMMAND_SPECIFIC = 0x1;
export const SC_SUCCESS = 0x00;
export const SC_INVALID_OPCODE = 0x01;
export const SC_INVALID_FIELD = 0x02;
export const SC_DATA_TRANSFER_ERROR = 0x04;
export const SC_INTERNAL_ERROR = 0x06;
export const SC_INVALID_NAMESPACE = 0x0b;
export const SC_COMMAND_SEQUENCE_ERROR = 0x0c;
export const SC_PRP_OFFSET_INVALID = 0x13;
export const SC_LBA_OUT_OF_RANGE = 0x80;
// Command specific (SCT 1).
export const SC_CQ_INVALID = 0x100;
export const SC_INVALID_QUEUE_ID = 0x101;
export const SC_INVALID_QUEUE_SIZE = 0x102;
export const SC_AER_LIMIT_EXCEEDED = 0x105;
export const SC_INVALID_INTERRUPT_VECTOR = 0x108;
export const SC_INVALID_LOG_PAGE = 0x109;
export const SC_INVALID_QUEUE_DELETION = 0x10c;
export const SC_FEATURE_NOT_SAVEABLE = 0x10d;
/** Do Not Retry bit of the status field (bit 31 of CQE DW3, bit 14 of the 15-bit field). */
export const STATUS_DNR = 1 << 14;

export const SQE_SIZE = 64;
export const CQE_SIZE = 16;
