import type { RuleNode } from './ast/rule-node.js';
import { visitRule, type RuleVisitor } from './ast/rule-visitor.js';
import { MEASURES } from './vocabulary/measures.js';
import { PROPERTY_PREFIX } from './vocabulary/attributes.js';

/** A fact table a partner rule reads the partner's rows of. */
export type PartnerFact = 'sales' | 'interactions' | 'settlements' | 'deals';

/** A hierarchy a partner rule reads the ancestors of a node in. */
export type RuleTree = 'partnerGroups' | 'regions' | 'productGroups';

/**
 * One thing a partner rule reads, tagged by `input`:
 *
 * - `partner`: the partner's own row (a field, its registration date);
 * - `property`: one of its additional properties, by name;
 * - `fact`: its rows of a fact table;
 * - `tree`: a hierarchy, from the partner's group or region or its products' groups;
 * - `products`: the products its sales name (their group, or their membership of a product segment);
 * - `score`: one of its scores;
 * - `segment`: another partner segment (`inSegment`), its stored composition or its rule;
 * - `productSegment`: a product segment's composition, through `where.productSegment`.
 */
export type RuleInput =
  | { readonly input: 'partner' }
  | { readonly input: 'property'; readonly name: string }
  | { readonly input: 'fact'; readonly fact: PartnerFact }
  | { readonly input: 'tree'; readonly tree: RuleTree }
  | { readonly input: 'products' }
  | { readonly input: 'score'; readonly score: string }
  | { readonly input: 'segment'; readonly segment: string }
  | { readonly input: 'productSegment' };

export type RuleInputKind = RuleInput['input'];

/** The trees a partner field points into. */
const FIELD_TREES: Readonly<Record<string, RuleTree>> = { group: 'partnerGroups', region: 'regions' };

const PARTNER: RuleInput = { input: 'partner' };
const PRODUCTS: RuleInput = { input: 'products' };

const visitor: RuleVisitor<RuleInput[]> = {
  all: (node) => node.rules.flatMap((r) => visitRule(r, visitor, undefined)),
  any: (node) => node.rules.flatMap((r) => visitRule(r, visitor, undefined)),
  not: (node) => visitRule(node.rule, visitor, undefined),
  attr: (node) => {
    if (node.attr.startsWith(PROPERTY_PREFIX)) return [{ input: 'property', name: node.attr.slice(PROPERTY_PREFIX.length) }];
    const tree = FIELD_TREES[node.attr];
    return tree ? [PARTNER, { input: 'tree', tree }] : [PARTNER];
  },
  score: (node) => [{ input: 'score', score: node.score }],
  inSegment: (node) => [{ input: 'segment', segment: node.segment }],
  measure: (node) => {
    const source = MEASURES[node.measure].source;
    const inputs: RuleInput[] = [source === 'partner' ? PARTNER : { input: 'fact', fact: source }];
    for (const w of node.where) {
      // A product and a manager are columns of the sale itself; a group and a segment are the product's.
      if (w.key === 'productGroup') inputs.push(PRODUCTS, { input: 'tree', tree: 'productGroups' });
      else if (w.key === 'productSegment') inputs.push(PRODUCTS, { input: 'productSegment' });
    }
    return inputs;
  },
};

/**
 * What a checked partner rule reads, condition by condition (repeats left in). Which kinds of
 * change an incremental refresh follows for it (rule-reads.ts) and which rows a one-partner
 * check reads by key (src/domain/segments/partner-reads.ts) are both read off this list.
 *
 * @example
 * ruleInputs(parse({ all: [{ attr: 'region', op: 'eq', value: 'perm' }, { measure: 'sales.revenue', where: { productGroup: 'tea' }, op: 'gt', value: 0 }] }))
 * // → [{ input: 'partner' }, { input: 'tree', tree: 'regions' }, { input: 'fact', fact: 'sales' }, { input: 'products' }, { input: 'tree', tree: 'productGroups' }]
 */
export function ruleInputs(rule: RuleNode): RuleInput[] {
  return visitRule(rule, visitor, undefined);
}
