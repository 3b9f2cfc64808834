/** What the parts of a mounted volume share: the device, its layout, the FAT and a clock. */
import type { BlockDevice } from '../blockdev.js';
import type { FatLayout } from './bpb.js';
import type { FatTable } from './table.js';
import type { OemCodePage } from './codepage.js';

export interface VolumeContext {
  readonly dev: BlockDevice;
  readonly layout: FatLayout;
  readonly fat: FatTable;
  /** Time source for timestamps; injectable so images can be reproducible. */
  readonly now: () => Date;
  /** Code page short names are decoded with (437 or 850). */
  readonly codePage: OemCodePage;
}
