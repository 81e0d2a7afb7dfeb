import type { RuleCatalog } from '../../rules/catalog.js';
import { ruleInputs, type PartnerFact, type RuleInput, type RuleInputKind, type RuleTree } from '../../rules/rule-inputs.js';
import type { NamedRule } from '../../sql/compile/rule-set.js';
import { referencedSegmentIds } from './definition-checks.js';

/**
 * What a set of checked partner rules reads of one partner (issue 20): which facts, properties,
 * hierarchies and stored compositions — read off the rules' inputs (src/rules/rule-inputs.ts),
 * the segments from the catalog (segmentsRead). A one-partner check reads only these, by key; a
 * rule reading a dynamic segment (whose rule is evaluated inline, over anything) reads everything.
 */
export interface PartnerReads {
  /** Read everything (a dynamic segment is read). */
  readonly everything: boolean;
  /** The fields of the partner's row they read (its id aside). */
  readonly partnerFields: ReadonlySet<string>;
  readonly facts: ReadonlySet<PartnerFact>;
  /** The fields of each fact's rows they read (the partner aside). */
  readonly factFields: ReadonlyMap<PartnerFact, ReadonlySet<string>>;
  /** Partner properties by name. */
  readonly properties: ReadonlySet<string>;
  readonly scores: boolean;
  /** The products the partner bought (a `where` on product group or product segment). */
  readonly products: boolean;
  /** Hierarchies whose nodes' ancestors are read: the partner's group and region, its products' groups. */
  readonly trees: ReadonlySet<RuleTree>;
  /** Stored (not dynamic) segments whose compositions are read. */
  readonly segments: readonly string[];
}

const cache = new WeakMap<readonly NamedRule[], PartnerReads>();

/** What these rules read; kept per rules array (a compiled check reuses it). */
export function partnerReads(rules: readonly NamedRule[], catalog: RuleCatalog): PartnerReads {
  const known = cache.get(rules);
  if (known) return known;
  const read = segmentsRead(
    catalog,
    rules.map((r) => r.id),
  );
  let inputs: RuleInput[] = [];
  let everything = [...read].some((id) => catalog.segments.get(id)?.method === 'dynamic');
  try {
    inputs = rules.flatMap(({ rule }) => ruleInputs(rule));
  } catch {
    // A node this does not know (a rule that was not checked): read everything.
    everything = true;
  }
  const of = <K extends RuleInputKind>(kind: K) => inputs.filter((i): i is Extract<RuleInput, { input: K }> => i.input === kind);
  const factFields = new Map<PartnerFact, Set<string>>();
  for (const { fact, fields } of of('fact')) {
    const known = factFields.get(fact) ?? new Set<string>();
    for (const field of fields) known.add(field);
    factFields.set(fact, known);
  }
  const reads: PartnerReads = {
    everything,
    partnerFields: new Set(of('partner').map((i) => i.field)),
    facts: new Set(factFields.keys()),
    factFields,
    properties: new Set(of('property').map((i) => i.name)),
    scores: of('score').length > 0,
    products: of('products').length > 0,
    trees: new Set(of('tree').map((i) => i.tree)),
    segments: [...read].filter((id) => catalog.segments.get(id)?.method !== 'dynamic'),
  };
  cache.set(rules, reads);
  return reads;
}

/** The segments these segments' rules read, through dynamic segments too (whose rules are inlined). */
export function segmentsRead(catalog: RuleCatalog, ids: Iterable<string>): Set<string> {
  const found = new Set<string>();
  const visit = (id: string): void => {
    const info = catalog.segments.get(id);
    if (!info || info.rule === null || info.rule === undefined) return;
    for (const other of referencedSegmentIds({ rule: info.rule, parameters: info.parameters })) {
      if (found.has(other)) continue;
      found.add(other);
      if (catalog.segments.get(other)?.method === 'dynamic') visit(other);
    }
  };
  for (const id of ids) visit(id);
  return found;
}
