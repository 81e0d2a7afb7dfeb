/**
 * Random worlds for the differential tests: partners with nulls and edge dates (Feb 29
 * birthdays, anniversaries around the evaluation date), hierarchies, products, sales with
 * returns, partners without facts, interactions with and without scores, settlements with
 * due dates, deals, typed properties, stored and dynamic segments, scores; ids and texts
 * with quotes, semicolons, LIKE wildcards and Cyrillic.
 */
import fc from 'fast-check';
import { addDays } from '../../src/rules/calendar.js';
import type { SegmentRuleInfo } from '../../src/rules/catalog.js';
import type { DealRecord, InteractionRecord, PartnerRecord, ProductRecord, PropertyValue, SaleRecord, SettlementRecord, TreeRecord, World } from '../../src/rules/reference/world.js';
import { ScoreRegistry, RFM_SCORES } from '../../src/rules/vocabulary/scores.js';

/** Every partner id a world may hold; rules draw ids from the same pool. */
export const PARTNER_IDS = [...Array.from({ length: 22 }, (_, i) => `p${String(i).padStart(2, '0')}`), "p'q", 'p;x', 'P00'];
export const PRODUCT_IDS = ['g0', 'g1', 'g2', 'g3', 'g4', 'g5', "g'6", 'g7'];
export const REGION_IDS = ['ru', 'volga', 'perm', 'perm-d', 'msk', "msk'c"];
export const PARTNER_GROUP_IDS = ['all', 'retail', 'wholesale', 'vip', 'b2b'];
export const PRODUCT_GROUP_IDS = ['food', 'tea', 'green', 'coffee', 'tools', 'misc'];
export const MANAGERS = ['m1', 'm2', 'm3', 'M1'];
export const PARTNER_TYPES = ['t1', 't2', 'lead'];
export const INTERACTION_TYPES = ['call', 'meeting', 'email', 'survey', 'letter'];
export const DEAL_TYPES = ['new', 'repeat'];
export const TEXT_FRAGMENTS = ['Пермь', 'пермь', 'ПЕРМЬ', 'ООО', 'ИП', 'Alpha', 'alpha', 'Beta', '100%', 'a_b', "O'Neil", 'Ёлка', 'ёлка', 'x\\y', 'Зима;', ''];
export const BRANDS = ['Acme', 'acme', 'Бренд', 'бренд', '', 'Tea_Co', null];
export const SCORE_NAMES = ['rfm.r', 'rfm.f', 'rfm.m', 'test.value'];
export const PARTNER_PROPERTIES = { vip: 'boolean', size: 'number', since: 'date', tier: 'string', "odd'name; --": 'string' } as const;
export const PRODUCT_PROPERTIES = { weight: 'number', color: 'string' } as const;

/** Stored and dynamic segments every world has (members and dynamic rules vary). */
export const PARTNER_SEGMENTS = ['manual-a', 'periodic-b', "dyn'c", 'dyn-d'];
export const PRODUCT_SEGMENTS = ['prod-m', 'prod-d', 'prod-p'];

/** The score names the tests register: RFM and one with decimals. */
export const TEST_SCORES = new ScoreRegistry([...RFM_SCORES, { name: 'test.value', description: 'a decimal score for tests' }]);

export const AS_OF_EDGES = ['2023-02-27', '2025-02-28', '2024-02-28', '2024-02-29', '2023-02-28', '2023-03-01', '2024-12-31', '2025-01-01', '2024-03-31', '2025-06-30', '2024-12-25'];

export const dateArb = (from: string, days: number): fc.Arbitrary<string> => fc.integer({ min: 0, max: days }).map((d) => addDays(from, d));

export const asOfArb: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...AS_OF_EDGES), dateArb('2023-01-01', 1095));

export const moneyArb = (minCents: number, maxCents: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer({ min: minCents, max: maxCents }).map((c) => c / 100),
    fc.constantFrom(0, 10000, 10000.01, 9999.99),
  );

const pick = <T>(items: readonly T[]) => fc.nat().map((i) => items[i % items.length]!);

function treeArb(ids: readonly string[]): fc.Arbitrary<TreeRecord[]> {
  return fc
    .tuple(...ids.map((_, i) => (i === 0 ? fc.constant(null) : fc.option(fc.integer({ min: 0, max: i - 1 }), { freq: 3 }))))
    .map((parents) => ids.map((id, i) => ({ id, name: `Node ${id}`, parent: parents[i] === null || parents[i] === undefined ? null : ids[parents[i]]! })));
}

/** A birthday: often with the month and day just around asOf, sometimes Feb 29 / Feb 28 / year ends. */
function birthDateArb(asOf: string): fc.Arbitrary<string | null> {
  const near = fc.tuple(fc.integer({ min: -5, max: 40 }), fc.integer({ min: 1960, max: 2005 })).map(([offset, year]) => {
    const day = addDays(asOf, offset);
    const md = day.slice(5);
    // Feb 29 only exists in leap years: move such a birthday to 1988.
    return md === '02-29' ? `1988-${md}` : `${year}-${md}`;
  });
  const edges = fc.constantFrom('1984-02-29', '2000-02-29', '1990-02-28', '1992-03-01', '1980-12-31', '1985-01-01', '1977-12-30');
  return fc.option(fc.oneof({ weight: 3, arbitrary: near }, { weight: 2, arbitrary: edges }, { weight: 1, arbitrary: dateArb('1950-01-01', 20000) }), { freq: 5 });
}

const textArb = fc.array(fc.constantFrom(...TEXT_FRAGMENTS), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(' '));
const nullableText = (values: readonly (string | null)[]) => fc.constantFrom(...values);

function propertiesArb(asOf: string, definitions: Readonly<Record<string, string>>): fc.Arbitrary<Record<string, PropertyValue>> {
  const valueOf = (type: string): fc.Arbitrary<PropertyValue> => {
    switch (type) {
      case 'boolean':
        return fc.boolean();
      case 'number':
        return moneyArb(-50000, 500000);
      case 'date':
        return dateArb(addDays(asOf, -2000), 2100);
      default:
        return textArb;
    }
  };
  return fc.record(Object.fromEntries(Object.entries(definitions).map(([name, type]) => [name, fc.option(valueOf(type), { freq: 3 })])));
}

function partnerArb(id: string, asOf: string): fc.Arbitrary<PartnerRecord> {
  return fc.record({
    id: fc.constant(id),
    name: textArb,
    roles: fc.subarray(['customer', 'supplier', 'competitor', 'other']),
    legalForm: nullableText(['company', 'person', null]),
    group: nullableText([...PARTNER_GROUP_IDS, null]),
    region: nullableText([...REGION_IDS, null]),
    manager: nullableText([...MANAGERS, null]),
    type: nullableText([...PARTNER_TYPES, null]),
    birthDate: birthDateArb(asOf),
    registeredAt: fc.option(dateArb(addDays(asOf, -4000), 4100), { freq: 5 }),
    deleted: fc.constantFrom(true, false, false, null),
    noMailings: fc.constantFrom(true, false, null, null),
    email: nullableText(['a@b.ru', 'A@B.RU', 'perm@x.ru', '', null]),
    phone: nullableText(['+7 342 000', '8-800', '', null]),
    properties: propertiesArb(asOf, PARTNER_PROPERTIES),
  });
}

function productArb(id: string, asOf: string): fc.Arbitrary<ProductRecord> {
  return fc.record({
    id: fc.constant(id),
    name: textArb,
    group: nullableText([...PRODUCT_GROUP_IDS, null]),
    brand: fc.constantFrom(...BRANDS),
    unit: nullableText(['pcs', 'kg', null]),
    properties: propertiesArb(asOf, PRODUCT_PROPERTIES),
  });
}

export interface GeneratedWorld<R> {
  /** The world; its dynamic segments' rules are still templates (see resolve-picks.ts). */
  readonly world: World;
  readonly asOf: string;
  readonly rules: R;
}

export function worldArb<R>(rules: (asOf: string) => fc.Arbitrary<R>): fc.Arbitrary<GeneratedWorld<R>> {
  return asOfArb.chain((asOf) =>
    fc
      .record({
        partnerIds: fc.subarray(PARTNER_IDS, { minLength: 4 }),
        productIds: fc.subarray(PRODUCT_IDS, { minLength: 2 }),
      })
      .chain(({ partnerIds, productIds }) => {
        const date = (back: number, ahead: number) => dateArb(addDays(asOf, -back), back + ahead);
        // Most facts go to a few active partners, so that measures differ between partners.
        const partnerOf = fc.oneof({ weight: 3, arbitrary: pick(partnerIds.slice(0, Math.ceil(partnerIds.length / 3))) }, { weight: 1, arbitrary: pick(partnerIds) });
        const recent = (back: number, ahead: number) => fc.oneof({ weight: 3, arbitrary: date(120, ahead) }, { weight: 2, arbitrary: date(back, ahead) });
        const sale: fc.Arbitrary<SaleRecord> = fc
          .record({
            n: fc.nat(),
            document: fc.integer({ min: 0, max: 14 }).map((d) => `d${d}`),
            date: recent(900, 30),
            partner: partnerOf,
            product: pick(productIds),
            halfUnits: fc.integer({ min: -6, max: 16 }),
            priceCents: fc.integer({ min: 0, max: 50000 }),
            costCents: fc.option(fc.integer({ min: 0, max: 40000 }), { freq: 4 }),
            manager: nullableText([...MANAGERS, null]),
          })
          .map((s) => ({
            id: `s${s.n}`,
            document: s.document,
            date: s.date,
            partner: s.partner,
            product: s.product,
            quantity: s.halfUnits / 2,
            revenue: (s.halfUnits * s.priceCents) / 200,
            cost: s.costCents === null ? null : (s.halfUnits * s.costCents) / 200,
            manager: s.manager,
          }));
        const interaction: fc.Arbitrary<InteractionRecord> = fc
          .record({
            partner: partnerOf,
            date: recent(600, 20),
            type: fc.constantFrom(...INTERACTION_TYPES),
            direction: nullableText(['in', 'out', null]),
            score: fc.option(fc.integer({ min: 0, max: 10 }), { freq: 2 }),
          })
          .map((i) => ({ id: '', subject: null, result: null, ...i, score: i.type === 'survey' || i.type === 'call' ? i.score : null }));
        const settlement: fc.Arbitrary<SettlementRecord> = fc
          .record({
            partner: partnerOf,
            date: recent(500, 20),
            amount: fc.integer({ min: -300000, max: 500000 }).map((c) => c / 100),
            dueIn: fc.option(fc.integer({ min: -5, max: 90 }), { freq: 3 }),
          })
          .map((s) => ({ id: '', partner: s.partner, date: s.date, amount: s.amount, dueDate: s.dueIn === null ? null : addDays(s.date, s.dueIn) }));
        const deal: fc.Arbitrary<DealRecord> = fc.record({
          id: fc.constant(''),
          partner: partnerOf,
          type: nullableText([...DEAL_TYPES, null]),
          stage: fc.constant(null),
          amount: fc.option(moneyArb(0, 1000000), { freq: 4 }),
          createdAt: fc.option(recent(700, 20), { freq: 6 }),
          closedAt: fc.constant(null),
          outcome: nullableText(['open', 'won', 'lost', 'won', null]),
          lostReason: fc.constant(null),
        });
        return fc.record({
          partnerGroups: treeArb(PARTNER_GROUP_IDS),
          regions: treeArb(REGION_IDS),
          productGroups: treeArb(PRODUCT_GROUP_IDS),
          partners: fc.tuple(...partnerIds.map((id) => partnerArb(id, asOf))),
          products: fc.tuple(...productIds.map((id) => productArb(id, asOf))),
          sales: fc.array(sale, { minLength: 20, maxLength: 120 }),
          interactions: fc.array(interaction, { minLength: 10, maxLength: 60 }),
          settlements: fc.array(settlement, { minLength: 10, maxLength: 60 }),
          deals: fc.array(deal, { minLength: 8, maxLength: 40 }),
          scores: fc.array(fc.tuple(partnerOf, fc.constantFrom(...SCORE_NAMES), fc.oneof(fc.integer({ min: 1, max: 5 }), moneyArb(-1000, 1000))), {
            minLength: 5,
            maxLength: 40,
          }),
          members: fc.record({
            'manual-a': fc.subarray([...partnerIds, 'gone']),
            'periodic-b': fc.subarray(partnerIds),
            'prod-m': fc.subarray(productIds),
          }),
          rules: rules(asOf),
        });
      })
      .map((w): GeneratedWorld<R> => {
        const number = <T extends { id: string }>(rows: readonly T[], prefix: string): T[] => rows.map((r, i) => ({ ...r, id: `${prefix}${i}` }));
        const scores = new Map<string, { partnerId: string; score: string; value: number }>();
        for (const [partnerId, score, value] of w.scores) scores.set(`${partnerId}/${score}`, { partnerId, score, value });
        const segment = (id: string, kind: 'partner' | 'product', method: SegmentRuleInfo['method'], rule: unknown): SegmentRuleInfo => ({
          id,
          kind,
          method,
          rule,
          sql: null,
          parameters: {},
        });
        const world: World = {
          partnerGroups: w.partnerGroups,
          regions: w.regions,
          productGroups: w.productGroups,
          partners: w.partners,
          products: w.products,
          sales: number(w.sales, 's'),
          interactions: number(w.interactions, 'i'),
          settlements: number(w.settlements, 'st'),
          deals: number(w.deals, 'dl'),
          propertyDefinitions: [
            ...Object.entries(PARTNER_PROPERTIES).map(([name, type]) => ({ entity: 'partners' as const, name, type })),
            ...Object.entries(PRODUCT_PROPERTIES).map(([name, type]) => ({ entity: 'products' as const, name, type })),
          ],
          segments: [
            segment('manual-a', 'partner', 'manual', null),
            segment('periodic-b', 'partner', 'periodic', { attr: 'deleted', op: 'eq', value: false }),
            segment("dyn'c", 'partner', 'dynamic', { all: [] }),
            segment('dyn-d', 'partner', 'dynamic', { all: [{ inSegment: "dyn'c" }, { not: { inSegment: 'manual-a' } }] }),
            segment('prod-m', 'product', 'manual', null),
            segment('prod-d', 'product', 'dynamic', { all: [] }),
            segment('prod-p', 'product', 'dynamic', { all: [] }),
          ],
          segmentMembers: Object.entries(w.members).flatMap(([segmentId, ids]) => ids.map((memberId) => ({ segmentId, memberId }))),
          partnerScores: [...scores.values()],
        };
        return { world, asOf, rules: w.rules };
      }),
  );
}
