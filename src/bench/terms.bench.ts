/**
 * Order pricing with 50 discount rules (issue 4): seed 002's cumulative table (6 product
 * segments × 5 thresholds/periods = 30 rules, each kept by a periodic segment) plus 20 other
 * rules (birthday, order amount, product segments, partner segments, markups, priority,
 * exclusive, a campaign), priced against the stored compositions — and, in the same run, the
 * naive way seed 002's author started with: the cumulative sums recomputed at order time by a
 * SQL aggregate over the partner's sales. Since issue 19 the orders also take prices: 10,000
 * products × 5 set-by-hand price types × 24 months of price changes (1.2M rows), a derived type
 * on top, two agreements naming types; every other line has no price and takes its agreement's
 * type's on the order date (spread over the last 22 months).
 *
 * It runs on the demo company: on DuckDB a copy of the demo file (ctx.openDemoCopy), dropped at
 * the end, since deleting the millions of memberships it generates takes DuckDB minutes; on
 * PostgreSQL the demo itself, where everything the section creates is named `bench-terms-…`
 * (and `cum-bench-terms-…`) and deleted at the end.
 * Without a demo (openDemo fails) it fills a scratch database with a synthetic set instead and
 * says so in the metric names.
 */
import { ALL_PARTNERS } from '../domain/access/principal.js';
import { todayIso, addMonths, addDays } from '../rules/calendar.js';
import { ENTITIES, entityColumns } from '../model/entities.js';
import { addMembers } from '../domain/segments/manual-members.js';
import { findSegment, getSegment } from '../domain/segments/segments.repository.js';
import { createServices } from '../app/services.js';
import { createCampaign, deleteCampaign } from '../domain/terms/campaigns.js';
import { createAgreement } from '../domain/terms/agreements.js';
import { createDiscount, deleteDiscount, listDiscounts } from '../domain/terms/discounts.js';
import { createPriceType } from '../domain/terms/price-types.js';
import { deleteDiscountTable, saveDiscountTable } from '../domain/terms/discount-tables.js';
import type { DiscountConditionInput } from '../domain/terms/discount-conditions.js';
import { orderFacts, readOrderFacts } from '../domain/terms/order-facts.js';
import { keepOrderFactsInMemory, OrderFactsCache } from '../domain/terms/order-facts-cache.js';
import { refreshSegments } from '../domain/segments/batch-refresh.js';
import { priceOrder, priceWithFacts } from '../domain/terms/order-pricing.js';
import type { Order, OrderPrice } from '../domain/terms/order.schema.js';
import { termsSnapshot, type TermsSnapshot } from '../domain/terms/terms-snapshot.js';
import type { Database } from '../storage/database.js';
import type { BenchContext, BenchEngine, BenchFigure, BenchSection } from './bench-section.js';
import { sql } from '../sql/sql.js';
import { inChunks } from '../sql/in-chunks.js';

const PREFIX = 'bench-terms';
const PRODUCT_SEGMENTS = 6;
const TABLE_PERCENTS = [1, 1.5, 2, 2.5, 3];
const TABLE_COLUMNS = [
  { key: 'first', label: 'После первой покупки', measure: 'sales.documents' as const, months: null, threshold: 1 },
  { key: '24m-10000', label: 'от 10000 за 24 мес.', months: 24, threshold: 10000 },
  { key: '20m-20000', label: 'от 20000 за 20 мес.', months: 20, threshold: 20000 },
  { key: '16m-30000', label: 'от 30000 за 16 мес.', months: 16, threshold: 30000 },
  { key: '12m-40000', label: 'от 40000 за 12 мес.', months: 12, threshold: 40000 },
];
const ORDERS = 2000;
const NAIVE_ORDERS = 200;
/** The naive way scans sales per order; on a big demo it stops after this long (and says how many it priced). */
const NAIVE_BUDGET_MS = 60_000;
const WARM_UP = 100;
const TARGET_P99_MS = 5;
const SYNTHETIC = { partners: 50_000, products: 2_000, sales: 1_000_000 };
/** The prices of issue 19: products (topped up with bench products), set-by-hand types, months of history. */
const PRICES = { products: 10_000, types: 5, months: 24 };
/** After a generation, the copy is current again within this (issue 20). */
const TARGET_COPY_CURRENT_MS = 1000;

/**
 * How long the copy takes to be current again: after the largest segment it holds is generated
 * as of a month earlier (its members move) and back, and after a write it does not hold. Then a
 * freshly read copy must answer every order as the caught-up one does.
 */
async function timeCatchUps(db: Database, cache: OrderFactsCache, ctx: BenchContext): Promise<{ members: number; changed: number; generationMs: number; unrelatedMs: number; mismatches: number }> {
  const snapshot = await termsSnapshot(db);
  const ids = [...snapshot.segments.keys()];
  const [largest] = await db.query<{ segment_id: string; n: number }>(
    sql`SELECT m.segment_id, COUNT(*) AS n FROM segment_members m JOIN segments s ON s.id = m.segment_id
        WHERE m.segment_id IN (${sql.list(ids)}) AND s.method = 'periodic' GROUP BY m.segment_id ORDER BY n DESC LIMIT 1`,
  );
  if (!largest) throw new Error('no periodic segment among the terms');
  const id = largest.segment_id;
  const timedReady = async () => {
    const started = performance.now();
    if (!(await cache.ready(10))) throw new Error('the order facts copy could not catch up');
    return performance.now() - started;
  };
  ctx.log(`terms: generating ${id} (${Number(largest.n).toLocaleString('en-US')} members) as of a month ago, then the copy catches up`);
  const report = await refreshSegments(db, [id], { trigger: 'cli', asOf: addMonths(todayIso(), -1) });
  const changed = report.segments.reduce((n, s) => n + (s.entered ?? 0) + (s.left ?? 0), 0);
  const generationMs = await timedReady();
  await refreshSegments(db, [id], { trigger: 'cli' });
  await timedReady();
  await db.run(sql`UPDATE segments SET description = description WHERE id = ${id}`);
  const unrelatedMs = await timedReady();
  // The caught-up copy against one read whole: the same facts for a sample of partners.
  const sample = await db.query<{ id: string }>('SELECT id FROM partners ORDER BY id LIMIT 2000');
  const caughtUp = sample.map((p) => JSON.stringify(cache.lookup(ALL_PARTNERS, p.id, [])?.facts ?? null));
  const fresh = new OrderFactsCache(db, db.localWrites!);
  if (!(await fresh.ready())) throw new Error('a fresh copy could not be read');
  const mismatches = sample.filter((p, i) => JSON.stringify(fresh.lookup(ALL_PARTNERS, p.id, [])?.facts ?? null) !== caughtUp[i]).length;
  await fresh.stop();
  return { members: Number(largest.n), changed, generationMs, unrelatedMs, mismatches };
}

/** The price target from the copy (issue 19). */
const TARGET_PRICED_P99_MS = 1;

/** A small seeded generator (mulberry32): the same orders on every engine and run. */
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

const EMPTY_PRICE: OrderPrice = {
  partnerId: '',
  date: '',
  agreement: null,
  priceType: null,
  lines: [],
  totals: { amount: 0, discountAmount: 0, amountAfterDiscount: 0, vatIncluded: null, vatRate: null, vatAmount: null, amountWithVat: null },
  manualDiscount: null,
};

/** The JS heap in use after a full collection (the bench runs with --expose-gc). */
function heapUsedMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Fills an empty database with a synthetic company: partners, products and a year and a half of sales. */
async function fillSynthetic(db: Database, seed: number, log: (m: string) => void): Promise<void> {
  const rnd = random(seed);
  const today = todayIso();
  const partnerColumns = entityColumns(ENTITIES.partners).map((c) => c.column);
  const partnerRow = (i: number): (string | null)[] => {
    const person = i % 3 === 0;
    const values: Record<string, string | null> = {
      id: `p${String(i).padStart(7, '0')}`,
      name: `Partner ${i}`,
      role_customer: 'true',
      role_supplier: 'false',
      role_competitor: 'false',
      role_other: 'false',
      legal_form: person ? 'person' : 'company',
      birth_date: person ? `19${50 + (i % 50)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}` : null,
      registered_at: '2020-01-01',
      deleted: 'false',
    };
    return partnerColumns.map((c) => values[c] ?? null);
  };
  for (let i = 0; i < SYNTHETIC.partners; i += 50_000) {
    const rows = Array.from({ length: Math.min(50_000, SYNTHETIC.partners - i) }, (_, k) => partnerRow(i + k));
    await db.appendRows('partners', partnerColumns, rows);
  }
  const productColumns = entityColumns(ENTITIES.products).map((c) => c.column);
  await db.appendRows(
    'products',
    productColumns,
    Array.from({ length: SYNTHETIC.products }, (_, i) => productColumns.map((c) => (c === 'id' ? `g${String(i).padStart(5, '0')}` : c === 'name' ? `Product ${i}` : null))),
  );
  const salesColumns = entityColumns(ENTITIES.sales).map((c) => c.column);
  const days = 900;
  for (let i = 0; i < SYNTHETIC.sales; i += 100_000) {
    const rows: (string | null)[][] = [];
    for (let k = i; k < Math.min(i + 100_000, SYNTHETIC.sales); k++) {
      // Skewed: a few partners buy a lot, most a little.
      const partner = Math.floor(SYNTHETIC.partners * rnd() ** 2);
      const product = Math.floor(SYNTHETIC.products * rnd());
      const quantity = 1 + Math.floor(rnd() * 20);
      const revenue = quantity * (50 + (product % 200) * 5);
      const values: Record<string, string> = {
        id: `s${k}`,
        document: `d${Math.floor(k / 3)}`,
        date: addDays(today, -Math.floor(rnd() * days)),
        partner_id: `p${String(partner).padStart(7, '0')}`,
        product_id: `g${String(product).padStart(5, '0')}`,
        quantity: String(quantity),
        revenue: String(revenue),
        cost: String(Math.round(revenue * 0.7)),
      };
      rows.push(salesColumns.map((c) => values[c] ?? null));
    }
    await db.appendRows('sales', salesColumns, rows);
    log(`terms: synthetic sales ${Math.min(i + 100_000, SYNTHETIC.sales)} / ${SYNTHETIC.sales}`);
  }
  for (const sql of db.dialect.analyze()) await db.run(sql);
}

interface Setup {
  readonly partnerIds: readonly string[];
  readonly productIds: readonly string[];
  /** The day the price history starts (lines without a price are dated after it). */
  readonly pricesFrom: string;
  readonly priceRows: number;
  readonly priceSeconds: number;
  readonly uploadSeconds: number;
  readonly rules: number;
  cleanup(): Promise<void>;
}

/** Deletes everything the section creates (also what a killed run left behind). */
async function removeBenchTerms(db: Database, log: (m: string) => void): Promise<void> {
  const { segments: service } = createServices(db);
  // Deleting big stored compositions is the slow part on DuckDB (index upkeep per row): say so.
  const started = performance.now();
  const table = await db.query(sql`SELECT id FROM discount_tables WHERE id = ${`${PREFIX}-table`}`);
  if (table.length) await deleteDiscountTable(service, `${PREFIX}-table`);
  for (const d of await listDiscounts(db)) if (d.id.startsWith(PREFIX)) await deleteDiscount(service, d.id);
  if ((await db.query(sql`SELECT id FROM campaigns WHERE id = ${`${PREFIX}-campaign`}`)).length) await deleteCampaign(db, `${PREFIX}-campaign`);
  await db.run(`DELETE FROM agreements WHERE id LIKE '${PREFIX}-%'`);
  await db.run(`DELETE FROM prices WHERE price_type_id LIKE '${PREFIX}-%'`);
  await db.run(`DELETE FROM price_types WHERE id LIKE '${PREFIX}-%'`);
  await db.run(`DELETE FROM products WHERE id LIKE '${PREFIX}-%'`);
  await db.run('UPDATE terms_revision SET revision = revision + 1 WHERE id = 1');
  const segments = await db.query<{ id: string }>(`SELECT id FROM segments WHERE id LIKE '${PREFIX}-%' OR id LIKE 'cum-${PREFIX}-%' ORDER BY CASE WHEN id LIKE 'cum-%' THEN 0 ELSE 1 END, id`);
  for (const { id } of segments) if (await findSegment(db, id)) await service.delete(id);
  log(`terms: removed the benchmark's terms and segments in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** The 50 rules on the database, and what is needed to make orders; `cleanup` removes them all. */
export async function setUpTerms(db: Database, seed: number, log: (m: string) => void): Promise<Setup> {
  const { segments: service } = createServices(db);
  const rnd = random(seed + 1);
  const productIds = (await db.query<{ id: string }>('SELECT id FROM products ORDER BY id')).map((r) => r.id);
  // Partners who bought something (cumulative discounts matter for them), and some who did not.
  const buyers = (await db.query<{ id: string }>('SELECT DISTINCT partner_id AS id FROM sales ORDER BY partner_id LIMIT 50000')).map((r) => r.id);
  const others = (await db.query<{ id: string }>('SELECT id FROM partners ORDER BY id LIMIT 10000')).map((r) => r.id);
  const partnerIds = [...buyers, ...others];
  log('terms: removing what an earlier run may have left');
  await removeBenchTerms(db, log);
  const cleanup = (): Promise<void> => removeBenchTerms(db, log);
  log('terms: creating 6 product segments and 5 partner segments');
  try {
    const manual = async (id: string, kind: 'partner' | 'product', ids: readonly string[]): Promise<void> => {
      await service.create({ id, kind, name: id, description: 'order pricing benchmark', method: 'manual', parameters: {}, schedule: null, checkOnCreate: false, competitors: [], archived: false });
      await inChunks(ids, 10_000, async (chunk) => addMembers(db, await getSegment(db, id), chunk));
    };
    // Six product segments: every product in one, every tenth also in the next.
    for (let s = 0; s < PRODUCT_SEGMENTS; s++) {
      await manual(
        `${PREFIX}-ps${s + 1}`,
        'product',
        productIds.filter((_, i) => i % PRODUCT_SEGMENTS === s || (i % 10 === 0 && (i + 1) % PRODUCT_SEGMENTS === s)),
      );
    }
    // Four partner segments of about 5 % of the partners each, and a small VIP one.
    for (let s = 0; s < 4; s++)
      await manual(
        `${PREFIX}-club${s + 1}`,
        'partner',
        partnerIds.filter(() => rnd() < 0.05),
      );
    await manual(
      `${PREFIX}-vip`,
      'partner',
      partnerIds.filter(() => rnd() < 0.005),
    );

    log('terms: uploading the 6 × 5 cumulative table (30 periodic segments generated)');
    const started = performance.now();
    const table = await saveDiscountTable(service, {
      id: `${PREFIX}-table`,
      name: 'Накопительная скидка (бенчмарк)',
      columns: TABLE_COLUMNS,
      rows: Array.from({ length: PRODUCT_SEGMENTS }, (_, s) => ({ productSegment: `${PREFIX}-ps${s + 1}`, percents: TABLE_PERCENTS.map((p) => p + s * 0.5) })),
    });
    const uploadSeconds = (performance.now() - started) / 1000;

    await createCampaign(db, { id: `${PREFIX}-campaign`, name: 'Бенчмарк', startsOn: addDays(todayIso(), -30), endsOn: addDays(todayIso(), 30) });
    const discount = async (
      id: string,
      percent: number,
      combine: 'max' | 'sum' | 'priority' | 'exclusive',
      conditions: DiscountConditionInput[],
      extra: { priority?: number; campaignId?: string } = {},
    ) => {
      await createDiscount(service, { id: `${PREFIX}-${id}`, name: id, percent, combine, conditions, ...extra });
    };
    await discount('birthday', 5, 'sum', [{ kind: 'birthday', withinDays: 3 }], { campaignId: `${PREFIX}-campaign` });
    await discount('big-order', 1, 'sum', [{ kind: 'orderAmount', min: 50_000 }]);
    for (let s = 1; s <= PRODUCT_SEGMENTS; s++) await discount(`ps${s}-base`, 0.5 * s, 'max', [{ kind: 'productInSegment', segment: `${PREFIX}-ps${s}` }]);
    for (let s = 1; s <= 4; s++) await discount(`club${s}`, 3 + s, s <= 2 ? 'max' : 'priority', [{ kind: 'partnerInSegment', segment: `${PREFIX}-club${s}` }], { priority: s });
    await discount('markup-ps1', -2, 'sum', [
      { kind: 'partnerInSegment', segment: `${PREFIX}-club1` },
      { kind: 'productInSegment', segment: `${PREFIX}-ps1` },
    ]);
    await discount('markup-ps2', -1, 'max', [{ kind: 'productInSegment', segment: `${PREFIX}-ps2` }]);
    await discount('vip-exclusive', 12, 'exclusive', [{ kind: 'partnerInSegment', segment: `${PREFIX}-vip` }]);
    await discount('campaign-ps3', 4, 'priority', [{ kind: 'productInSegment', segment: `${PREFIX}-ps3` }], { priority: 0, campaignId: `${PREFIX}-campaign` });
    await discount('campaign-ps4', 2, 'sum', [{ kind: 'productInSegment', segment: `${PREFIX}-ps4` }], { campaignId: `${PREFIX}-campaign` });
    await discount('loyal-all', 1.5, 'sum', [{ kind: 'cumulative', months: 12, threshold: 100_000 }]);
    await discount('club4-ps5', 2, 'sum', [
      { kind: 'partnerInSegment', segment: `${PREFIX}-club4` },
      { kind: 'productInSegment', segment: `${PREFIX}-ps5` },
    ]);
    await discount('ps6-big', 1, 'sum', [
      { kind: 'productInSegment', segment: `${PREFIX}-ps6` },
      { kind: 'orderAmount', min: 20_000 },
    ]);
    const rules = (await listDiscounts(db)).filter((d) => d.id.startsWith(PREFIX)).length;
    if (table.cells.length !== 30 || rules !== 50) throw new Error(`the benchmark expects 50 rules (30 in the table), made ${rules}`);
    const pricesStarted = performance.now();
    const { priced, pricesFrom, priceRows } = await setUpPrices(db, productIds, rnd, log);
    const priceSeconds = (performance.now() - pricesStarted) / 1000;
    return { partnerIds, productIds: priced, pricesFrom, priceRows, priceSeconds, uploadSeconds, rules, cleanup };
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }
}

/**
 * Issue 19's prices: the products topped up to 10,000 with bench products, five set-by-hand price
 * types with a price per product from the first of each of the last 24 months, a derived type
 * (type 1 + 12 %, to .99), an agreement for everyone naming the derived type and one for club 1
 * (priority 1) naming type 2.
 */
async function setUpPrices(db: Database, productIds: readonly string[], rnd: () => number, log: (m: string) => void): Promise<{ priced: string[]; pricesFrom: string; priceRows: number }> {
  const extra = Math.max(0, PRICES.products - productIds.length);
  const productColumns = entityColumns(ENTITIES.products).map((c) => c.column);
  const added = Array.from({ length: extra }, (_, i) => `${PREFIX}-g${String(i).padStart(5, '0')}`);
  for (let i = 0; i < added.length; i += 50_000) {
    await db.appendRows(
      'products',
      productColumns,
      added.slice(i, i + 50_000).map((id) => productColumns.map((c) => (c === 'id' ? id : c === 'name' ? `Bench product ${id}` : null))),
    );
  }
  const priced = [...productIds.slice(0, PRICES.products), ...added];
  const today = todayIso();
  const months = Array.from({ length: PRICES.months }, (_, k) => `${addMonths(today, -(PRICES.months - 1 - k)).slice(0, 8)}01`);
  const types = Array.from({ length: PRICES.types }, (_, t) => `${PREFIX}-type${t + 1}`);
  for (const [t, id] of types.entries()) await createPriceType(db, { id, name: `Бенчмарк ${t + 1}`, vatIncluded: t % 2 === 0 });
  await createPriceType(db, { id: `${PREFIX}-derived`, name: 'Бенчмарк: производный', baseTypeId: types[0]!, markupPercent: 12, rounding: '0.99' });
  log(`terms: ${priced.length} products × ${PRICES.types} price types × ${PRICES.months} months of prices`);
  const columns = ['id', 'price_type_id', 'product_id', 'valid_from', 'price'];
  let rows: (string | null)[][] = [];
  let count = 0;
  for (const type of types) {
    for (const product of priced) {
      let price = 100 + rnd() * 10_000;
      for (const month of months) {
        price *= 1 + rnd() * 0.02;
        rows.push([`${type}|${product}|${month}`, type, product, month, price.toFixed(2)]);
      }
      if (rows.length >= 100_000) {
        await db.appendRows('prices', columns, rows);
        count += rows.length;
        rows = [];
      }
    }
  }
  await db.appendRows('prices', columns, rows);
  count += rows.length;
  await createAgreement(db, { id: `${PREFIX}-agreement`, name: 'Бенчмарк: для всех', priceType: `${PREFIX}-derived` });
  await createAgreement(db, { id: `${PREFIX}-club1-agreement`, name: 'Бенчмарк: клуб 1', segmentId: `${PREFIX}-club1`, priceType: types[1]!, priority: 1 });
  return { priced, pricesFrom: months[0]!, priceRows: count };
}

export function makeOrders(setup: Setup, count: number, seed: number): Order[] {
  const rnd = random(seed + 2);
  const today = todayIso();
  // Dated over the history (from a month after it starts), half of them today.
  const days = Math.max(1, Math.round((Date.parse(today) - Date.parse(setup.pricesFrom)) / 86_400_000) - 31);
  return Array.from({ length: count }, (_, i) => {
    const lines = Array.from({ length: 1 + Math.floor(rnd() * 10) }, (_, k) => ({
      productId: setup.productIds[Math.floor(rnd() * setup.productIds.length)]!,
      quantity: 1 + Math.floor(rnd() * 10),
      // Every other line takes its price from the agreement's price type.
      ...(k % 2 === 0 ? {} : { price: Math.round(100 + rnd() * 9900) / 100 }),
    }));
    return { partnerId: setup.partnerIds[Math.floor(rnd() * setup.partnerIds.length)]!, ...(i % 2 === 0 ? {} : { date: addDays(today, -Math.floor(rnd() * days)) }), lines };
  });
}

/**
 * The naive pricing: the same rules and the same combination, but each cumulative condition is
 * recomputed from the sales history at order time — one SQL aggregate over the partner's sales
 * per order (what took seed 002's author 40 seconds in 1C) — instead of read from its segment.
 */
export async function naivePrice(db: Database, snapshot: TermsSnapshot, order: Order): Promise<OrderPrice> {
  const memberships = orderFacts(
    await readOrderFacts(
      db,
      ALL_PARTNERS,
      order.partnerId,
      order.lines.map((l) => l.productId),
      order.date ?? todayIso(),
    ),
    snapshot.segments,
  );
  const partner = memberships.partner;
  const today = todayIso();
  const cumulative = snapshot.rules.flatMap((r) => r.conditions.flatMap((c) => (c.kind === 'cumulative' ? [c] : [])));
  const unique = new Map(cumulative.map((c) => [c.segment, c]));
  const productSegments = [...new Set([...unique.values()].map((c) => c.productSegment).filter((s): s is string => s !== null))];
  const windows = [...new Set([...unique.values()].map((c) => c.months).filter((m): m is number => m !== null))];
  const from = (months: number) => addMonths(today, -months);
  // Both branches read the same partner, day and window starts: one parameter each.
  const partnerId = sql.param(partner.id);
  const day = sql.param(today);
  const columns = windows.map((m) => sql`, SUM(CASE WHEN s.date > CAST(${sql.param(from(m))} AS DATE) THEN s.revenue ELSE 0 END) AS ${sql.raw(`r${m}`)}`);
  const sumColumns = sql.join(columns, sql.empty);
  const bySegmentSql = productSegments.length
    ? sql`SELECT m.segment_id AS ps, COUNT(DISTINCT CASE WHEN s.quantity >= 0 THEN s.document END) AS docs${sumColumns}
       FROM sales s JOIN segment_members m ON m.member_id = s.product_id AND m.segment_id IN (${sql.list(productSegments)})
       WHERE s.partner_id = ${partnerId} AND s.date <= CAST(${day} AS DATE) GROUP BY m.segment_id
       UNION ALL `
    : sql.empty;
  const sums = await db.query<Record<string, number | string | null>>(
    sql`${bySegmentSql}SELECT NULL AS ps, COUNT(DISTINCT CASE WHEN s.quantity >= 0 THEN s.document END) AS docs${sumColumns}
     FROM sales s WHERE s.partner_id = ${partnerId} AND s.date <= CAST(${day} AS DATE)`,
  );
  const bySegment = new Map(sums.map((r) => [r.ps === null ? null : String(r.ps), r]));
  const live = new Set([...memberships.partnerSegments].filter((s) => !unique.has(s)));
  for (const [segment, c] of unique) {
    const row = bySegment.get(c.productSegment);
    const value = Number((c.measure === 'sales.documents' ? row?.docs : c.months === null ? null : row?.[`r${c.months}`]) ?? 0);
    if (c.op === 'gte' ? value >= c.threshold : value > c.threshold) live.add(segment);
  }
  return priceWithFacts(snapshot, order, { partner, partnerSegments: live, productSegments: memberships.productSegments, prices: memberships.prices });
}

/** Prices the orders one after another (stopping after `budgetMs`, if given) and times each. */
async function timeOrders(
  orders: readonly Order[],
  price: (order: Order) => Promise<OrderPrice>,
  budgetMs = Number.POSITIVE_INFINITY,
): Promise<{ p50: number; p99: number; perSecond: number; results: OrderPrice[] }> {
  const times: number[] = [];
  const results: OrderPrice[] = [];
  const started = performance.now();
  for (const order of orders) {
    const t = performance.now();
    results.push(await price(order));
    times.push(performance.now() - t);
    if (t - started > budgetMs) break;
  }
  const total = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), perSecond: results.length / total, results };
}

async function measureEngine(ctx: BenchContext, engine: BenchEngine): Promise<BenchFigure[]> {
  let db: Database;
  let label = '';
  // DuckDB deletes millions of memberships slowly: work on a copy of its file instead.
  const copy = engine === 'duckdb';
  try {
    db = copy ? await ctx.openDemoCopy(engine) : await ctx.openDemo(engine);
  } catch (error) {
    ctx.log(`terms: no demo on ${engine} (${error instanceof Error ? error.message : String(error)}); using a synthetic set of ${SYNTHETIC.partners} partners and ${SYNTHETIC.sales} sales`);
    db = await ctx.openScratch(engine);
    await fillSynthetic(db, ctx.scale.seed, ctx.log);
    label = ` (synthetic ${SYNTHETIC.partners / 1000}k partners, ${SYNTHETIC.sales / 1_000_000}M sales)`;
  }
  try {
    const setup = await setUpTerms(db, ctx.scale.seed, ctx.log);
    try {
      const orders = makeOrders(setup, ORDERS + WARM_UP, ctx.scale.seed);
      ctx.log(`terms: pricing ${ORDERS} orders on ${engine} (${setup.rules} rules)`);
      // One query per order first: what a PostgreSQL server (other processes write too) always does.
      await timeOrders(orders.slice(0, WARM_UP), (o) => priceOrder(db, ALL_PARTNERS, o));
      const oneQuery = await timeOrders(orders.slice(WARM_UP), (o) => priceOrder(db, ALL_PARTNERS, o));
      // Then from the in-process copy of the order facts, as `segmenta serve` does where it can.
      const cache = keepOrderFactsInMemory(db);
      const heapBefore = heapUsedMiB();
      const copyStarted = performance.now();
      if (cache && !(await cache.ready())) throw new Error('the order facts copy could not be read: something kept writing');
      const copySeconds = (performance.now() - copyStarted) / 1000;
      const copyMiB = heapUsedMiB() - heapBefore;
      await timeOrders(orders.slice(0, WARM_UP), (o) => priceOrder(db, ALL_PARTNERS, o));
      const fast = cache ? await timeOrders(orders.slice(WARM_UP), (o) => priceOrder(db, ALL_PARTNERS, o)) : oneQuery;
      const answeredFromCopy = cache ? cache.stats().hits : 0;
      const catchUp = cache ? await timeCatchUps(db, cache, ctx) : null;
      await cache?.stop();
      // The floor on this machine: an empty query, timed alongside, so a busy machine shows as such.
      const floor = await timeOrders(orders.slice(WARM_UP), async () => {
        await db.query('SELECT 1 AS one');
        return EMPTY_PRICE;
      });
      ctx.log(`terms: naive pricing of ${NAIVE_ORDERS} orders on ${engine}`);
      const snapshot = await termsSnapshot(db);
      const naiveOrders = orders.slice(WARM_UP, WARM_UP + NAIVE_ORDERS);
      const naive = await timeOrders(naiveOrders, (o) => naivePrice(db, snapshot, o), NAIVE_BUDGET_MS);
      // Both ways must agree: the stored compositions were generated today from the same sales.
      const copyMismatches = fast.results.filter((r, i) => JSON.stringify(r) !== JSON.stringify(oneQuery.results[i])).length;
      const mismatches = naive.results.filter((r, i) => JSON.stringify(r.lines.map((l) => l.discountPercent)) !== JSON.stringify(fast.results[i]!.lines.map((l) => l.discountPercent))).length;
      const f = (metric: string, value: number, unit: string, extra: Partial<BenchFigure> = {}): BenchFigure => ({
        metric: `${metric}${label}`,
        engine,
        value: Math.round(value * 1000) / 1000,
        unit,
        ...extra,
      });
      return [
        f('order pricing, 50 rules: p50', fast.p50, 'ms'),
        f('order pricing, 50 rules: p99', fast.p99, 'ms', { target: `≤ ${cache ? TARGET_PRICED_P99_MS : TARGET_P99_MS} ms`, met: fast.p99 <= (cache ? TARGET_PRICED_P99_MS : TARGET_P99_MS) }),
        f('order pricing, 50 rules: orders per second (one connection)', fast.perSecond, 'orders/s'),
        ...(cache
          ? [
              f('orders answered from the in-process copy', answeredFromCopy, 'orders'),
              f('reading the copy (partners, products, memberships of term segments)', copySeconds, 's'),
              f('the copy in the JS heap', copyMiB, 'MiB'),
              f('the copy: partners', cache.stats().partners, 'partners'),
              f('the copy: memberships of the segments the terms use', cache.stats().memberships, 'memberships'),
              f('the copy: price rows', cache.stats().prices, 'rows'),
              f('one query per order (no copy): p50', oneQuery.p50, 'ms'),
              f('one query per order (no copy): p99', oneQuery.p99, 'ms'),
              f('the copy and one query per order disagree (orders)', copyMismatches, 'orders', { target: '0', met: copyMismatches === 0 }),
            ]
          : []),
        ...(catchUp
          ? [
              f(
                `the copy current again after a generation of its largest segment (${catchUp.members.toLocaleString('en-US')} members, ${catchUp.changed.toLocaleString('en-US')} changed)`,
                catchUp.generationMs,
                'ms',
                {
                  target: `≤ ${TARGET_COPY_CURRENT_MS} ms`,
                  met: catchUp.generationMs <= TARGET_COPY_CURRENT_MS,
                },
              ),
              f('the copy current again after a write it does not hold', catchUp.unrelatedMs, 'ms'),
              f('the copy after catching up and a fresh read disagree (orders)', catchUp.mismatches, 'orders', { target: '0', met: catchUp.mismatches === 0 }),
            ]
          : []),
        f('an empty query (SELECT 1), the floor: p50', floor.p50, 'ms'),
        f('an empty query (SELECT 1), the floor: p99', floor.p99, 'ms'),
        f('naive pricing (cumulative sums at order time): p50', naive.p50, 'ms'),
        f('naive pricing (cumulative sums at order time): p99', naive.p99, 'ms'),
        f('naive pricing: orders per second', naive.perSecond, 'orders/s'),
        f('naive pricing: orders priced', naive.results.length, 'orders'),
        f('stored compositions vs naive: p50 speed-up', naive.p50 / Math.max(fast.p50, 0.001), '×'),
        f('naive and stored pricing disagree (orders)', mismatches, 'orders', { target: '0', met: mismatches === 0 }),
        f('seed 002 table upload (30 discounts, 30 periodic segments generated)', setup.uploadSeconds, 's'),
        f('discount rules', setup.rules, 'rules'),
        f(`prices written (${PRICES.types} types × ${setup.productIds.length} products × ${PRICES.months} months)`, setup.priceRows, 'rows'),
        f('writing the prices', setup.priceSeconds, 's'),
      ];
    } finally {
      if (!copy) await setup.cleanup();
    }
  } finally {
    // The demo belongs to the bench run (later sections reuse it); a scratch database is ours.
    if (label || copy) await db.close();
  }
}

export const termsBench: BenchSection = {
  name: 'terms',
  title: 'Order pricing with 50 discount rules, against recomputing cumulative sums at order time',
  async run(ctx) {
    const figures: BenchFigure[] = [];
    for (const engine of ctx.engines) figures.push(...(await measureEngine(ctx, engine)));
    return figures;
  },
};
