/**
 * Resolving an imported symbol to an address, following export forwarders
 * from module to module, with a guard against forwarder cycles.
 *
 * The resolver does not know how modules are found or loaded: the caller
 * passes `findModule`, which may load a DLL on demand (forwarded-to DLLs are
 * loaded that way, as on Windows) and returns undefined when there is none.
 */
import { NTSTATUS, NtStatusError } from '../abi/ntstatus.js';
import { lookupExport } from './exports.js';
import type { ExportTable } from './exports.js';
import { describeSymbol } from './symbol.js';
import type { ImportSymbol } from './symbol.js';

/** What the resolver needs of a loaded module. */
export interface ExportingModule {
  readonly name: string;
  readonly base: number;
  readonly exports: ExportTable;
}

export type ModuleFinder = (dll: string) => ExportingModule | undefined;

/** Longest forwarder chain followed before giving up, cycle or not. */
const MAX_FORWARDER_CHAIN = 32;

export function dllNotFound(importer: string, dll: string, symbol?: ImportSymbol): NtStatusError {
  const what = symbol === undefined ? '' : ` (for ${describeSymbol(symbol)})`;
  return new NtStatusError(NTSTATUS.STATUS_DLL_NOT_FOUND, `${importer}: imports from ${dll}${what}, which was not found`);
}

export function symbolNotFound(importer: string, dll: string, symbol: ImportSymbol, via = ''): NtStatusError {
  return symbol.kind === 'name'
    ? new NtStatusError(NTSTATUS.STATUS_ENTRYPOINT_NOT_FOUND, `${importer}: ${dll} does not export "${symbol.name}"${via}`)
    : new NtStatusError(NTSTATUS.STATUS_ORDINAL_NOT_FOUND, `${importer}: ${dll} has no export with ordinal ${symbol.ordinal}${via}`);
}

/**
 * The absolute address of `dll!symbol` as seen by `importer`; throws
 * STATUS_DLL_NOT_FOUND / STATUS_ENTRYPOINT_NOT_FOUND / STATUS_ORDINAL_NOT_FOUND
 * naming the importer, DLL and symbol, or STATUS_INVALID_IMAGE_FORMAT for a
 * forwarder cycle (listing the chain).
 */
export function resolveSymbol(importer: string, dll: string, symbol: ImportSymbol, findModule: ModuleFinder): number {
  const chain: string[] = [];
  const seen = new Set<string>();
  let currentDll = dll;
  let current = symbol;
  for (;;) {
    const step = `${currentDll}!${describeSymbol(current)}`;
    const key = step.toLowerCase();
    chain.push(step);
    if (seen.has(key) || chain.length > MAX_FORWARDER_CHAIN) {
      throw new NtStatusError(
        NTSTATUS.STATUS_INVALID_IMAGE_FORMAT,
        `${importer}: export forwarder ${seen.has(key) ? 'cycle' : 'chain too long'} resolving ${chain[0]}: ${chain.join(' -> ')}`,
      );
    }
    seen.add(key);
    const via = chain.length > 1 ? ` (forwarded from ${chain[0]})` : '';
    const module = findModule(currentDll);
    if (module === undefined) {
      if (chain.length === 1) throw dllNotFound(importer, currentDll, current);
      throw new NtStatusError(NTSTATUS.STATUS_DLL_NOT_FOUND, `${importer}: ${chain[0]} is forwarded to ${step}, but ${currentDll} was not found`);
    }
    const target = lookupExport(module.exports, current);
    if (target === undefined) throw symbolNotFound(importer, module.name, current, via);
    if (target.kind === 'rva') return (module.base + target.rva) >>> 0;
    currentDll = target.dll;
    current = target.symbol;
  }
}
