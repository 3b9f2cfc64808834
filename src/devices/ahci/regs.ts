/**
 * AHCI 1.3.1 register map and bit names (Serial ATA AHCI specification §3),
 * FIS layouts (SATA 3.x §10.5) and the ATA commands this HBA's device model
 * executes (ATA8-ACS).
 */

// Generic Host Control (§3.1).
export const HBA_CAP = 0x00;
export const HBA_GHC = 0x04;
export const HBA_IS = 0x08;
export const HBA_PI = 0x0c;
export const HBA_VS = 0x10;
export const HBA_CCC_CTL = 0x14;
export const HBA_CCC_PORTS = 0x18;
export const HBA_EM_LOC = 0x1c;
export const HBA_EM_CTL = 0x20;
export const HBA_CAP2 = 0x24;
export const HBA_BOHC = 0x28;
export const AHCI_VS_1_3 = 0x00010300;

export const CAP_NP_MASK = 0x1f;
export const CAP_NCS_SHIFT = 8;
export const CAP_ISS_SHIFT = 20;
export const CAP_SCLO = 1 << 24;
export const CAP_SAM = 1 << 18;
export const CAP_SNCQ = 1 << 30;
export const CAP_S64A = 1 << 31;

export const GHC_HR = 1 << 0;
export const GHC_IE = 1 << 1;
export const GHC_MRSM = 1 << 2;
export const GHC_AE = 1 << 31;

// Port registers (§3.3), at 0x100 + port * 0x80.
export const PORT_BASE = 0x100;
export const PORT_SIZE = 0x80;
export const PxCLB = 0x00;
export const PxCLBU = 0x04;
export const PxFB = 0x08;
export const PxFBU = 0x0c;
export const PxIS = 0x10;
export const PxIE = 0x14;
export const PxCMD = 0x18;
export const PxTFD = 0x20;
export const PxSIG = 0x24;
export const PxSSTS = 0x28;
export const PxSCTL = 0x2c;
export const PxSERR = 0x30;
export const PxSACT = 0x34;
export const PxCI = 0x38;
export const PxSNTF = 0x3c;
export const PxFBS = 0x40;

// PxIS / PxIE bits.
export const PxIS_DHRS = 1 << 0; // Device to Host Register FIS
export const PxIS_PSS = 1 << 1; // PIO Setup FIS
export const PxIS_DSS = 1 << 2; // DMA Setup FIS
export const PxIS_SDBS = 1 << 3; // Set Device Bits
export const PxIS_UFS = 1 << 4; // Unknown FIS
export const PxIS_DPS = 1 << 5; // Descriptor Processed
export const PxIS_PCS = 1 << 6; // Port Connect Change
export const PxIS_OFS = 1 << 24; // Overflow
export const PxIS_INFS = 1 << 26; // Interface Non-fatal Error
export const PxIS_IFS = 1 << 27; // Interface Fatal Error
export const PxIS_HBDS = 1 << 28; // Host Bus Data Error
export const PxIS_HBFS = 1 << 29; // Host Bus Fatal Error
export const PxIS_TFES = 1 << 30; // Task File Error
export const PxIS_CPDS = 1 << 31; // Cold Port Detect
export const PxIS_VALID = 0xfdc000ff; // bits 0-7, 22-24, 26-31
/** Errors that stop the port's command processing until software restarts it (PxCMD.ST 1→0→1). */
export const PxIS_FATAL = PxIS_TFES | PxIS_HBFS | PxIS_HBDS | PxIS_IFS | PxIS_OFS;

// PxCMD bits.
export const PxCMD_ST = 1 << 0;
export const PxCMD_SUD = 1 << 1;
export const PxCMD_POD = 1 << 2;
export const PxCMD_CLO = 1 << 3;
export const PxCMD_FRE = 1 << 4;
export const PxCMD_CCS_SHIFT = 8;
export const PxCMD_FR = 1 << 14;
export const PxCMD_CR = 1 << 15;
export const PxCMD_ICC_SHIFT = 28;
/** Bits software writes (the rest are read-only status or unimplemented options). */
export const PxCMD_WRITABLE = PxCMD_ST | PxCMD_SUD | PxCMD_POD | PxCMD_CLO | PxCMD_FRE | (0xf << PxCMD_ICC_SHIFT);

// ATA status / error.
export const ATA_STS_ERR = 1 << 0;
export const ATA_STS_DRQ = 1 << 3;
export const ATA_STS_DSC = 1 << 4;
export const ATA_STS_DF = 1 << 5;
export const ATA_STS_DRDY = 1 << 6;
export const ATA_STS_BSY = 1 << 7;
export const ATA_ERR_ABRT = 1 << 2;
export const ATA_ERR_IDNF = 1 << 4;

/** Device signature of an ATA disk (PxSIG). */
export const SIG_ATA = 0x00000101;
/** PxSSTS: DET = 3 (device present, PHY up), SPD = 3 (Gen3), IPM = 1 (active). */
export const SSTS_ACTIVE_GEN3 = 0x133;

// FIS types.
export const FIS_TYPE_REG_H2D = 0x27;
export const FIS_TYPE_REG_D2H = 0x34;
export const FIS_TYPE_PIO_SETUP = 0x5f;
export const FIS_TYPE_SDB = 0xa1; // Set Device Bits (device to host): NCQ completions
// Received FIS area offsets (§4.2.1).
export const RFIS_DSFIS = 0x00;
export const RFIS_PSFIS = 0x20;
export const RFIS_RFIS = 0x40;
export const RFIS_SDBFIS = 0x58;

// Command table (§4.2.3).
export const CT_CFIS = 0x00;
export const CT_ACMD = 0x40;
export const CT_PRDT = 0x80;
export const CMD_HEADER_SIZE = 32;
export const PRD_SIZE = 16;
export const PRD_DBC_MASK = 0x3fffff;
export const PRD_I = 1 << 31;

// ATA commands.
export const ATA_READ_DMA = 0xc8;
export const ATA_WRITE_DMA = 0xca;
export const ATA_READ_DMA_EXT = 0x25;
export const ATA_WRITE_DMA_EXT = 0x35;
export const ATA_IDENTIFY_DEVICE = 0xec;
export const ATA_FLUSH_CACHE = 0xe7;
export const ATA_FLUSH_CACHE_EXT = 0xea;
export const ATA_SET_FEATURES = 0xef;
export const ATA_CHECK_POWER_MODE = 0xe5;
// Native Command Queuing (ATA8-ACS §7.22/§7.57, SATA §13.6): tag in COUNT 7:3, sector count in FEATURES.
export const ATA_READ_FPDMA_QUEUED = 0x60;
export const ATA_WRITE_FPDMA_QUEUED = 0x61;
export const ATA_READ_LOG_EXT = 0x2f;
/** General Purpose Log 10h: NCQ Command Error (which tag failed, with its status and error). */
export const ATA_LOG_NCQ_ERROR = 0x10;
/** FPDMA DEVICE register bit 7: Forced Unit Access. */
export const ATA_DEV_FUA = 0x80;
