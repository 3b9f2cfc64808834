/**
 * `lm`-style module listing lines, for the CLI and debugger views:
 *   00400000 00405000  hello.exe   exe  entry 00401000  /bin/hello.exe
 *   10000000 10006000  util.dll    dll  (relocated from 10000000)
 */
import type { LoadedModule } from './loader.js';

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

export function formatModuleList(modules: readonly LoadedModule[]): string[] {
  const width = Math.max(8, ...modules.map((m) => m.name.length));
  return [...modules]
    .sort((a, b) => a.base - b.base)
    .map((m) => {
      const notes = [m.entry !== 0 ? `entry ${hex8(m.entry)}` : 'no entry'];
      if (m.relocated) notes.push(`relocated from ${hex8(m.image.imageBase)}`);
      return `${hex8(m.base)} ${hex8(m.base + m.size)}  ${m.name.padEnd(width)}  ${m.isDll ? 'dll' : 'exe'}  ${notes.join(', ')}  ${m.path}`;
    });
}
