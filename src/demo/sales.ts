import type { Queryable } from '../sql/queryable.js';
import type { DemoPlan } from './demo-plan.js';
import { FactWriter } from './fact-writer.js';
import { COMPANY, PRIVATE_PERSON, SOLE_TRADER, type PartnerProfiles } from './partners.js';
import { Random } from './random.js';
import { dayDate, idText, kopecks } from './sql-text.js';
import { StagedTable, type LoadPipeline } from './staged-table.js';

/** Share of sale lines that are returns (negative quantity, revenue and cost). */
const RETURN_SHARE = 0.015;
/** Share of lines bought from the partner's favourite product group. */
const FAVOURITE_SHARE = 0.6;
const RING = 32;
// Big batches: DuckDB spends less per row writing (and compressing) a few large inserts than many small ones.
const BATCH = 2_000_000;

// Staged columns: ints, then doubles.
const N = 0;
const DOC = 1;
const DAY = 2;
const PARTNER = 3;
const PRODUCT = 4;
const QTY = 5;
const MANAGER = 6;
const REVENUE = 0;
const COST = 1;

// Recent purchases of the partner being generated, to return something actually bought (reused: a million partners).
const ringProduct = new Int32Array(RING);
const ringQty = new Int32Array(RING);
const ringPrice = new Float64Array(RING);
const ringCost = new Float64Array(RING);
const ringDay = new Int32Array(RING);

/** Sales documents of one partner (purchases and returns), for its settlements. */
export class DocumentLog {
  day = new Int32Array(256);
  amount = new Float64Array(256);
  length = 0;

  reset(): void {
    this.length = 0;
  }

  add(day: number, amount: number): void {
    if (this.length === this.day.length) {
      const day2 = new Int32Array(this.length * 2);
      day2.set(this.day);
      this.day = day2;
      const amount2 = new Float64Array(this.length * 2);
      amount2.set(this.amount);
      this.amount = amount2;
    }
    this.day[this.length] = day;
    this.amount[this.length++] = amount;
  }
}

export function createSalesWriter(db: Queryable, plan: DemoPlan, pipeline: LoadPipeline, onLoaded: (rows: number) => void): FactWriter {
  const d = db.dialect;
  const w = plan.widths;
  const table = new StagedTable(
    db,
    'demo_sales',
    [
      ['n', 'int'],
      ['doc', 'int'],
      ['day', 'int'],
      ['partner', 'int'],
      ['product', 'int'],
      ['qty', 'int'],
      ['manager', 'int'],
      ['revenue', 'double'],
      ['cost', 'double'],
    ],
    (staged) => [
      `INSERT INTO sales (id, document, date, partner_id, product_id, quantity, revenue, cost, manager_id)
       SELECT ${idText('S', 'n', w.fact)}, ${idText('D', 'doc', w.fact)}, ${dayDate(d, 'day')}, ${idText('P', 'partner', w.partner)},
         ${idText('G', 'product', w.product)}, ${d.cast('qty', 'decimal')}, ${kopecks('revenue')}, ${kopecks('cost')}, ${idText('M', 'manager', plan.managers.idWidth)}
       FROM ${staged}`,
    ],
  );
  return new FactWriter(table, pipeline, 7, 2, BATCH, onLoaded);
}

/** Counters shared by all partners: the next line and document numbers. */
export interface SalesCounters {
  line: number;
  document: number;
}

/**
 * The sale lines of partner `i`: `lines` of them, in documents of a few lines (more for
 * companies), dated by the seasonal calendar between its first day and the day it stopped
 * buying, mostly from its favourite product group, at its discount off list price; about
 * 1.5% are returns of something it bought. Documents go to `docs` for settlements.
 */
export function generatePartnerSales(plan: DemoPlan, profiles: PartnerProfiles, i: number, lines: number, out: FactWriter, counters: SalesCounters, docs: DocumentLog): void {
  const random = Random.stream(plan.seed, 0x53414c45, i);
  const { products, popularity, byTop } = plan.catalogue;
  const kind = profiles.kind[i]!;
  const weight = profiles.weight[i]!;
  const from = Math.max(plan.calendar.first, profiles.registered[i]!);
  const to = profiles.lastActive[i]!;
  const discount = profiles.discount[i]!;
  const favourite = byTop[profiles.favourite[i]!]!;
  const manager = profiles.manager[i]! + 1;
  const managers = plan.managers.rows.length;
  const meanExtraLines = kind === COMPANY ? 3 : kind === SOLE_TRADER ? 1.5 : 0.4;
  const meanExtraQty = kind === COMPANY ? 1 + Math.min(12, Math.sqrt(weight)) : kind === SOLE_TRADER ? 1.5 : 0.3;
  let ringSize = 0;
  let remaining = lines;
  while (remaining > 0) {
    const size = Math.min(remaining, random.countFrom1(meanExtraLines));
    const day = plan.calendar.draw(random, from, to);
    const document = ++counters.document;
    const lineManager = random.chance(0.9) ? manager : 1 + random.int(managers);
    let amount = 0;
    for (let k = 0; k < size; k++) {
      remaining--;
      const row = out.add();
      const ints = out.ints;
      const doubles = out.doubles;
      ints[N]![row] = ++counters.line;
      ints[PARTNER]![row] = i + 1;
      ints[MANAGER]![row] = lineManager;
      if (ringSize > 0 && random.chance(RETURN_SHARE)) {
        // A return: its own document, a few days after the purchase.
        const r = random.int(Math.min(ringSize, RING));
        const qty = 1 + random.int(ringQty[r]!);
        const returnDay = Math.min(plan.today, ringDay[r]! + random.between(1, 20));
        const returnDocument = ++counters.document;
        ints[DOC]![row] = returnDocument;
        ints[DAY]![row] = returnDay;
        ints[PRODUCT]![row] = ringProduct[r]! + 1;
        ints[QTY]![row] = -qty;
        doubles[REVENUE]![row] = -qty * ringPrice[r]!;
        doubles[COST]![row] = -qty * ringCost[r]!;
        docs.add(returnDay, -qty * ringPrice[r]!);
        continue;
      }
      const product = random.chance(FAVOURITE_SHARE) && favourite.indexes.length > 0 ? favourite.indexes[random.weighted(favourite.popularity)]! : random.weighted(popularity);
      const item = products[product]!;
      let qty = random.countFrom1(meanExtraQty);
      if (item.price < 100_000 && kind !== PRIVATE_PERSON) qty *= random.between(1, 5);
      qty = Math.min(qty, 5000);
      const price = Math.max(1, Math.round(item.price * (1 - discount) * (0.96 + 0.08 * random.next())));
      const unitCost = Math.round(price * item.costShare);
      ints[DOC]![row] = document;
      ints[DAY]![row] = day;
      ints[PRODUCT]![row] = product + 1;
      ints[QTY]![row] = qty;
      doubles[REVENUE]![row] = qty * price;
      doubles[COST]![row] = qty * unitCost;
      amount += qty * price;
      const slot = ringSize++ % RING;
      ringProduct[slot] = product;
      ringQty[slot] = qty;
      ringPrice[slot] = price;
      ringCost[slot] = unitCost;
      ringDay[slot] = day;
    }
    if (amount > 0) docs.add(day, amount);
  }
}
