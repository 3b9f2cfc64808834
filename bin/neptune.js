#!/usr/bin/env node
// The `neptune` command: the bundled CLI (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
const url = new URL('../dist/bundle/cli-main.mjs', import.meta.url);
if (!existsSync(url)) {
  console.error('neptune: the engine is not built; run `npm install` (or `npm run build`) in the package directory');
  process.exit(125);
}
await import(url.href);
