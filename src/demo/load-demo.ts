import { rebuildClosure } from '../domain/hierarchy/closure.js';
import { AppError } from '../errors/app-error.js';
import { ENTITIES, ENTITY_NAMES } from '../model/entities.js';
import type { Queryable } from '../sql/queryable.js';
import type { Database, Session } from '../storage/database.js';
import { dayText } from './calendar.js';
import { planDemo, type DemoOptions } from './demo-plan.js';
import { loadDirectories } from './directories.js';
import { generateFacts } from './facts.js';
import { DEMO_PARTNER_GROUPS, DEMO_PARTNER_TYPES } from './partner-groups.js';
import { generatePartners } from './partners.js';
import { loadDemoPrices } from './prices.js';
import { DEMO_PRODUCT_GROUPS } from './products.js';
import { DEMO_REGIONS } from './regions.js';
import { LoadPipeline } from './staged-table.js';

export interface DemoProgress {
  /** 'directories', 'partners', 'sales' (with the facts that go with them), 'hierarchies', 'finishing'. */
  readonly stage: string;
  readonly done: number;
  readonly total: number;
}

export interface LoadDemoOptions extends DemoOptions {
  readonly onProgress?: (progress: DemoProgress) => void;
  /** Delete the data already in the database first (`segmenta demo --force`); otherwise such a database is refused. */
  readonly replace?: boolean;
}

/** What was loaded, and how long it took. */
export interface DemoSummary {
  readonly seed: number;
  /** The last day of the history. */
  readonly today: string;
  readonly regions: number;
  readonly partnerGroups: number;
  readonly partnerTypes: number;
  readonly managers: number;
  readonly productGroups: number;
  readonly products: number;
  readonly partners: number;
  readonly sales: number;
  readonly interactions: number;
  readonly settlements: number;
  readonly deals: number;
  readonly seconds: number;
}

/** Tables whose rows make a database "not empty" for the demo, and that `replace` clears; the telling ones first. */
const DATA_TABLES = [...new Set([ENTITIES.partners.table, ENTITIES.products.table, ENTITIES.sales.table, ...ENTITY_NAMES.map((name) => ENTITIES[name].table)])];
/** Tables that only make sense with the data above; cleared with it. */
const DEPENDENT_TABLES = [
  ...ENTITY_NAMES.flatMap((name) => {
    const e = ENTITIES[name];
    return [...(e.hierarchy ? [`${e.table}_closure`] : []), ...(e.properties ? [e.properties.table] : [])];
  }),
  'property_definitions',
  'partner_scores',
  'segment_members',
  'segment_history',
  'prices',
  // Measures kept between passes (measure-base.ts): no description, no base.
  'measure_bases',
  'sales_appended',
];

/** Deletes every row the demo writes (dependent tables first). */
async function clearData(db: Queryable): Promise<void> {
  for (const table of [...DEPENDENT_TABLES, ...DATA_TABLES]) await db.run(`DELETE FROM ${table}`);
}

async function nonEmptyTables(db: Queryable): Promise<string[]> {
  const found: string[] = [];
  for (const table of DATA_TABLES) {
    if ((await db.query(`SELECT 1 AS x FROM ${table} LIMIT 1`)).length) found.push(table);
  }
  return found;
}

/**
 * Generates the demo company — a Perm trading house selling tools and building materials —
 * and bulk-loads it: regions (country → macro-region → city, Perm's
 * districts below Perm), partner groups and types, managers, product groups and products,
 * partners with properties, three years of seasonal sales ending today with returns,
 * interactions with surveys, settlements with overdue debts, deals won, lost and open; then
 * the hierarchy closures that "in hierarchy" rules read; price types and two years of prices
 * (src/demo/prices.ts). The same seed gives the same rows on
 * every engine. A database that already holds data is refused (DEMO_DATABASE_NOT_EMPTY)
 * unless `replace` is set. On PostgreSQL the load is one transaction; on DuckDB it commits
 * batch by batch (see `Dialect.bulkLoadsInOneTransaction`), on two connections in turn (in
 * order: see `LoadPipeline`), and deletes what it wrote if it fails.
 * Segments are not created here: see `createDemoSegments`.
 *
 * @example
 * const summary = await loadDemo(db, { seed: 7, partners: 1000 });
 * // { partners: 1000, sales: 20000, interactions: …, seconds: 0.9, … }
 */
export async function loadDemo(db: Database, options: LoadDemoOptions = {}): Promise<DemoSummary> {
  const started = performance.now();
  const plan = planDemo(options);
  const progress = options.onProgress ?? (() => undefined);
  const load = async (tx: Queryable, lanes: readonly Session[] = []) => {
    const filled = await nonEmptyTables(tx);
    if (filled.length && !options.replace) {
      const named = filled.slice(0, 3).join(', ');
      const summary = `rows in ${named}${filled.length > 3 ? ` and ${filled.length - 3} more tables` : ''}`;
      throw new AppError('DEMO_DATABASE_NOT_EMPTY', { database: db.description, tables: filled, summary });
    }
    if (filled.length) await clearData(tx);
    try {
      progress({ stage: 'directories', done: 0, total: 1 });
      await loadDirectories(tx, plan);
      progress({ stage: 'directories', done: 1, total: 1 });
      progress({ stage: 'partners', done: 0, total: plan.partners });
      const profiles = await generatePartners(tx, plan, new LoadPipeline(lanes), (done) => progress({ stage: 'partners', done, total: plan.partners }));
      progress({ stage: 'sales', done: 0, total: plan.sales });
      const facts = await generateFacts(tx, plan, profiles, new LoadPipeline(lanes), (done) => progress({ stage: 'sales', done, total: plan.sales }));
      // Price types and two years of prices, so the order try-out prices lines out of the box.
      await loadDemoPrices(tx, plan);
      progress({ stage: 'hierarchies', done: 0, total: 3 });
      let done = 0;
      for (const entity of [ENTITIES.regions, ENTITIES.partnerGroups, ENTITIES.productGroups]) {
        await rebuildClosure(tx, entity);
        progress({ stage: 'hierarchies', done: ++done, total: 3 });
      }
      return facts;
    } catch (error) {
      // Loaded batch by batch (DuckDB): take back what got in. In a transaction the rollback does it.
      if (!db.dialect.bulkLoadsInOneTransaction) await clearData(tx).catch(() => undefined);
      throw error;
    }
  };
  // Batch by batch (DuckDB): two connections load in turn, so that appending one batch (on the
  // JavaScript thread) overlaps shaping the one before on DuckDB's threads.
  const counts = db.dialect.bulkLoadsInOneTransaction ? await db.transaction((tx) => load(tx)) : await db.session((a) => db.session((b) => load(db, [a, b])));
  progress({ stage: 'finishing', done: 0, total: 1 });
  // Fresh statistics for PostgreSQL's planner; DuckDB folds its write-ahead log into the file.
  for (const statement of [...db.dialect.analyze(...DATA_TABLES, ...DEPENDENT_TABLES), ...db.dialect.checkpoint()]) await db.run(statement);
  progress({ stage: 'finishing', done: 1, total: 1 });
  return {
    seed: plan.seed,
    today: dayText(plan.today),
    regions: DEMO_REGIONS.length,
    partnerGroups: DEMO_PARTNER_GROUPS.length,
    partnerTypes: DEMO_PARTNER_TYPES.length,
    managers: plan.managers.rows.length,
    productGroups: DEMO_PRODUCT_GROUPS.length,
    products: plan.catalogue.products.length,
    partners: plan.partners,
    ...counts,
    seconds: (performance.now() - started) / 1000,
  };
}
