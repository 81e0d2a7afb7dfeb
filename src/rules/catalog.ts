import { PROPERTY_TYPES, type PropertyType } from '../model/entities.js';
import type { Queryable } from '../sql/queryable.js';
import type { RuleParameters } from './transform/fold-parameters.js';
import { RULE_KINDS, type RuleKind } from './vocabulary/attributes.js';
import { SCORES, type ScoreRegistry } from './vocabulary/scores.js';

import { SEGMENT_METHODS, type SegmentMethod } from '../model/segment-vocabulary.js';

export { SEGMENT_METHODS, type SegmentMethod };

/** What rules need to know of a segment they refer to. */
export interface SegmentRuleInfo {
  readonly id: string;
  readonly kind: RuleKind;
  readonly method: SegmentMethod;
  /** The rule as JSON, or null (manual segment without a rule, or custom SQL). */
  readonly rule: unknown;
  /** Custom SQL (SPEC §3), which a rule cannot inline. */
  readonly sql: string | null;
  readonly parameters: RuleParameters;
}

/**
 * Everything outside the rule that checking and compiling it depends on: the additional
 * properties defined for partners and products, the segments, and the score names.
 */
export interface RuleCatalog {
  readonly properties: Readonly<Record<RuleKind, ReadonlyMap<string, PropertyType>>>;
  readonly segments: ReadonlyMap<string, SegmentRuleInfo>;
  readonly scores: ScoreRegistry;
}

export interface RuleCatalogParts {
  readonly properties?: Partial<Record<RuleKind, Readonly<Record<string, PropertyType>>>>;
  readonly segments?: readonly SegmentRuleInfo[];
  readonly scores?: ScoreRegistry;
}

/** A catalog from plain data (tests, previews). */
export function createRuleCatalog(parts: RuleCatalogParts = {}): RuleCatalog {
  return {
    properties: {
      partner: new Map(Object.entries(parts.properties?.partner ?? {})),
      product: new Map(Object.entries(parts.properties?.product ?? {})),
    },
    segments: new Map((parts.segments ?? []).map((s) => [s.id, s])),
    scores: parts.scores ?? SCORES,
  };
}

/** The entity name of a kind in `property_definitions`. */
export const PROPERTY_ENTITY: Readonly<Record<RuleKind, string>> = { partner: 'partners', product: 'products' };

function parseJson(text: unknown, fallback: unknown): unknown {
  if (typeof text !== 'string' || text === '') return fallback;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

/** Reads the catalog from the database: property definitions and every segment (archived ones too: rules may still use them). */
export async function loadRuleCatalog(db: Queryable, scores: ScoreRegistry = SCORES): Promise<RuleCatalog> {
  const definitions = await db.query<{ entity: string; name: string; type: string }>('SELECT entity, name, type FROM property_definitions ORDER BY entity, name');
  const properties: Record<RuleKind, Record<string, PropertyType>> = { partner: {}, product: {} };
  for (const row of definitions) {
    const kind = RULE_KINDS.find((k) => PROPERTY_ENTITY[k] === row.entity || k === row.entity);
    if (kind && (PROPERTY_TYPES as readonly string[]).includes(row.type)) properties[kind][row.name] = row.type as PropertyType;
  }
  const rows = await db.query<{ id: string; kind: string; method: string; rule: string | null; sql: string | null; parameters: string | null }>(
    'SELECT id, kind, method, rule, sql, parameters FROM segments ORDER BY id',
  );
  const segments: SegmentRuleInfo[] = [];
  for (const row of rows) {
    if (!(RULE_KINDS as readonly string[]).includes(row.kind) || !(SEGMENT_METHODS as readonly string[]).includes(row.method)) continue;
    const parameters = parseJson(row.parameters, {});
    segments.push({
      id: row.id,
      kind: row.kind as RuleKind,
      method: row.method as SegmentMethod,
      rule: parseJson(row.rule, null),
      sql: row.sql,
      parameters: typeof parameters === 'object' && parameters !== null && !Array.isArray(parameters) ? (parameters as RuleParameters) : {},
    });
  }
  return createRuleCatalog({ properties, segments, scores });
}
