/**
 * Memory management on the SMP machine: what an unmap costs when another
 * core runs a thread of the same address space (TLB shootdown,
 * src/kernel/shootdown.ts).
 *
 * A reader thread on core 1 sweeps a working set of WORKING_SET pages (one
 * load per page, then a count of sweeps), so its TLB holds every one of
 * them. The host's root task maps and unmaps a scratch page of that
 * address space once per millisecond (X86_Page_Map + X86_Page_Unmap under
 * the kernel lock; the unmap asks core 1 to drop the page and waits for
 * its answer). Phases with and without the unmaps alternate:
 *
 *   mm.shootdown.unmap.remote   ns per Page_Map + Page_Unmap as the host
 *                               timed it, the wait for core 1 included (a
 *                               core running guest code answers at its
 *                               slice's end at the latest)
 *   mm.shootdown.remote-loss    µs of the reader's time each unmap cost it:
 *                               (1 - sweep rate with / without) x phase
 *                               time / unmaps. Dropping only the page named
 *                               costs it next to nothing; flushing its whole
 *                               TLB costs a walk of every page it then
 *                               touches again.
 */
import { SmpMachine } from '../../src/kernel/smp/machine.js';
import { smpStack } from '../../src/kernel/guest/smp-guest.js';
import { RIGHT_READ, RIGHT_WRITE, invokePage_Map, invokePage_Unmap, seL4_X86_4K } from '../../src/kernel/index.js';
import { summarize, type BenchResult, type BenchSuite } from '../lib/results.js';

const WORKING_SET = 2048;
const BASE = 0x50000000;
const SCRATCH = 0x4ff00000;
const CODE = 0x600000;
const DATA = 0x601000; // [0]: sweeps done

const le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
// outer: mov esi, BASE; mov ecx, WORKING_SET
// inner: mov eax, [esi]; add esi, 4096; dec ecx; jnz inner
//        inc dword [DATA]; jmp outer
const READER = [
  0xbe, ...le(BASE), 0xb9, ...le(WORKING_SET),
  0x8b, 0x06, 0x81, 0xc6, ...le(4096), 0x49, 0x75, 0xf5,
  0xff, 0x05, ...le(DATA), 0xeb, 0xe3,
];

interface Phase { ms: number; sweeps: number; unmaps: number; unmapNs: number }

/** One phase of `ms` wall time: with unmaps every millisecond or without; the reader's sweeps meanwhile. */
function phase(m: SmpMachine, frame: number, ms: number, unmaps: boolean): Phase {
  const b = m.b;
  const s0 = m.kernel(() => b.readWord(DATA));
  const t0 = performance.now();
  let n = 0;
  let busy = 0;
  while (performance.now() - t0 < ms) {
    if (unmaps) {
      const u0 = performance.now();
      m.kernel(() => {
        if (invokePage_Map(m.k, frame, b.slot(b.pdSlot), SCRATCH, RIGHT_READ | RIGHT_WRITE) !== 0) throw new Error('Page_Map failed');
        if (invokePage_Unmap(m.k, frame) !== 0) throw new Error('Page_Unmap failed');
      });
      busy += performance.now() - u0;
      n++;
    }
    m.hostSleep(1);
  }
  const elapsed = performance.now() - t0;
  const sweeps = m.kernel(() => b.readWord(DATA)) - s0;
  return { ms: elapsed, sweeps, unmaps: n, unmapNs: n > 0 ? (busy * 1e6) / n : 0 };
}

async function shootdownCost(rounds: number, phaseMs: number): Promise<{ unmapNs: number[]; lossUs: number[] }> {
  const m = new SmpMachine({ cores: 2, tickMs: 2, ramBytes: 64 << 20 });
  const b = m.b;
  const frame = m.kernel(() => {
    b.mapPage(CODE);
    b.mapPage(DATA);
    b.mapRange(BASE, WORKING_SET * 4096);
    b.mapPage(SCRATCH + 4096); // the scratch page's page table
    return b.retype(seL4_X86_4K);
  });
  b.write(CODE, Uint8Array.from(READER));
  const reader = m.thread({ entry: CODE, esp: smpStack(m, 0x700000, 0), priority: 80, ipcBuffer: 0x720000, core: 1 });
  await m.boot();
  m.start(reader);
  const unmapNs: number[] = [];
  const lossUs: number[] = [];
  const slot = b.slot(frame);
  try {
    if (!(await m.until(() => b.readWord(DATA) >= 20, 20_000))) throw new Error('the reader did not run');
    phase(m, slot, phaseMs, true); // warm both sides up
    for (let r = 0; r < rounds; r++) {
      const quiet = phase(m, slot, phaseMs, false);
      const busy = phase(m, slot, phaseMs, true);
      const lost = 1 - (busy.sweeps / busy.ms) / (quiet.sweeps / quiet.ms);
      unmapNs.push(busy.unmapNs);
      lossUs.push((lost * busy.ms * 1000) / busy.unmaps);
    }
  } finally {
    const reports = await m.shutdown();
    const bad = reports.flatMap((r) => r.unhandled);
    if (bad.length > 0) throw new Error(`the reader faulted: ${JSON.stringify(bad[0])}`);
  }
  return { unmapNs, lossUs };
}

export const mmSuite: BenchSuite = {
  name: 'mm',
  summary: 'unmaps with another core in the address space (TLB shootdown)',
  async run({ quick }) {
    const { unmapNs, lossUs } = await shootdownCost(quick ? 3 : 8, quick ? 100 : 250);
    const u = summarize(unmapNs);
    const l = summarize(lossUs);
    const results: BenchResult[] = [
      { name: 'mm.shootdown.unmap.remote', value: u.median, unit: 'ns', samples: unmapNs.length, rme: u.rme, note: 'Page_Map + Page_Unmap by the host, core 1 answering' },
      { name: 'mm.shootdown.remote-loss', value: l.median, unit: 'µs', samples: lossUs.length, rme: l.rme, note: `reader time lost per unmap (${WORKING_SET}-page working set)` },
    ];
    return results;
  },
};
