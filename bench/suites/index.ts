/** Every benchmark suite `npm run bench` knows, in the order it runs them. */
import type { BenchSuite } from '../lib/results.js';

export const suites: BenchSuite[] = [];
