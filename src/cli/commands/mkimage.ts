/**
 * `neptune mkimage`: a disk image (MBR or GPT, one FAT partition at 1 MiB)
 * built from a host directory, e.g. the system disk `neptune boot` uses.
 * The work is done by src/lib/disk-image.ts; this file is only the command line.
 */
import { stat } from 'node:fs/promises';
import { CliError, EXIT_ENGINE_FAILED, EXIT_NOT_FOUND, EXIT_USAGE, parseOptions, type CliCommand } from '../command.js';
import { parseSize } from '../../machine/ram.js';
import { buildDiskImage, DiskImageError } from '../../lib/disk-image.js';
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import type { FatType } from '../../lib/fat/bpb.js';

const usage = `usage: neptune mkimage [--fat 12|16|32] [--size SIZE] [--gpt] [--label NAME] --from DIR OUT.img

Builds a raw disk image holding one FAT partition (aligned to 1 MiB) with the
contents of DIR.

  --from DIR     host directory to copy into the image (required)
  --fat N        FAT type: 12, 16 or 32 (default: chosen from the size)
  --size SIZE    whole-disk size, e.g. 64M, 1G (default: the tree plus headroom;
                 at least 33 MiB of partition for FAT32)
  --gpt          GPT partition table instead of MBR
  --label NAME   volume label, up to 11 characters

SOURCE_DATE_EPOCH, when set, fixes every timestamp, serial number and GUID,
so the same tree gives a bit-identical image.`;

export const mkimage: CliCommand = {
  name: 'mkimage',
  summary: 'build a FAT disk image (MBR or GPT) from a host directory',
  usage,
  async run(args, ctx) {
    const { opts, rest } = parseOptions(args, { flags: ['gpt'], values: ['fat', 'size', 'label', 'from'] });
    if (rest.length !== 1) throw new CliError(rest.length === 0 ? 'missing OUT.img' : `unexpected arguments: ${rest.slice(1).join(' ')}`, EXIT_USAGE);
    const out = rest[0]!;
    const from = opts.get('from');
    if (typeof from !== 'string') throw new CliError('missing --from DIR', EXIT_USAGE);

    let fatType: FatType | undefined;
    const fat = opts.get('fat');
    if (fat !== undefined) {
      if (fat !== '12' && fat !== '16' && fat !== '32') throw new CliError(`--fat must be 12, 16 or 32, not ${String(fat)}`, EXIT_USAGE);
      fatType = Number(fat) as FatType;
    }
    let sizeBytes: number | undefined;
    const size = opts.get('size');
    if (size !== undefined) {
      try {
        sizeBytes = parseSize(String(size));
      } catch (e) {
        throw new CliError(`--size: ${(e as Error).message}`, EXIT_USAGE);
      }
    }
    const label = opts.get('label');
    const epochText = process.env.SOURCE_DATE_EPOCH;
    const epoch = epochText && /^\d+$/.test(epochText) ? Number(epochText) : undefined;

    const st = await stat(from).catch(() => null);
    if (!st) throw new CliError(`${from}: no such directory`, EXIT_NOT_FOUND);
    if (!st.isDirectory()) throw new CliError(`${from}: not a directory`, EXIT_NOT_FOUND);

    try {
      const r = await buildDiskImage({
        fromDir: from, outPath: out, fatType, sizeBytes, gpt: opts.get('gpt') === true,
        label: typeof label === 'string' ? label : undefined, epoch,
      });
      ctx.stdout.write(
        `${out}: ${r.sizeBytes / 1048576} MiB, ${r.scheme.toUpperCase()}, FAT${r.fatType} partition at LBA ${r.partitionStartLba} ` +
        `(${r.partitionSectors} sectors, ${r.clusterSize}-byte clusters), ${r.files} files, ${r.directories} directories, ${r.dataBytes} bytes\n`,
      );
      return 0;
    } catch (e) {
      // A size or type that cannot hold the tree is the caller's to fix: a usage error.
      const userFixable = e instanceof DiskImageError && (e.status === NTSTATUS.STATUS_INVALID_PARAMETER || e.status === NTSTATUS.STATUS_DISK_FULL);
      if (e instanceof NtStatusError) throw new CliError(e.message.replace(/ \[STATUS_\w+\]$/, ''), userFixable ? EXIT_USAGE : EXIT_ENGINE_FAILED);
      if (e instanceof Error && 'code' in e && typeof e.code === 'string') throw new CliError(e.message);
      throw e;
    }
  },
};
