/** Every benchmark suite `npm run bench` knows, in the order it runs them. */
import type { BenchSuite } from '../lib/results.js';
import { cpuSuite } from './cpu.js';
import { storageSuite } from './storage.js';
import { ipcSuite } from './ipc.js';
import { jitSuite } from './jit.js';
import { mmSuite } from './mm.js';
import { syscallSuite } from './syscall.js';

export const suites: BenchSuite[] = [cpuSuite, storageSuite, ipcSuite, jitSuite, syscallSuite, mmSuite];
