/**
 * Periodic segments as a trading company keeps them, drawn from templates: turnover per
 * period and product group, 1C's cumulative-discount cells, purchase frequency, recency and
 * new clients, average check, gross profit, region and partner group, manager, contacts and
 * survey scores, overdue debts, deals won and lost, birthdays, and segments built on others
 * (inSegment). Thresholds and periods come from small pools, as real segments share them, so
 * the number of distinct measures grows slower than the number of segments.
 */
import type { SegmentInput } from '../domain/segments/segment.schema.js';
import type { Queryable } from '../sql/queryable.js';

/** The ids of the company a rule can name, read from its data (demo or synthetic). */
export interface Vocabulary {
  readonly topProductGroups: readonly string[];
  readonly districts: readonly string[];
  readonly regions: readonly string[];
  readonly partnerGroups: readonly string[];
  readonly managers: readonly string[];
}

/** Hierarchy nodes by depth, most used first. */
export async function readVocabulary(db: Queryable): Promise<Vocabulary> {
  const at = async (table: string, depth: number) =>
    (
      await db.query<{ id: string }>(
        `SELECT c.descendant_id AS id FROM ${table}_closure c JOIN ${table} t ON t.id = c.ancestor_id WHERE t.parent_id IS NULL AND c.depth = ${depth} ORDER BY c.descendant_id LIMIT 40`,
      )
    ).map((r) => r.id);
  const managers = (await db.query<{ id: string }>('SELECT manager_id AS id FROM partners WHERE manager_id IS NOT NULL GROUP BY manager_id ORDER BY COUNT(*) DESC, manager_id LIMIT 20')).map(
    (r) => r.id,
  );
  const topProductGroups = (await db.query<{ id: string }>('SELECT id FROM product_groups WHERE parent_id IS NULL ORDER BY id LIMIT 20')).map((r) => r.id);
  const partnerGroups = (await db.query<{ id: string }>('SELECT id FROM partner_groups ORDER BY id LIMIT 20')).map((r) => r.id);
  return { topProductGroups, districts: await at('regions', 1), regions: await at('regions', 2), partnerGroups, managers };
}

/** mulberry32, as the data generator. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rule = Record<string, unknown>;
const PERIODS: Rule[] = [{ last: { days: 30 } }, { last: { days: 90 } }, { last: { months: 12 } }, { current: 'quarter' }, { previous: 'quarter' }, { current: 'year' }];
const MONEY = [10_000, 50_000, 100_000, 250_000, 500_000, 1_000_000];

/**
 * `count` periodic partner segments (ids `<prefix>000`…), all checked on create. Segments
 * built on others refer only to earlier ones, so there is no cycle.
 */
export function realisticSegments(count: number, vocabulary: Vocabulary, seed = 1, prefix = 'seg-'): SegmentInput[] {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const maybe = (p: number) => rnd() < p;
  const group = () => ({ productGroup: pick(vocabulary.topProductGroups) });
  const templates: { weight: number; make: () => [string, Rule] }[] = [
    {
      weight: 18,
      make: () => {
        const period = pick(PERIODS);
        const where = maybe(0.6) ? { where: group() } : {};
        return ['Оборот за период', { measure: 'sales.revenue', period, ...where, op: 'gte', value: pick(MONEY) }];
      },
    },
    {
      weight: 10,
      make: () => {
        const low = pick(MONEY);
        return ['Накопительная скидка', { measure: 'sales.revenue', period: { last: { months: 12 } }, op: 'between', value: [low, low * 2 - 0.01] }];
      },
    },
    { weight: 8, make: () => ['Частота покупок', { measure: 'sales.documents', period: pick(PERIODS.slice(1, 3)), op: 'gte', value: pick([2, 4, 8, 12]) }] },
    {
      weight: 8,
      make: () => [
        'Давно не покупали',
        {
          all: [
            { measure: 'sales.daysSinceLast', op: 'gt', value: pick([60, 90, 180, 365]) },
            { measure: 'sales.revenue', op: 'gt', value: 0 },
          ],
        },
      ],
    },
    {
      weight: 4,
      make: () => ['Новые клиенты', maybe(0.5) ? { measure: 'sales.daysSinceFirst', op: 'lte', value: pick([30, 90]) } : { measure: 'registration.days', op: 'lte', value: 180 }],
    },
    { weight: 4, make: () => ['Средний чек', { measure: 'sales.averageCheck', period: { last: { months: 12 } }, op: 'gte', value: pick([5_000, 20_000, 50_000]) }] },
    {
      weight: 5,
      make: () => ['Валовая прибыль', { measure: 'sales.grossProfit', period: { previous: 'quarter' }, ...(maybe(0.5) ? { where: group() } : {}), op: 'gte', value: pick(MONEY) }],
    },
    {
      weight: 9,
      make: () => [
        'Регион',
        {
          all: [
            { attr: 'region', op: 'inHierarchy', value: maybe(0.5) ? pick(vocabulary.districts) : pick(vocabulary.regions) },
            { attr: 'roles', op: 'contains', value: 'customer' },
            { attr: 'deleted', op: 'eq', value: false },
            ...(maybe(0.4) ? [{ measure: 'sales.revenue', period: { last: { months: 12 } }, op: 'gte', value: pick(MONEY) }] : []),
          ],
        },
      ],
    },
    {
      weight: 5,
      make: () => [
        'Группа партнёров',
        {
          all: [
            { attr: 'group', op: 'inHierarchy', value: pick(vocabulary.partnerGroups) },
            { attr: 'legalForm', op: 'eq', value: pick(['company', 'person']) },
          ],
        },
      ],
    },
    {
      weight: 4,
      make: () => ['Клиенты менеджера', { measure: 'sales.revenue', period: { last: { days: 90 } }, where: { manager: pick(vocabulary.managers) }, op: 'gte', value: pick(MONEY.slice(0, 3)) }],
    },
    {
      weight: 6,
      make: () =>
        pick<[string, Rule]>([
          ['Звонили', { measure: 'interactions.count', period: { last: { days: 90 } }, where: { type: 'call' }, op: 'gte', value: pick([1, 2, 3]) }],
          ['Без контакта', { measure: 'interactions.daysSinceLast', op: 'gt', value: pick([90, 180]) }],
          ['Недовольные', { measure: 'interactions.averageScore', period: { last: { months: 12 } }, where: { type: 'survey' }, op: 'lte', value: 6 }],
        ]),
    },
    {
      weight: 7,
      make: () =>
        pick<[string, Rule]>([
          ['Просроченная задолженность', { measure: 'settlements.overdueReceivable', op: 'gt', value: pick([0, 10_000, 100_000]) }],
          ['Долго не платят', { measure: 'settlements.maxDaysOverdue', op: 'gt', value: pick([30, 60, 90]) }],
          ['Большой долг', { measure: 'settlements.receivable', op: 'gte', value: pick(MONEY) }],
        ]),
    },
    {
      weight: 4,
      make: () =>
        pick<[string, Rule]>([
          ['Выигранные сделки', { measure: 'deals.wonAmount', period: { last: { months: 12 } }, op: 'gte', value: pick(MONEY) }],
          ['Проигранные сделки', { measure: 'deals.lostCount', period: { last: { months: 12 } }, op: 'gte', value: 2 }],
        ]),
    },
    {
      weight: 3,
      make: () => [
        'День рождения',
        {
          all: [
            { attr: 'legalForm', op: 'eq', value: 'person' },
            { attr: 'deleted', op: 'eq', value: false },
            { attr: 'birthDate', op: 'anniversaryWithin', value: pick([0, 7]) },
          ],
        },
      ],
    },
  ];
  const total = templates.reduce((sum, t) => sum + t.weight, 0);
  const draw = () => {
    let x = rnd() * total;
    for (const t of templates) if ((x -= t.weight) < 0) return t.make();
    return templates[0]!.make();
  };
  const segments: SegmentInput[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${prefix}${String(i).padStart(count > 1000 ? 4 : 3, '0')}`;
    let [name, rule] = draw();
    // One in ten builds on earlier segments: "VIP without debts", "lapsed in my region".
    if (i >= 10 && maybe(0.1)) {
      const a = segments[Math.floor(rnd() * segments.length)]!.id;
      const b = segments[Math.floor(rnd() * segments.length)]!.id;
      name = 'Сочетание сегментов';
      rule = { all: [{ inSegment: a }, ...(a === b ? [] : [{ not: { inSegment: b } }]), rule] };
    }
    segments.push({
      id,
      kind: 'partner',
      name: `${name} ${i}`,
      description: '',
      method: 'periodic',
      rule,
      parameters: {},
      schedule: null,
      checkOnCreate: true,
      competitors: [],
      archived: false,
    });
  }
  return segments;
}
