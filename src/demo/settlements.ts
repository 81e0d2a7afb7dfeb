import { NULL_INT, type Queryable } from '../sql/queryable.js';
import type { DemoPlan } from './demo-plan.js';
import { FactWriter } from './fact-writer.js';
import { CUSTOMER, DEFAULTER, LATE, ON_TIME, PREPAY, PRIVATE_PERSON, SUPPLIER, type PartnerProfiles } from './partners.js';
import { Random } from './random.js';
import type { DocumentLog } from './sales.js';
import { ABSENT, dayDate, idText, kopecks, orNull } from './sql-text.js';
import { StagedTable, type LoadPipeline } from './staged-table.js';

/** Settlements cover the last half-year; older documents were settled and left no balance. */
const HISTORY_DAYS = 180;
/** Payments are booked once per ~month: one entry for all the debts paid in it. */
const PAYMENT_PERIOD_DAYS = 30;
const BATCH = 1_000_000;
const PERIODS = Math.ceil((HISTORY_DAYS + 10) / PAYMENT_PERIOD_DAYS) + 1;
// Payments of the partner being generated, per period (reused: a million partners).
const paid = new Float64Array(PERIODS);
const paidOn = new Int32Array(PERIODS);

const N = 0;
const PARTNER = 1;
const DAY = 2;
const DUE = 3;
const AMOUNT = 0;

export function createSettlementsWriter(db: Queryable, plan: DemoPlan, pipeline: LoadPipeline): FactWriter {
  const d = db.dialect;
  const table = new StagedTable(
    db,
    'demo_settlements',
    [
      ['n', 'int'],
      ['partner', 'int'],
      ['day', 'int'],
      ['due', 'int'],
      ['amount', 'double'],
    ],
    (staged) => [
      `INSERT INTO settlements (id, partner_id, date, amount, due_date)
       SELECT ${idText('E', 'n', plan.widths.fact)}, ${idText('P', 'partner', plan.widths.partner)}, ${dayDate(d, 'day')}, ${kopecks('amount')}, ${dayDate(d, orNull('due'))}
       FROM ${staged}`,
    ],
  );
  return new FactWriter(table, pipeline, 4, 1, BATCH);
}

function entry(out: FactWriter, counter: { entry: number }, partner: number, day: number, amount: number, due: number): void {
  const row = out.add();
  out.ints[N]![row] = ++counter.entry;
  out.ints[PARTNER]![row] = partner;
  out.ints[DAY]![row] = day;
  out.ints[DUE]![row] = due;
  out.doubles[AMOUNT]![row] = amount;
}

/**
 * Mutual settlements of partner `i` over the last half-year (positive: the partner owes us).
 * Each sales document is a debt due after the partner's payment terms, each return a credit;
 * payments are booked once a month. Prepaying customers pay ahead (a few pay too much, so we
 * owe them); punctual ones pay by the due date; late ones weeks after it; defaulters stopped
 * paying some months ago, which leaves overdue debts. Suppliers send us invoices we pay.
 * Private persons pay at the till and have no settlements.
 */
export function generatePartnerSettlements(plan: DemoPlan, profiles: PartnerProfiles, i: number, docs: DocumentLog, out: FactWriter, counter: { entry: number }): void {
  if (profiles.kind[i] === PRIVATE_PERSON) return;
  const random = Random.stream(plan.seed, 0x53544c4d, i);
  const today = plan.today;
  const start = today - HISTORY_DAYS;
  const partner = i + 1;
  if (profiles.roles[i]! & CUSTOMER && docs.length > 0) {
    const payer = profiles.payer[i]!;
    const terms = profiles.paymentDays[i]!;
    const stoppedPaying = payer === DEFAULTER ? today - random.between(30, 170) : Number.MAX_SAFE_INTEGER;
    paid.fill(0);
    paidOn.fill(NULL_INT);
    for (let k = 0; k < docs.length; k++) {
      const day = docs.day[k]!;
      const amount = docs.amount[k]!;
      if (day < start) continue;
      if (amount < 0) {
        entry(out, counter, partner, day, amount, ABSENT);
        continue;
      }
      const due = day + terms;
      entry(out, counter, partner, day, amount, due);
      let payDay: number;
      let payment = amount;
      if (payer === PREPAY) {
        payDay = day - random.int(4);
        if (random.chance(0.05)) payment = Math.round(amount * 1.1);
      } else if (payer === ON_TIME) payDay = due - random.int(Math.max(1, terms >> 1));
      else if (payer === LATE) payDay = due + random.between(5, 40);
      else payDay = due + random.int(20);
      if (payDay > today || payDay >= stoppedPaying) continue;
      const period = Math.max(0, Math.floor((payDay - start + 10) / PAYMENT_PERIOD_DAYS));
      paid[period] = paid[period]! + payment;
      paidOn[period] = Math.max(paidOn[period]!, payDay);
    }
    for (let period = 0; period < PERIODS; period++) {
      if (paid[period]! > 0) entry(out, counter, partner, paidOn[period]!, -paid[period]!, ABSENT);
    }
  }
  if (profiles.roles[i]! & SUPPLIER) {
    // Monthly deliveries from the supplier (we owe it), paid within about a month.
    const monthly = 5_000_000 * (1 + random.pareto(1.5));
    for (let day = start + random.int(30); day <= today; day += random.between(20, 40)) {
      const amount = Math.round(monthly * (0.6 + 0.8 * random.next()));
      entry(out, counter, partner, day, -amount, day + 30);
      const payDay = day + random.between(20, 45);
      if (payDay <= today) entry(out, counter, partner, payDay, amount, ABSENT);
    }
  }
}
