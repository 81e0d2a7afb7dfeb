import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo, type DemoSummary } from '../src/demo/index.js';
import type { Row } from '../src/sql/queryable.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

/** The demo company's shape, on every engine: the things the demo segments and the docs promise. */
const TODAY = '2025-06-15';
const PARTNERS = 300;
const SALES = 6000;

const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe.each(ENGINES)('demo company on $name', (engine) => {
  let db: Database;
  let summary: DemoSummary;
  beforeAll(async () => {
    db = await engine.create();
    summary = await loadDemo(db, { seed: 11, partners: PARTNERS, sales: SALES, today: TODAY });
  });
  afterAll(async () => {
    await db.close();
  });

  const count = async (sql: string, params: (string | number)[] = []): Promise<number> => {
    const [row] = await db.query<{ n: number }>(sql, params);
    return row?.n ?? 0;
  };

  it('loads exactly the partners and sale lines asked for, and reports what it loaded', async () => {
    expect(summary).toMatchObject({ seed: 11, today: TODAY, partners: PARTNERS, sales: SALES });
    for (const [table, n] of [
      ['partners', summary.partners],
      ['sales', summary.sales],
      ['products', summary.products],
      ['interactions', summary.interactions],
      ['settlements', summary.settlements],
      ['deals', summary.deals],
      ['regions', summary.regions],
      ['managers', summary.managers],
    ] as const) {
      expect(await count(`SELECT COUNT(*) AS n FROM ${table}`), table).toBe(n);
    }
    expect(summary.interactions).toBeGreaterThan(0);
    expect(summary.deals).toBeGreaterThan(0);
  });

  it('puts Perm and its districts below the Ural region below Russia, with the closure filled', async () => {
    const parents = Object.fromEntries(
      (await db.query<{ id: string; parent_id: string | null }>("SELECT id, parent_id FROM regions WHERE id IN ('perm', 'ural', 'ru', 'perm-leninsky')")).map((r) => [r.id, r.parent_id]),
    );
    expect(parents).toEqual({ ru: null, ural: 'ru', perm: 'ural', 'perm-leninsky': 'perm' });
    const closure = await db.query("SELECT ancestor_id, depth FROM regions_closure WHERE descendant_id = 'perm-leninsky' ORDER BY depth");
    expect(closure).toEqual([
      { ancestor_id: 'perm-leninsky', depth: 0 },
      { ancestor_id: 'perm', depth: 1 },
      { ancestor_id: 'ural', depth: 2 },
      { ancestor_id: 'ru', depth: 3 },
    ]);
    // Partners live in Perm's districts and elsewhere.
    expect(await count("SELECT COUNT(*) AS n FROM partners p JOIN regions_closure c ON c.descendant_id = p.region_id WHERE c.ancestor_id = 'perm'")).toBeGreaterThan(0);
    expect(await count("SELECT COUNT(*) AS n FROM partners WHERE region_id LIKE 'perm-%'")).toBeGreaterThan(0);
    expect(await count('SELECT COUNT(*) AS n FROM partner_groups_closure WHERE depth = 2')).toBeGreaterThan(0);
  });

  it('has companies and persons; persons have birth dates, some of them today and some on February 29', async () => {
    const forms = await db.query<{ legal_form: string; n: number; born: number }>('SELECT legal_form, COUNT(*) AS n, COUNT(birth_date) AS born FROM partners GROUP BY legal_form ORDER BY legal_form');
    expect(forms.map((f) => f.legal_form)).toEqual(['company', 'person']);
    expect(forms[0]!.born).toBe(0);
    expect(forms[1]!.born).toBe(forms[1]!.n);
    const births = (await db.query<{ birth_date: string }>("SELECT birth_date FROM partners WHERE legal_form = 'person' AND deleted = FALSE")).map((r) => r.birth_date);
    expect(births.filter((d) => d.slice(5) === TODAY.slice(5)).length).toBeGreaterThan(0);
    expect(births.filter((d) => d.slice(5) === '02-29').length).toBeGreaterThan(0);
    expect(await count("SELECT COUNT(*) AS n FROM partners WHERE name LIKE 'ООО «%' AND legal_form = 'company'")).toBeGreaterThan(0);
    expect(await count("SELECT COUNT(*) AS n FROM partners WHERE name LIKE 'ИП %' AND legal_form = 'person'")).toBeGreaterThan(0);
  });

  it('has three years of sales ending today, a long tail of customers, and returns of things bought', async () => {
    const [range] = await db.query<{ first: string; last: string }>('SELECT MIN(date) AS first, MAX(date) AS last FROM sales');
    expect(range!.first >= '2022-06-16').toBe(true);
    expect(range!.last).toBe(TODAY);
    const revenues = (await db.query<{ revenue: number }>('SELECT SUM(revenue) AS revenue FROM sales GROUP BY partner_id ORDER BY 1 DESC')).map((r) => r.revenue);
    const total = revenues.reduce((a, b) => a + b, 0);
    const top = revenues.slice(0, Math.ceil(revenues.length / 5)).reduce((a, b) => a + b, 0);
    expect(top / total).toBeGreaterThan(0.5);
    const returns = await db.query<Row>('SELECT partner_id, product_id, date, quantity, revenue, cost FROM sales WHERE quantity < 0 ORDER BY id');
    expect(returns.length).toBeGreaterThan(0);
    for (const r of returns) {
      expect(r.revenue as number).toBeLessThan(0);
      expect(r.cost as number).toBeLessThanOrEqual(0);
    }
    // Each return follows a purchase of the same product by the same partner.
    const unmatched = await count(
      `SELECT COUNT(*) AS n FROM sales r WHERE r.quantity < 0 AND NOT EXISTS (
         SELECT 1 FROM sales b WHERE b.partner_id = r.partner_id AND b.product_id = r.product_id AND b.quantity > 0 AND b.date <= r.date)`,
    );
    expect(unmatched).toBe(0);
    // Every line names a partner and a product that exist.
    expect(await count('SELECT COUNT(*) AS n FROM sales s JOIN partners p ON p.id = s.partner_id JOIN products g ON g.id = s.product_id')).toBe(SALES);
  });

  it('has interactions of several types; surveys, and only surveys, carry a score from 0 to 10', async () => {
    const types = await db.query<{ type: string; n: number; scored: number; low: number | null; high: number | null }>(
      'SELECT type, COUNT(*) AS n, COUNT(score) AS scored, MIN(score) AS low, MAX(score) AS high FROM interactions GROUP BY type ORDER BY type',
    );
    expect(types.map((t) => t.type)).toEqual(['call', 'email', 'letter', 'meeting', 'request', 'survey']);
    for (const t of types) {
      if (t.type === 'survey') {
        expect(t.scored).toBe(t.n);
        expect(t.low!).toBeGreaterThanOrEqual(0);
        expect(t.high!).toBeLessThanOrEqual(10);
      } else {
        expect(t.scored).toBe(0);
      }
    }
    expect(await count("SELECT COUNT(*) AS n FROM interactions WHERE direction NOT IN ('in', 'out') OR date > $1", [TODAY])).toBe(0);
  });

  it('has settlements with debts overdue by more than a month (oldest debts paid first)', async () => {
    const entries = await db.query<{ partner_id: string; date: string; amount: number; due_date: string | null }>(
      'SELECT partner_id, date, amount, due_date FROM settlements ORDER BY partner_id, date, id',
    );
    const byPartner = new Map<string, typeof entries>();
    for (const e of entries) byPartner.set(e.partner_id, [...(byPartner.get(e.partner_id) ?? []), e]);
    // docs/rules.md: overdue = max(0, balance − debts not yet due); the oldest unpaid debt gives the days.
    let overdueLong = 0;
    for (const list of byPartner.values()) {
      const balance = list.reduce((sum, e) => sum + e.amount, 0);
      const notYetDue = list.filter((e) => e.amount > 0 && (e.due_date ?? e.date) >= TODAY).reduce((sum, e) => sum + e.amount, 0);
      const overdue = Math.max(0, balance - notYetDue);
      if (overdue <= 0) continue;
      const debts = list.filter((e) => e.amount > 0 && (e.due_date ?? e.date) < TODAY).sort((a, b) => ((a.due_date ?? a.date) < (b.due_date ?? b.date) ? -1 : 1));
      let paid = list.filter((e) => e.amount < 0).reduce((sum, e) => sum - e.amount, 0);
      const oldestUnpaid = debts.find((d) => (paid -= d.amount) < 0);
      if (oldestUnpaid && (oldestUnpaid.due_date ?? oldestUnpaid.date) < addDays(TODAY, -30)) overdueLong++;
    }
    expect(overdueLong).toBeGreaterThan(0);
    expect(await count('SELECT COUNT(*) AS n FROM settlements WHERE amount < 0')).toBeGreaterThan(0);
  });

  it('has deals won, lost (with a reason) and open', async () => {
    const outcomes = await db.query<{ outcome: string; n: number; reasons: number; closed: number }>(
      'SELECT outcome, COUNT(*) AS n, COUNT(lost_reason) AS reasons, COUNT(closed_at) AS closed FROM deals GROUP BY outcome ORDER BY outcome',
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(['lost', 'open', 'won']);
    const [lost, open, won] = outcomes;
    expect(lost!.reasons).toBe(lost!.n);
    expect(lost!.closed).toBe(lost!.n);
    expect(open!.closed).toBe(0);
    expect(won!.reasons).toBe(0);
  });

  it('refuses to load into a database that holds data, and replaces it when asked', async () => {
    await expect(loadDemo(db, { seed: 11, partners: 10, today: TODAY })).rejects.toMatchObject({ code: 'DEMO_DATABASE_NOT_EMPTY' });
    expect(await count('SELECT COUNT(*) AS n FROM partners')).toBe(PARTNERS);
    const replaced = await loadDemo(db, { seed: 12, partners: 20, sales: 100, today: TODAY, replace: true });
    expect(replaced).toMatchObject({ partners: 20, sales: 100 });
    expect(await count('SELECT COUNT(*) AS n FROM partners')).toBe(20);
    expect(await count('SELECT COUNT(*) AS n FROM sales')).toBe(100);
    expect(await count('SELECT COUNT(*) AS n FROM regions')).toBe(summary.regions);
  });
});
