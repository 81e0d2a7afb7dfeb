/**
 * Facts and segments of the browser tests' company: products, two years of sales up to today,
 * interactions and settlements, and a few segments with a year of monthly generations, so
 * the segment screens have something real to show. Deterministic: the same every run, dated
 * relative to today (UTC), so "the last 12 months" always has sales.
 */
import { rebuildClosure } from '../../src/domain/hierarchy/closure.js';
import { rebuildSegment } from '../../src/domain/segments/rebuild.js';
import { createServices } from '../../src/app/services.js';
import { getSegment } from '../../src/domain/segments/segments.repository.js';
import { segmentInputSchema } from '../../src/domain/segments/segment.schema.js';
import { ENTITIES } from '../../src/model/entities.js';
import type { Database } from '../../src/storage/database.js';

export const TODAY = new Date().toISOString().slice(0, 10);

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const iso = (date: Date) => date.toISOString().slice(0, 10);
/** The date `months` months before `date`, on the same day, clamped to the month's end. */
export function monthsBack(date: string, months: number): string {
  const d = day(date);
  const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return iso(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d.getUTCDate(), last))));
}
export const addDays = (date: string, days: number) => iso(new Date(day(date).getTime() + days * 86_400_000));

export const PRODUCT_GROUPS: [string, string, string | null][] = [
  ['tools', 'Электроинструмент', null],
  ['drills', 'Дрели и шуруповёрты', 'tools'],
  ['saws', 'Пилы', 'tools'],
  ['consumables', 'Расходные материалы', null],
  ['discs', 'Диски и круги', 'consumables'],
];

export const PRODUCTS: { id: string; name: string; group: string; brand: string; price: number }[] = [
  { id: 'g01', name: 'Дрель ударная 750 Вт', group: 'drills', brand: 'Bosch', price: 6_900 },
  { id: 'g02', name: 'Шуруповёрт 18 В', group: 'drills', brand: 'Makita', price: 12_400 },
  { id: 'g03', name: 'Пила циркулярная 1400 Вт', group: 'saws', brand: 'Makita', price: 15_800 },
  { id: 'g04', name: 'Лобзик 650 Вт', group: 'saws', brand: 'Интерскол', price: 4_300 },
  { id: 'g05', name: 'Круг отрезной 125 мм (уп. 10)', group: 'discs', brand: 'Луга', price: 690 },
  { id: 'g06', name: 'Диск пильный 190 мм', group: 'discs', brand: 'Bosch', price: 1_450 },
];

export interface SaleLine {
  id: string;
  document: string;
  date: string;
  partner: string;
  product: string;
  quantity: number;
  revenue: number;
  cost: number;
  manager: string;
}

/** A small deterministic generator (the same numbers every run). */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Sales of the customers: every customer buys in some months of the last two years; the
 * first eight hand-made partners buy more, so "big buyers" are a few, not all.
 */
export function makeSales(partners: readonly { id: string; roles: readonly string[]; manager: string }[]): SaleLine[] {
  const next = random(20_250_615);
  const lines: SaleLine[] = [];
  partners.forEach((partner, index) => {
    if (!partner.roles.includes('customer')) return;
    const scale = index < 8 ? 3 + (index % 3) : 1 + (index % 4) * 0.5;
    for (let month = 0; month < 24; month++) {
      if (next() < 0.45) continue;
      const date = addDays(monthsBack(TODAY, month), -Math.floor(next() * 20) - 1);
      const document = `RT-${partner.id}-${month}`;
      const count = 1 + Math.floor(next() * 3);
      for (let k = 0; k < count; k++) {
        const product = PRODUCTS[Math.floor(next() * PRODUCTS.length)]!;
        const quantity = Math.max(1, Math.round(next() * 6 * scale));
        const revenue = quantity * product.price;
        lines.push({ id: `${document}-${k}`, document, date, partner: partner.id, product: product.id, quantity, revenue, cost: Math.round(revenue * 0.72), manager: partner.manager });
      }
    }
  });
  return lines;
}

/** Revenue of one partner's sales dated within [from, to], narrowed to product groups (with everything below). */
export function revenueOf(sales: readonly SaleLine[], partner: string, from: string, to: string, groups?: readonly string[]): number {
  const inGroups = (productId: string) => {
    if (!groups) return true;
    let group: string | null = PRODUCTS.find((p) => p.id === productId)!.group;
    while (group) {
      if (groups.includes(group)) return true;
      group = PRODUCT_GROUPS.find(([id]) => id === group)![2];
    }
    return false;
  };
  return sales.filter((s) => s.partner === partner && s.date >= from && s.date <= to && inGroups(s.product)).reduce((sum, s) => sum + s.revenue, 0);
}

const DEMO_SEGMENTS = [
  {
    id: 'ural-customers',
    name: 'Активные клиенты Урала',
    description: 'Клиенты бизнес-региона «Урал» и всех его городов с покупками за последние 12 месяцев',
    method: 'periodic',
    schedule: '0 3 * * *',
    checkOnCreate: true,
    rule: {
      all: [
        { attr: 'region', op: 'inHierarchy', value: 'ural' },
        { attr: 'roles', op: 'contains', value: 'customer' },
        { attr: 'deleted', op: 'eq', value: false },
        { measure: 'sales.revenue', period: { last: { months: 12 } }, op: 'gt', value: 0 },
      ],
    },
  },
  {
    id: 'big-buyers',
    name: 'Крупные покупатели',
    description: 'Выручка за последние 3 месяца больше 150 000 ₽',
    method: 'periodic',
    schedule: '0 3 * * 1',
    rule: {
      all: [
        { attr: 'deleted', op: 'eq', value: false },
        { measure: 'sales.revenue', period: { last: { months: 3 } }, op: 'gt', value: 150_000 },
      ],
    },
  },
  {
    id: 'sleeping',
    name: 'Уснувшие клиенты',
    description: 'Покупали раньше, но не за последние 90 дней',
    method: 'dynamic',
    rule: {
      all: [
        { attr: 'roles', op: 'contains', value: 'customer' },
        { measure: 'sales.daysSinceLast', op: 'gte', value: 90 },
      ],
    },
  },
  {
    id: 'tools-key',
    name: 'Инструмент: Урал и опт',
    description: 'Покупатели электроинструмента на Урале или из оптовых групп, кроме уснувших',
    method: 'periodic',
    schedule: '0 3 * * *',
    rule: {
      all: [
        { attr: 'deleted', op: 'eq', value: false },
        {
          any: [
            { attr: 'region', op: 'inHierarchy', value: ['ural'] },
            { attr: 'group', op: 'inHierarchy', value: ['wholesale'] },
          ],
        },
        { measure: 'sales.revenue', period: { last: { months: 12 } }, where: { productGroup: ['tools'] }, op: 'gt', value: 300_000 },
        { not: { inSegment: 'sleeping' } },
      ],
    },
  },
  {
    id: 'birthdays',
    name: 'Дни рождения на неделе',
    description: 'Частные лица, у которых день рождения сегодня или в ближайшие 7 дней',
    method: 'dynamic',
    rule: {
      all: [
        { attr: 'legalForm', op: 'eq', value: 'person' },
        { attr: 'birthDate', op: 'anniversaryWithin', value: 7 },
      ],
    },
  },
  {
    id: 'vip',
    name: 'VIP (вручную)',
    description: 'Партнёры, которых директор отметил лично',
    method: 'manual',
    rule: { attr: 'type', op: 'eq', value: 'key' },
  },
] as const;

/** Products, sales, settlements and the demo segments; the history of the periodic ones goes back a year, month by month. */
export async function seedFacts(db: Database, partners: readonly { id: string; roles: readonly string[]; manager: string }[]): Promise<SaleLine[]> {
  for (const [id, name, parent] of PRODUCT_GROUPS) await db.run('INSERT INTO product_groups (id, name, parent_id) VALUES ($1, $2, $3)', [id, name, parent]);
  await rebuildClosure(db, ENTITIES.productGroups);
  for (const p of PRODUCTS) await db.run('INSERT INTO products (id, name, group_id, brand, unit) VALUES ($1, $2, $3, $4, $5)', [p.id, p.name, p.group, p.brand, 'шт']);
  const sales = makeSales(partners);
  await db.appendRows(
    'sales',
    ['id', 'document', 'date', 'partner_id', 'product_id', 'quantity', 'revenue', 'cost', 'manager_id'],
    sales.map((s) => [s.id, s.document, s.date, s.partner, s.product, String(s.quantity), String(s.revenue), String(s.cost), s.manager]),
  );
  await db.appendRows(
    'settlements',
    ['id', 'partner_id', 'date', 'amount', 'due_date'],
    [
      ['st1', 'p001', addDays(TODAY, -75), '184000', addDays(TODAY, -45)],
      ['st2', 'p001', addDays(TODAY, -20), '-100000', null],
      ['st3', 'p003', addDays(TODAY, -10), '56000', addDays(TODAY, 20)],
      ['st4', 'p008', addDays(TODAY, -120), '23500', addDays(TODAY, -90)],
    ],
  );
  await db.appendRows(
    'interactions',
    ['id', 'partner_id', 'date', 'type', 'direction', 'subject', 'score', 'result'],
    [
      ['i1', 'p001', addDays(TODAY, -3), 'call', 'out', 'Сверка остатков', null, null],
      ['i2', 'p001', addDays(TODAY, -40), 'survey', 'out', 'Опрос удовлетворённости', '9', null],
      ['i3', 'p003', addDays(TODAY, -200), 'meeting', 'out', 'Презентация', null, null],
    ],
  );

  for (const definition of DEMO_SEGMENTS) {
    await createServices(db).segments.create(segmentInputSchema.parse(definition));
  }
  await db.run("INSERT INTO segment_members (segment_id, member_id, added_at) VALUES ('vip', 'p001', CURRENT_TIMESTAMP), ('vip', 'p003', CURRENT_TIMESTAMP)");
  // A year of monthly generations: each evaluated as of that month's date, and recorded at it.
  await rebuildSegment(db, await getSegment(db, 'tools-key'), 'api');
  for (const id of ['ural-customers', 'big-buyers']) {
    const segment = await getSegment(db, id);
    for (let month = 11; month >= 0; month--) {
      const asOf = monthsBack(TODAY, month);
      const result = await rebuildSegment(db, segment, 'schedule', { asOf: asOf });
      const at = `${asOf} 03:00:00`;
      await db.run('UPDATE segment_runs SET started_at = CAST($2 AS TIMESTAMP), finished_at = CAST($2 AS TIMESTAMP) WHERE id = $1', [result.runId, at]);
      await db.run('UPDATE segment_history SET occurred_at = CAST($2 AS TIMESTAMP) WHERE run_id = $1', [result.runId, at]);
    }
  }
  return sales;
}
