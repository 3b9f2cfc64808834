/**
 * What an import asks for: a name (with the exporter's name-table hint) or
 * an ordinal. Shared by imports, exports and the forwarder resolver.
 */

export type ImportSymbol =
  | { readonly kind: 'name'; readonly name: string; readonly hint: number }
  | { readonly kind: 'ordinal'; readonly ordinal: number };

export function byName(name: string, hint = 0): ImportSymbol {
  return { kind: 'name', name, hint };
}

export function byOrdinal(ordinal: number): ImportSymbol {
  return { kind: 'ordinal', ordinal };
}

/** "RtlAllocateHeap" or "#12", as messages and forwarder strings write them. */
export function describeSymbol(symbol: ImportSymbol): string {
  return symbol.kind === 'name' ? symbol.name : `#${symbol.ordinal}`;
}
