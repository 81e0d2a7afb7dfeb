import type { RuleNode } from '../../rules/ast/rule-node.js';
import type { RuleCatalog } from '../../rules/catalog.js';
import { MEASURES } from '../../rules/vocabulary/measures.js';
import { PROPERTY_PREFIX } from '../../rules/vocabulary/attributes.js';
import type { NamedRule } from '../../sql/compile/rule-set.js';
import { referencedSegmentIds } from './definition-checks.js';

/**
 * What a set of checked partner rules reads of one partner (issue 20): which facts, properties,
 * hierarchies and stored compositions. A one-partner check reads only these, by key; a rule
 * reading a dynamic segment (whose rule is evaluated inline, over anything) reads everything.
 */
export interface PartnerReads {
  /** Read everything (a dynamic segment is read). */
  readonly everything: boolean;
  readonly facts: ReadonlySet<'sales' | 'interactions' | 'settlements' | 'deals'>;
  /** Partner properties by name. */
  readonly properties: ReadonlySet<string>;
  readonly scores: boolean;
  /** The products the partner bought (a `where` on product group or product segment). */
  readonly products: boolean;
  /** Hierarchies whose nodes' ancestors are read: the partner's group and region, its products' groups. */
  readonly trees: ReadonlySet<'partnerGroups' | 'regions' | 'productGroups'>;
  /** Stored (not dynamic) segments whose compositions are read. */
  readonly segments: readonly string[];
}

const cache = new WeakMap<readonly NamedRule[], PartnerReads>();

/** What these rules read; kept per rules array (a compiled check reuses it). */
export function partnerReads(rules: readonly NamedRule[], catalog: RuleCatalog): PartnerReads {
  const known = cache.get(rules);
  if (known) return known;
  const facts = new Set<'sales' | 'interactions' | 'settlements' | 'deals'>();
  const properties = new Set<string>();
  const trees = new Set<'partnerGroups' | 'regions' | 'productGroups'>();
  let scores = false;
  let products = false;
  const read = segmentsRead(
    catalog,
    rules.map((r) => r.id),
  );
  let everything = [...read].some((id) => catalog.segments.get(id)?.method === 'dynamic');
  const walk = (node: RuleNode): void => {
    switch (node.kind) {
      case 'all':
      case 'any':
        return node.rules.forEach(walk);
      case 'not':
        return walk(node.rule);
      case 'attr':
        if (node.attr.startsWith(PROPERTY_PREFIX)) properties.add(node.attr.slice(PROPERTY_PREFIX.length));
        else if (node.attr === 'group') trees.add('partnerGroups');
        else if (node.attr === 'region') trees.add('regions');
        return;
      case 'score':
        scores = true;
        return;
      case 'inSegment':
        return;
      case 'measure': {
        const source = MEASURES[node.measure].source;
        if (source !== 'partner') facts.add(source);
        for (const w of node.where) {
          if (w.key === 'productGroup') {
            products = true;
            trees.add('productGroups');
          } else if (w.key === 'productSegment') products = true;
        }
        return;
      }
    }
  };
  try {
    for (const { rule } of rules) walk(rule);
  } catch {
    // An unfolded parameter or a node this does not know: read everything.
    everything = true;
  }
  const reads: PartnerReads = {
    everything,
    facts,
    properties,
    scores,
    products,
    trees,
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
