import type { RuleNode } from '../ast/rule-node.js';
import { visitRule, type RuleVisitor } from '../ast/rule-visitor.js';
import type { RuleCatalog } from '../catalog.js';
import { pathIndex, pathKey } from '../issues/rule-issue.js';
import { parseRule } from '../parse/parse-rule.js';
import { foldParameters } from '../transform/fold-parameters.js';

/** A place where a rule refers to a segment: `inSegment`, or `where.productSegment`. */
export interface SegmentReference {
  readonly segment: string;
  readonly path: string;
  readonly via: 'inSegment' | 'productSegment';
}

const collector: RuleVisitor<SegmentReference[], string> = {
  all: (node, path) => node.rules.flatMap((r, i) => visitRule(r, collector, pathIndex(pathKey(path, 'all'), i))),
  any: (node, path) => node.rules.flatMap((r, i) => visitRule(r, collector, pathIndex(pathKey(path, 'any'), i))),
  not: (node, path) => visitRule(node.rule, collector, pathKey(path, 'not')),
  attr: () => [],
  score: () => [],
  inSegment: (node, path) => [{ segment: node.segment, path: pathKey(path, 'inSegment'), via: 'inSegment' }],
  measure: (node, path) =>
    node.where
      .filter((w) => w.key === 'productSegment')
      .flatMap((w) => {
        const wherePath = pathKey(pathKey(path, 'where'), w.key);
        const items = w.value.kind === 'list' ? w.value.items.map((item, i) => ({ item, path: pathIndex(wherePath, i) })) : [{ item: w.value, path: wherePath }];
        return items.flatMap(({ item, path: itemPath }) =>
          item.kind === 'literal' && typeof item.value === 'string' ? [{ segment: item.value, path: itemPath, via: 'productSegment' as const }] : [],
        );
      }),
};

/** Every segment a (parameter-folded) rule refers to, with the path of each reference. */
export const segmentReferences = (rule: RuleNode): SegmentReference[] => visitRule(rule, collector, '$');

/** The segments a stored segment's rule refers to; a rule that no longer parses refers to none. */
function storedReferences(catalog: RuleCatalog, id: string, memo: Map<string, string[]>): string[] {
  const cached = memo.get(id);
  if (cached) return cached;
  const info = catalog.segments.get(id);
  let refs: string[] = [];
  if (info && info.rule !== null) {
    const parsed = parseRule(info.rule);
    const folded = parsed.ok ? foldParameters(parsed.rule, info.parameters) : undefined;
    if (folded?.ok) refs = [...new Set(segmentReferences(folded.rule).map((r) => r.segment))];
  }
  memo.set(id, refs);
  return refs;
}

/**
 * A cycle through `self` that the reference would close (A uses B uses A), as the list of
 * segment ids from self back to self; undefined when there is none.
 */
export function findCycle(self: string, reference: string, catalog: RuleCatalog, memo = new Map<string, string[]>()): string[] | undefined {
  const seen = new Set<string>();
  const walk = (id: string, trail: string[]): string[] | undefined => {
    if (id === self) return [...trail, id];
    if (seen.has(id)) return undefined;
    seen.add(id);
    for (const next of storedReferences(catalog, id, memo)) {
      const cycle = walk(next, [...trail, id]);
      if (cycle) return cycle;
    }
    return undefined;
  };
  return walk(reference, [self]);
}
