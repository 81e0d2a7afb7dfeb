/**
 * What a rule reads (src/rules/rule-inputs.ts), and the two answers read off it: the kinds of
 * change an incremental refresh follows (ruleReads) and the rows a one-partner check reads by
 * key (partnerReads). Case by case, then on the random rules of the differential suite: the two
 * answers agree, and the reference evaluator gives the same members over a world without what
 * each answer says the rule does not read. The seed is printed; SEGMENTA_PROPERTY_SEED replays a run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partnerReads, type PartnerReads } from '../../src/domain/segments/partner-reads.js';
import type { RuleNode } from '../../src/rules/ast/rule-node.js';
import { createRuleCatalog, type RuleCatalog, type SegmentRuleInfo } from '../../src/rules/catalog.js';
import { checkRule } from '../../src/rules/check-rule.js';
import { catalogOfWorld, ReferenceEvaluator } from '../../src/rules/reference/evaluate.js';
import type { World } from '../../src/rules/reference/world.js';
import { CHANGE_KINDS, ruleReads, type ChangeKind, type RuleReadsContext } from '../../src/rules/rule-reads.js';
import { finishWorld, instantiate } from '../support/resolve-picks.js';
import { conditionArb, ruleArb, ruleTemplateArb, worldRulesArb } from '../support/rule-arbitrary.js';
import { TEST_SCORES, worldArb } from '../support/world-arbitrary.js';

const SEED = Number(process.env.SEGMENTA_PROPERTY_SEED ?? 20261207);
const WORLDS = Number(process.env.SEGMENTA_PROPERTY_WORLDS ?? 25);
const RULES_PER_WORLD = 40;
const FACTS = ['sales', 'interactions', 'settlements', 'deals'] as const;
const TESTED = 'tested';

function checked(rule: unknown, catalog: RuleCatalog, parameters: Readonly<Record<string, unknown>> = {}): RuleNode {
  const result = checkRule(rule, { kind: 'partner', catalog, parameters });
  if (!result.ok) throw new Error(`invalid rule ${JSON.stringify(rule)}: ${JSON.stringify(result.issues)}`);
  return result.rule;
}

/** The catalog with the rule stored as the periodic segment `tested` (partnerReads finds the segments it reads there). */
function withTested(segments: readonly SegmentRuleInfo[], rule: unknown, parameters: Readonly<Record<string, unknown>> = {}): SegmentRuleInfo[] {
  return [...segments, { id: TESTED, kind: 'partner', method: 'periodic', rule, sql: null, parameters }];
}

/** Another segment's reads as an incremental pass over a world of fixed compositions sees them: a dynamic one's rule, a stored one's composition only. */
function throughSegments(catalog: RuleCatalog): RuleReadsContext {
  const ctx: RuleReadsContext = {
    segment: (id) => {
      const info = catalog.segments.get(id);
      return info?.method === 'dynamic' && info.kind === 'partner' ? ruleReads(checked(info.rule, catalog, info.parameters), ctx) : new Set();
    },
  };
  return ctx;
}

describe('what a rule reads, case by case', () => {
  const catalog = createRuleCatalog({
    properties: { partner: { tier: 'string' } },
    segments: [
      { id: 'called', kind: 'partner', method: 'periodic', rule: { measure: 'interactions.count', op: 'gte', value: 1 }, sql: null, parameters: {} },
      { id: 'dealt', kind: 'partner', method: 'dynamic', rule: { measure: 'deals.count', op: 'gte', value: 1 }, sql: null, parameters: {} },
      { id: 'teas', kind: 'product', method: 'manual', rule: null, sql: null, parameters: {} },
    ],
  });
  const cases: readonly { rule: unknown; kinds: readonly ChangeKind[]; reads: Partial<Record<keyof PartnerReads, unknown>> }[] = [
    { rule: { measure: 'sales.revenue', op: 'gt', value: 0 }, kinds: ['partners', 'sales'], reads: { facts: ['sales'], products: false, trees: [] } },
    { rule: { not: { measure: 'deals.wonAmount', op: 'gt', value: 0 } }, kinds: ['deals', 'partners'], reads: { facts: ['deals'] } },
    { rule: { measure: 'registration.days', op: 'lte', value: 30 }, kinds: ['partners'], reads: { facts: [], properties: [] } },
    { rule: { attr: 'properties.tier', op: 'eq', value: 'gold' }, kinds: ['partners'], reads: { properties: ['tier'], trees: [] } },
    { rule: { attr: 'region', op: 'inHierarchy', value: ['volga'] }, kinds: ['partners'], reads: { trees: ['regions'] } },
    { rule: { attr: 'group', op: 'eq', value: 'vip' }, kinds: ['partners'], reads: { trees: ['partnerGroups'] } },
    // The product's group: a hierarchy and the products, directories whose changes mark everyone.
    { rule: { measure: 'sales.quantity', where: { productGroup: 'tea' }, op: 'gt', value: 0 }, kinds: ['partners', 'sales'], reads: { facts: ['sales'], products: true, trees: ['productGroups'] } },
    { rule: { measure: 'sales.quantity', where: { product: 'g1', manager: 'm1' }, op: 'gt', value: 0 }, kinds: ['partners', 'sales'], reads: { products: false, trees: [] } },
    {
      rule: { measure: 'sales.revenue', where: { productSegment: 'teas' }, op: 'gt', value: 0 },
      kinds: ['memberships', 'partners', 'sales'],
      reads: { products: true, segments: ['teas'], everything: false },
    },
    {
      rule: { any: [{ measure: 'settlements.receivable', op: 'gt', value: 0 }, { inSegment: 'called' }] },
      kinds: ['interactions', 'memberships', 'partners', 'settlements'],
      reads: { facts: ['settlements'], segments: ['called'], everything: false },
    },
    // A dynamic segment's rule is evaluated inline: the one-partner check reads everything, the pass follows the rule's reads.
    { rule: { inSegment: 'dealt' }, kinds: ['deals', 'memberships', 'partners'], reads: { everything: true, segments: [] } },
    { rule: { score: 'rfm.r', op: 'gte', value: 4 }, kinds: CHANGE_KINDS, reads: { scores: true, facts: [] } },
  ];

  it.each(cases)('$rule', ({ rule, kinds, reads }) => {
    const mine = createRuleCatalog({ properties: { partner: { tier: 'string' } }, segments: withTested([...catalog.segments.values()], rule) });
    const node = checked(rule, mine);
    const ctx: RuleReadsContext = { segment: (id) => (id === 'called' ? new Set(['interactions']) : id === 'dealt' ? new Set(['deals']) : new Set()) };
    expect([...ruleReads(node, ctx)].sort()).toEqual([...kinds].sort());
    const found = partnerReads([{ id: TESTED, rule: node }], mine);
    for (const [key, expected] of Object.entries(reads)) {
      const actual = found[key as keyof PartnerReads];
      expect(typeof actual === 'object' ? [...actual].sort() : actual, key).toEqual(expected);
    }
  });
});

/** The world without what the rule does not read by the kinds of change it depends on. */
function withoutUnread(world: World, kinds: ReadonlySet<ChangeKind>): World {
  const every = CHANGE_KINDS.every((k) => kinds.has(k));
  return {
    ...world,
    sales: kinds.has('sales') ? world.sales : [],
    interactions: kinds.has('interactions') ? world.interactions : [],
    settlements: kinds.has('settlements') ? world.settlements : [],
    deals: kinds.has('deals') ? world.deals : [],
    segmentMembers: kinds.has('memberships') ? world.segmentMembers : [],
    // Scores are no kind of change: only a rule read as every kind may read them.
    partnerScores: every ? world.partnerScores : [],
  };
}

/**
 * A record with only the fields named (and those kept always): the others empty, as a
 * one-partner check leaves the columns it does not read (null, no roles).
 */
function onlyFields<T extends object>(record: T, fields: ReadonlySet<string>, kept: readonly string[]): T {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name, fields.has(name) || kept.includes(name) ? value : Array.isArray(value) ? [] : null])) as T;
}

/** The world as a one-partner check reads it: only the facts, fields, properties, trees, products, scores and compositions named. */
function asReadByKey(world: World, reads: PartnerReads): World {
  const facts = <F extends (typeof FACTS)[number]>(fact: F): World[F] =>
    (reads.facts.has(fact)
      ? world[fact].map((row) => onlyFields(row, reads.factFields.get(fact) ?? new Set(), ['partner', ...(fact === 'sales' && reads.products ? ['product'] : [])]))
      : []) as World[F];
  return {
    ...world,
    partners: world.partners.map((p) => ({
      ...onlyFields(p, reads.partnerFields, ['id']),
      properties: Object.fromEntries(Object.entries(p.properties).filter(([name]) => reads.properties.has(name))),
    })),
    products: reads.products ? world.products : [],
    partnerGroups: reads.trees.has('partnerGroups') ? world.partnerGroups : [],
    regions: reads.trees.has('regions') ? world.regions : [],
    productGroups: reads.trees.has('productGroups') ? world.productGroups : [],
    sales: facts('sales'),
    interactions: facts('interactions'),
    settlements: facts('settlements'),
    deals: facts('deals'),
    segmentMembers: world.segmentMembers.filter((m) => reads.segments.includes(m.segmentId)),
    partnerScores: reads.scores ? world.partnerScores : [],
  };
}

describe('what a rule reads, on random rules', () => {
  const scenarioArb = worldArb(worldRulesArb).chain((generated) =>
    fc
      .array(ruleTemplateArb('partner', generated.asOf, ruleArb('partner', generated.asOf, conditionArb('partner', generated.asOf))), { minLength: RULES_PER_WORLD, maxLength: RULES_PER_WORLD })
      .map((templates) => ({ ...generated, templates })),
  );

  it(`agree with each other and with the reference evaluator on ${WORLDS} worlds × ${RULES_PER_WORLD} rules`, () => {
    console.log(`[rule reads] seed ${SEED} (replay with SEGMENTA_PROPERTY_SEED=${SEED})`);
    const seen = { rules: 0, partial: 0, byKey: 0, memberships: 0 };
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const world = finishWorld(scenario);
        for (const template of scenario.templates) {
          const { rule, parameters } = instantiate(template, world, 'partner', scenario.asOf);
          const mine: World = { ...world, segments: withTested(world.segments, rule, parameters) };
          const catalog = catalogOfWorld(mine, TEST_SCORES);
          const node = checked(rule, catalog, parameters);
          const where = JSON.stringify({ rule, parameters });
          const expected = new ReferenceEvaluator(mine, scenario.asOf, TEST_SCORES).members(node, 'partner');

          // The two answers agree: the facts read are the fact kinds followed, and a rule reading compositions is followed by memberships.
          const kinds = ruleReads(node, { segment: () => new Set() });
          const reads = partnerReads([{ id: TESTED, rule: node }], catalog);
          expect(kinds.has('partners'), where).toBe(true);
          if (reads.scores) expect([...kinds].sort(), where).toEqual([...CHANGE_KINDS].sort());
          else {
            expect(
              FACTS.filter((f) => kinds.has(f)),
              where,
            ).toEqual(FACTS.filter((f) => reads.facts.has(f)));
            // Not the other way: `where.productSegment: []` is followed as memberships, though it names no composition.
            if (reads.everything || reads.segments.length > 0) expect(kinds.has('memberships'), where).toBe(true);
          }
          if (reads.products) expect(reads.facts.has('sales'), where).toBe(true);

          // Each answer is enough: the reference gives the same members without what it leaves out.
          const followed = ruleReads(node, throughSegments(catalog));
          expect(new ReferenceEvaluator(withoutUnread(mine, followed), scenario.asOf, TEST_SCORES).members(node, 'partner'), `kinds ${[...followed]} of ${where}`).toEqual(expected);
          if (!reads.everything) {
            expect(new ReferenceEvaluator(asReadByKey(mine, reads), scenario.asOf, TEST_SCORES).members(node, 'partner'), `reads by key of ${where}`).toEqual(expected);
            seen.byKey++;
          }
          seen.rules++;
          if (followed.size < CHANGE_KINDS.length) seen.partial++;
          if (kinds.has('memberships')) seen.memberships++;
        }
      }),
      { seed: SEED, numRuns: WORLDS, endOnFailure: process.env.SEGMENTA_PROPERTY_SHRINK !== '1' },
    );
    console.log(`[rule reads] ${seen.rules} rules: ${seen.partial} read less than every kind, ${seen.byKey} read by key, ${seen.memberships} read compositions`);
    // The property is not vacuous: most rules leave something out, and compositions are read.
    expect(seen.partial).toBeGreaterThan(seen.rules / 2);
    expect(seen.byKey).toBeGreaterThan(seen.rules / 2);
    expect(seen.memberships).toBeGreaterThan(0);
  }, 300_000);
});
