/** The FAT library: format, mount, and a path API over any BlockDevice. */
export { FatVolume, splitPath, type FatStat, type FatTimes, type MountOptions, type OpenOptions } from './volume.js';
export { FatFile, MAX_FILE_SIZE } from './file.js';
export { formatVolume, planFormat, defaultFatType, type FormatOptions, type FormatPlan } from './format.js';
export { parseBootSector, fatTypeForClusterCount, type FatLayout, type FatType } from './bpb.js';
export { FatError } from './error.js';
export { ATTR } from './dirent.js';
export { chooseShortName, lfnChecksum, basisName, exactShortName, validateLongName } from './names.js';
export { decodeOem, type OemCodePage } from './codepage.js';
