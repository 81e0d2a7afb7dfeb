/**
 * A synthetic trading company of any size, bulk-loaded with appendRows: the shape of the demo
 * company (hierarchies of regions, partner and product groups; partners; products; sales in
 * documents, in date order as an accounting system exports them; interactions; settlements
 * with due dates and late payments; deals), with skewed activity so measures differ between
 * partners. The refresh benchmark runs on it when no demo company is at hand.
 */
import { rebuildClosure } from '../domain/hierarchy/closure.js';
import { ENTITIES, ENTITY_NAMES, entityColumns, type EntityName } from '../model/entities.js';
import { addDays } from '../rules/calendar.js';
import type { Database } from '../storage/database.js';
import { refreshIndexes } from '../storage/migrations/006-refresh-indexes.js';

export interface SyntheticScale {
  readonly partners: number;
  readonly sales: number;
  readonly seed: number;
  /** The last day with facts; the benchmark evaluates rules as of it. */
  readonly asOf: string;
}

export interface SyntheticCompany {
  readonly scale: SyntheticScale;
  readonly counts: Readonly<Record<string, number>>;
}

/** mulberry32: small, fast, deterministic. */
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

const DAYS = 3 * 365;
const CHUNK = 100_000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const partnerId = (n: number): string => `P${pad(n, 8)}`;

export const TOP_PRODUCT_GROUPS = ['tools', 'electro', 'garden', 'paint', 'plumbing', 'fasteners', 'safety', 'lighting', 'household', 'auto'];
export const FEDERAL_DISTRICTS = ['cfd', 'nwfd', 'sfd', 'ncfd', 'pfd', 'ufd', 'sibfd', 'fefd'];
export const PARTNER_GROUPS = ['retail', 'wholesale', 'dealers'];
export const INTERACTION_TYPES = ['call', 'meeting', 'email', 'letter', 'request', 'survey'];
export const MANAGERS = Array.from({ length: 50 }, (_, i) => `m${pad(i, 2)}`);

/** Appends rows in chunks; a row is given as its values in the entity's column order. */
class Appender {
  private rows: (string | null)[][] = [];
  count = 0;
  constructor(
    private readonly db: Database,
    private readonly entity: EntityName,
  ) {}
  async push(row: (string | null)[]): Promise<void> {
    this.rows.push(row);
    this.count++;
    if (this.rows.length >= CHUNK) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.rows.length) return;
    const entity = ENTITIES[this.entity];
    await this.db.appendRows(
      entity.table,
      entityColumns(entity).map((c) => c.column),
      this.rows,
    );
    this.rows = [];
  }
}

/** Weighted choice in O(log n) over a cumulative array. */
function sampler(weights: Float64Array, rnd: () => number): () => number {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) cumulative[i] = total += weights[i]!;
  return () => {
    const x = rnd() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Indexes on the fact tables: dropped for the bulk load, built once at its end (much faster than row by row). */
function factIndexes(db: Database): { drop: string[]; create: string[] } {
  const facts = ENTITY_NAMES.filter((name) => ENTITIES[name].fact).map((name) => ENTITIES[name].table);
  const pg = db.dialect.usesSecondaryIndexes;
  const create = [...refreshIndexes.up(db.dialect).filter((sql) => sql.includes('_partner_idx')), ...(pg ? facts.map((table) => `CREATE INDEX IF NOT EXISTS ${table}_id_idx ON ${table} (id)`) : [])];
  const drop = [...facts.map((table) => `DROP INDEX IF EXISTS ${table}_partner_idx`), ...(pg ? facts.map((table) => `DROP INDEX IF EXISTS ${table}_id_idx`) : [])];
  return { drop, create };
}

/** Loads the company into an empty migrated database. */
export async function loadSyntheticCompany(db: Database, scale: SyntheticScale, log: (message: string) => void = () => undefined): Promise<SyntheticCompany> {
  const indexes = factIndexes(db);
  for (const sql of indexes.drop) await db.run(sql);
  const rnd = random(scale.seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const first = addDays(scale.asOf, -DAYS + 1);
  const day = (offset: number) => addDays(first, offset);
  const dates = Array.from({ length: DAYS + 120 }, (_, i) => day(i));

  // Directories and hierarchies.
  const regions = new Appender(db, 'regions');
  await regions.push(['ru', 'Россия', null]);
  const cities: string[] = [];
  for (const [d, district] of FEDERAL_DISTRICTS.entries()) {
    await regions.push([district, `Округ ${district}`, 'ru']);
    for (let r = 0; r < 10; r++) {
      const region = `${district}-r${r}`;
      await regions.push([region, `Регион ${d * 10 + r}`, district]);
      for (let c = 0; c < 5; c++) {
        cities.push(`${region}-c${c}`);
        await regions.push([`${region}-c${c}`, `Город ${cities.length}`, region]);
      }
    }
  }
  await regions.flush();
  const groups = new Appender(db, 'partnerGroups');
  const partnerGroups: string[] = [];
  for (const top of PARTNER_GROUPS) {
    await groups.push([top, top, null]);
    for (let i = 0; i < 6; i++) {
      partnerGroups.push(`${top}-${i}`);
      await groups.push([`${top}-${i}`, `${top} ${i}`, top]);
    }
  }
  await groups.flush();
  const productGroups = new Appender(db, 'productGroups');
  const leafGroups: string[] = [];
  for (const top of TOP_PRODUCT_GROUPS) {
    await productGroups.push([top, top, null]);
    for (let i = 0; i < 10; i++) {
      leafGroups.push(`${top}-${i}`);
      await productGroups.push([`${top}-${i}`, `${top} ${i}`, top]);
    }
  }
  await productGroups.flush();
  const managers = new Appender(db, 'managers');
  for (const m of MANAGERS) await managers.push([m, `Менеджер ${m}`]);
  await managers.flush();
  const types = new Appender(db, 'partnerTypes');
  for (const t of ['client', 'lead', 'partner']) await types.push([t, t]);
  await types.flush();

  // Products: a price each, grouped.
  const productCount = Math.max(200, Math.min(20_000, Math.round(scale.partners / 100)));
  const products = new Appender(db, 'products');
  const price = new Float64Array(productCount);
  const productIds: string[] = [];
  for (let i = 0; i < productCount; i++) {
    const id = `G${pad(i, 6)}`;
    productIds.push(id);
    price[i] = Math.round((50 + rnd() ** 3 * 20_000) * 100) / 100;
    await products.push([id, `Товар ${i}`, leafGroups[i % leafGroups.length]!, `brand${i % 40}`, i % 7 ? 'шт' : 'кг']);
  }
  await products.flush();
  const productOf = sampler(
    Float64Array.from({ length: productCount }, (_, i) => 1 / (1 + (i % 500))),
    rnd,
  );

  // Partners: 30 % never bought; the rest with Pareto-like activity.
  const partners = new Appender(db, 'partners');
  const weight = new Float64Array(scale.partners);
  const manager = new Array<string>(scale.partners);
  for (let i = 0; i < scale.partners; i++) {
    const person = rnd() < 0.35;
    const registered = addDays(scale.asOf, -int(365 * 8));
    const birth = person ? addDays('1955-01-01', int(365 * 50)) : null;
    manager[i] = MANAGERS[int(MANAGERS.length)]!;
    weight[i] = rnd() < 0.3 ? 0 : 1 / (rnd() + 0.02) ** 1.2;
    await partners.push([
      partnerId(i),
      `${person ? 'ИП' : 'ООО'} Партнёр ${i}`,
      'true',
      String(rnd() < 0.05),
      String(rnd() < 0.01),
      'false',
      person ? 'person' : 'company',
      partnerGroups[int(partnerGroups.length)]!,
      cities[int(cities.length)]!,
      manager[i]!,
      rnd() < 0.1 ? 'lead' : 'client',
      birth,
      registered,
      String(rnd() < 0.02),
      person ? null : `info${i}@example.ru`,
      `+7 900 ${pad(i % 10_000_000, 7)}`,
    ]);
  }
  await partners.flush();
  log(`partners: ${partners.count}`);
  const partnerOf = sampler(weight, rnd);

  // Sales in documents of 1–8 lines, day by day (recent days busier); a quarter of the
  // documents invoiced in settlements, paid on time, late, or not yet.
  const sales = new Appender(db, 'sales');
  const settlements = new Appender(db, 'settlements');
  const dayWeights = Float64Array.from({ length: DAYS }, (_, i) => 0.6 + (0.4 * i) / DAYS);
  const dayOf = sampler(dayWeights, rnd);
  const sizes: number[] = [];
  for (let total = 0; total < scale.sales;) {
    const size = Math.min(1 + int(8), scale.sales - total);
    sizes.push(size);
    total += size;
  }
  const offsets = sizes.map(() => dayOf()).sort((a, b) => a - b);
  let line = 0;
  let document = 0;
  let entry = 0;
  for (const [d, offset] of offsets.entries()) {
    const p = partnerOf();
    const date = dates[offset]!;
    const lines = sizes[d]!;
    const doc = `D${pad(document++, 9)}`;
    const returning = rnd() < 0.03;
    let total = 0;
    for (let k = 0; k < lines; k++) {
      const g = productOf();
      const quantity = (returning ? -1 : 1) * (1 + int(20));
      const revenue = Math.round(quantity * price[g]! * 100) / 100;
      total += revenue;
      await sales.push([`S${pad(line++, 9)}`, doc, date, partnerId(p), productIds[g]!, String(quantity), revenue.toFixed(2), (revenue * 0.7).toFixed(2), manager[p]!]);
    }
    if (!returning && rnd() < 0.25) {
      const due = dates[offset + 30]!;
      await settlements.push([`E${pad(entry++, 9)}`, partnerId(p), date, total.toFixed(2), due]);
      const late = rnd();
      const paidAfter = late < 0.7 ? 5 + int(25) : late < 0.9 ? 31 + int(90) : null;
      if (paidAfter !== null && offset + paidAfter < DAYS) await settlements.push([`E${pad(entry++, 9)}`, partnerId(p), dates[offset + paidAfter]!, (-total).toFixed(2), null]);
    }
    if (document % 1_000_000 === 0) log(`sales: ${line}`);
  }
  await sales.flush();
  await settlements.flush();
  log(`sales: ${sales.count}, settlements: ${settlements.count}`);

  // Interactions (a fifth of the sales lines) and deals (a fortieth), in date order.
  const interactions = new Appender(db, 'interactions');
  const interactionDays = Array.from({ length: Math.round(scale.sales / 5) }, () => dayOf()).sort((a, b) => a - b);
  for (const [i, offset] of interactionDays.entries()) {
    const type = INTERACTION_TYPES[int(INTERACTION_TYPES.length)]!;
    await interactions.push([
      `I${pad(i, 9)}`,
      partnerId(rnd() < 0.8 ? partnerOf() : int(scale.partners)),
      dates[offset]!,
      type,
      rnd() < 0.5 ? 'in' : 'out',
      null,
      type === 'survey' ? String(int(11)) : null,
      null,
    ]);
  }
  await interactions.flush();
  const deals = new Appender(db, 'deals');
  const dealDays = Array.from({ length: Math.round(scale.sales / 40) }, () => dayOf()).sort((a, b) => a - b);
  for (const [i, offset] of dealDays.entries()) {
    const outcome = offset > DAYS - 60 ? 'open' : rnd() < 0.55 ? 'won' : 'lost';
    await deals.push([
      `L${pad(i, 8)}`,
      partnerId(partnerOf()),
      rnd() < 0.6 ? 'new' : 'repeat',
      outcome,
      (1000 + int(500_000)).toFixed(2),
      dates[offset]!,
      outcome === 'open' ? null : dates[Math.min(offset + 20, DAYS - 1)]!,
      outcome,
      outcome === 'lost' ? 'price' : null,
    ]);
  }
  await deals.flush();
  log(`interactions: ${interactions.count}, deals: ${deals.count}`);

  await rebuildClosure(db, ENTITIES.regions);
  await rebuildClosure(db, ENTITIES.partnerGroups);
  await rebuildClosure(db, ENTITIES.productGroups);
  for (const sql of indexes.create) await db.run(sql);
  // PostgreSQL plans by statistics; autovacuum would gather them only later.
  for (const sql of db.dialect.analyze()) await db.run(sql);
  log('indexes and statistics done');
  return {
    scale,
    counts: { partners: partners.count, products: productCount, sales: sales.count, settlements: settlements.count, interactions: interactions.count, deals: deals.count },
  };
}
