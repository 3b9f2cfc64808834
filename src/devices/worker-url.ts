/**
 * Where a device worker's script is. From the per-file build (dist/src/...)
 * the entry sits next to its module; from a bundle (dist/bundle/*.mjs) it is
 * the sibling bundle that scripts/build.mjs names after the entry's path under
 * src/ (src/devices/nvme/nvme-device.entry.ts → devices-nvme-nvme-device.entry.mjs).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `rel` is the entry's path under src/ without extension, e.g. "devices/nvme/nvme-device.entry". */
export function deviceWorkerUrl(here: string, rel: string): URL {
  const bundled = new URL(`${rel.replace(/\//g, '-')}.mjs`, here);
  if (here.endsWith('.mjs') && existsSync(fileURLToPath(bundled))) return bundled;
  const base = rel.split('/').pop()!;
  const sibling = new URL(`./${base}.js`, here);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  // Fall back to the bundle directory of the build.
  return new URL(`../../../bundle/${rel.replace(/\//g, '-')}.mjs`, here);
}
