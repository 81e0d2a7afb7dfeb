import { XMLParser } from 'fast-xml-parser';
import type { ODataClient } from './odata-client.js';

/** What Segmenta reads of a 1C base's `$metadata` (CSDL): its entity sets and their properties. */
export interface ODataMetadata {
  /** Entity set name → its property names. */
  readonly entitySets: ReadonlyMap<string, ReadonlySet<string>>;
  /** Function imports (virtual tables: Balance, Turnovers…) by name. */
  readonly functions: ReadonlySet<string>;
}

interface Named {
  readonly Name?: string;
}
interface EntityTypeXml extends Named {
  readonly Property?: Named[];
}
interface SchemaXml {
  readonly Namespace?: string;
  readonly EntityType?: EntityTypeXml[];
  readonly EntityContainer?: { readonly EntitySet?: (Named & { readonly EntityType?: string })[]; readonly FunctionImport?: Named[] }[];
}

const ARRAYS = new Set(['Schema', 'EntityType', 'Property', 'EntitySet', 'FunctionImport', 'EntityContainer', 'NavigationProperty', 'ComplexType']);

/** Parses CSDL XML (1C's is ~15 MB for UT 11.5: parsed once and cached, see `metadataOf`). */
export function parseMetadata(xml: string): ODataMetadata {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, isArray: (name) => ARRAYS.has(name), processEntities: false });
  const doc = parser.parse(xml) as { Edmx?: { DataServices?: { Schema?: SchemaXml[] } } };
  const schemas = doc.Edmx?.DataServices?.Schema ?? [];
  const types = new Map<string, Set<string>>();
  for (const schema of schemas) {
    for (const type of schema.EntityType ?? []) {
      if (!type.Name) continue;
      const properties = new Set((type.Property ?? []).map((p) => p.Name ?? '').filter(Boolean));
      types.set(type.Name, properties);
      if (schema.Namespace) types.set(`${schema.Namespace}.${type.Name}`, properties);
    }
  }
  const entitySets = new Map<string, ReadonlySet<string>>();
  const functions = new Set<string>();
  for (const schema of schemas) {
    for (const container of schema.EntityContainer ?? []) {
      for (const set of container.EntitySet ?? []) if (set.Name) entitySets.set(set.Name, types.get(set.EntityType ?? '') ?? types.get(set.Name) ?? new Set());
      for (const fn of container.FunctionImport ?? []) if (fn.Name) functions.add(fn.Name);
    }
  }
  return { entitySets, functions };
}

const CACHE_MS = 60 * 60_000;
const cache = new Map<string, { readonly at: number; readonly metadata: ODataMetadata }>();

/** The base's metadata, read at most once an hour per base and user (it is large and rarely changes). */
export async function metadataOf(client: ODataClient, user: string, fresh = false): Promise<ODataMetadata> {
  const key = `${client.base}\u0000${user}`;
  const hit = cache.get(key);
  if (hit && !fresh && Date.now() - hit.at < CACHE_MS) return hit.metadata;
  const metadata = parseMetadata(await client.metadata());
  cache.set(key, { at: Date.now(), metadata });
  return metadata;
}
