/**
 * Where a core worker's wall time goes (SmpOptions.profile): V8's sampling
 * profiler in the worker's own isolate (node:inspector), self time bucketed
 * by source file: the lock, the run loop (core.ts), the fastpaths, the rest
 * of the kernel, the guest's instructions (CPU, MMU, JIT and its generated
 * regions), the idle loop (core.entry.ts, the spin policy, the cross-core
 * ring poll) and the rest (GC, V8 internals, Atomics.wait shows as idle
 * time of the thread: "(idle)"/"(program)"). Used to find what a
 * cross-core round trip costs (docs/kernel.md); off by default.
 */
import { Session } from 'node:inspector';

export type ProfileBuckets = Record<string, number>;

interface ProfileNode { id: number; callFrame: { url: string; functionName: string } }

export class CoreProfiler {
  private readonly session = new Session();
  private readonly post = (method: string, params?: object): Promise<unknown> =>
    new Promise((res, rej) => this.session.post(method, params ?? {}, (err, r) => (err ? rej(err) : res(r))));

  async start(intervalUs = 50): Promise<void> {
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await this.post('Profiler.start');
  }

  /** Stops and returns the share (0..1) of samples per bucket. */
  async stop(): Promise<ProfileBuckets> {
    const { profile } = (await this.post('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[] } };
    this.session.disconnect();
    const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const out: ProfileBuckets = {};
    for (const id of profile.samples) {
      const f = nodes.get(id);
      const b = f === undefined ? 'other' : bucketOf(f.url, f.functionName);
      out[b] = (out[b] ?? 0) + 1;
    }
    const n = Math.max(1, profile.samples.length);
    for (const k of Object.keys(out)) out[k] = out[k]! / n;
    return out;
  }
}

function bucketOf(url: string, fn: string): string {
  if (url.includes('/kernel/lock.')) return 'lock';
  if (url.includes('/kernel/smp/') || url.includes('/spin-policy.') || url.includes('/ipc-fastpath/')) return 'idle-loop';
  if (url.includes('/kernel/core.')) return 'run-loop';
  if (url.includes('fastpath')) return 'fastpath';
  if (url.includes('/kernel/scheduler.')) return 'scheduler';
  if (url.includes('/kernel/abi.') || url.includes('/kernel/fpu.')) return 'regs+fpu';
  if (url.includes('/kernel/')) return 'kernel-other';
  if (url.includes('/cpu/') || url.includes('/mmu/') || url.includes('/jit/') || fn.startsWith('region_')) return 'guest';
  if (fn === '(idle)' || fn === '(program)') return fn;
  if (fn === '(garbage collector)') return 'gc';
  return 'other';
}
