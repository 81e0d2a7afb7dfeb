import type { RuleNode } from './ast/rule-node.js';
import { visitRule, type RuleVisitor } from './ast/rule-visitor.js';
import { MEASURES, type MeasureName, type WhereKey } from './vocabulary/measures.js';
import { PROPERTY_PREFIX } from './vocabulary/attributes.js';

/** A fact table a partner rule reads the partner's rows of. */
export type PartnerFact = 'sales' | 'interactions' | 'settlements' | 'deals';

/** A hierarchy a partner rule reads the ancestors of a node in. */
export type RuleTree = 'partnerGroups' | 'regions' | 'productGroups';

/**
 * One thing a partner rule reads, tagged by `input`:
 *
 * - `partner`: a field of the partner's own row (an attribute, its registration date);
 * - `property`: one of its additional properties, by name;
 * - `fact`: its rows of a fact table, and the fields of them the measure reads;
 * - `tree`: a hierarchy, from the partner's group or region or its products' groups;
 * - `products`: the products its sales name (their group, or their membership of a product segment);
 * - `score`: one of its scores;
 * - `segment`: another partner segment (`inSegment`), its stored composition or its rule;
 * - `productSegment`: a product segment's composition, through `where.productSegment`.
 */
export type RuleInput =
  | { readonly input: 'partner'; readonly field: string }
  | { readonly input: 'property'; readonly name: string }
  | { readonly input: 'fact'; readonly fact: PartnerFact; readonly fields: readonly string[] }
  | { readonly input: 'tree'; readonly tree: RuleTree }
  | { readonly input: 'products' }
  | { readonly input: 'score'; readonly score: string }
  | { readonly input: 'segment'; readonly segment: string }
  | { readonly input: 'productSegment' };

export type RuleInputKind = RuleInput['input'];

/** The trees a partner field points into. */
const FIELD_TREES: Readonly<Record<string, RuleTree>> = { group: 'partnerGroups', region: 'regions' };

const PRODUCTS: RuleInput = { input: 'products' };

/**
 * The fields of its rows (src/model/entities.ts) each measure reads, its `where` aside: what
 * the reference evaluator (src/rules/reference/evaluate.ts) reads when it computes the measure
 * — for every sales measure a line's date, quantity, revenue and document — and so what a
 * one-partner check must read of them. The compiled SQL reads no others.
 */
const MEASURE_FIELDS = {
  'sales.revenue': ['date', 'quantity', 'revenue', 'document'],
  'sales.quantity': ['date', 'quantity', 'revenue', 'document'],
  'sales.cost': ['date', 'quantity', 'revenue', 'document', 'cost'],
  'sales.grossProfit': ['date', 'quantity', 'revenue', 'document', 'cost'],
  'sales.documents': ['date', 'quantity', 'revenue', 'document'],
  'sales.averageCheck': ['date', 'quantity', 'revenue', 'document'],
  'sales.daysSinceLast': ['date', 'quantity', 'revenue', 'document'],
  'sales.daysSinceFirst': ['date', 'quantity', 'revenue', 'document'],
  'interactions.count': ['date'],
  'interactions.daysSinceLast': ['date'],
  'interactions.averageScore': ['date', 'score'],
  'settlements.receivable': ['date', 'amount'],
  'settlements.payable': ['date', 'amount'],
  'settlements.overdueReceivable': ['date', 'amount', 'dueDate'],
  'settlements.maxDaysOverdue': ['date', 'amount', 'dueDate'],
  'deals.count': ['createdAt'],
  'deals.wonAmount': ['createdAt', 'outcome', 'amount'],
  'deals.lostCount': ['createdAt', 'outcome'],
  'registration.days': ['registeredAt'],
} as const satisfies Record<MeasureName, readonly string[]>;

/** The field of a fact row a `where` key compares: a product's group and segments are read through the line's product. */
const WHERE_FIELDS: Readonly<Record<WhereKey, string>> = {
  product: 'product',
  productGroup: 'product',
  productSegment: 'product',
  manager: 'manager',
  type: 'type',
  direction: 'direction',
  outcome: 'outcome',
};

const visitor: RuleVisitor<RuleInput[]> = {
  all: (node) => node.rules.flatMap((r) => visitRule(r, visitor, undefined)),
  any: (node) => node.rules.flatMap((r) => visitRule(r, visitor, undefined)),
  not: (node) => visitRule(node.rule, visitor, undefined),
  attr: (node) => {
    if (node.attr.startsWith(PROPERTY_PREFIX)) return [{ input: 'property', name: node.attr.slice(PROPERTY_PREFIX.length) }];
    const partner: RuleInput = { input: 'partner', field: node.attr };
    const tree = FIELD_TREES[node.attr];
    return tree ? [partner, { input: 'tree', tree }] : [partner];
  },
  score: (node) => [{ input: 'score', score: node.score }],
  inSegment: (node) => [{ input: 'segment', segment: node.segment }],
  measure: (node) => {
    const source = MEASURES[node.measure].source;
    const fields = [...MEASURE_FIELDS[node.measure], ...node.where.map((w) => WHERE_FIELDS[w.key])];
    const inputs: RuleInput[] = source === 'partner' ? fields.map((field) => ({ input: 'partner', field })) : [{ input: 'fact', fact: source, fields }];
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
 * // → [{ input: 'partner', field: 'region' }, { input: 'tree', tree: 'regions' },
 * //    { input: 'fact', fact: 'sales', fields: ['date', 'quantity', 'revenue', 'document', 'product'] }, { input: 'products' }, { input: 'tree', tree: 'productGroups' }]
 */
export function ruleInputs(rule: RuleNode): RuleInput[] {
  return visitRule(rule, visitor, undefined);
}
