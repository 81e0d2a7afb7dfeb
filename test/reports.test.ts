/**
 * Every report on the hand-made company of analytics-fixture.ts, on every engine; each expected
 * number is worked out by hand in the comments from the fixture's rows.
 */
import { ALL_PARTNERS } from '../src/domain/access/principal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshRfm } from '../src/domain/analytics/rfm.js';
import { saveMatrix, matrixInputSchema } from '../src/domain/analytics/matrix.js';
import { rebuildSegment } from '../src/domain/segments/rebuild.js';
import { addMembers } from '../src/domain/segments/manual-members.js';
import { segmentInputSchema } from '../src/domain/segments/segment.schema.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import { createServices } from '../src/app/services.js';
import { findReport, runReport, type ReportResult } from '../src/domain/reports/index.js';
import type { Database } from '../src/storage/database.js';
import { AS_OF, loadAnalyticsCompany } from './analytics-fixture.js';
import { ENGINES } from './engines.js';

const table = (result: ReportResult, name: string) => {
  const found = result.tables.find((t) => t.name === name);
  if (!found) throw new Error(`no table ${name}`);
  return found;
};

describe.each(ENGINES)('reports on $name', (engine) => {
  let db: Database;
  const report = (name: string, params: Record<string, unknown>) => {
    const definition = findReport(name);
    return runReport(db, ALL_PARTNERS, definition, definition.params.parse(params));
  };
  const segment = (input: Record<string, unknown>) => createServices(db).segments.create(segmentInputSchema.parse(input));

  beforeAll(async () => {
    db = await engine.create();
    await loadAnalyticsCompany(db);
    await refreshRfm(db, { asOf: AS_OF, trigger: 'api' });
    await segment({ id: 'top', name: 'Топ', method: 'manual' });
    await addMembers(db, await getSegment(db, 'top'), ['c1', 'c3']);
    await segment({ id: 'buyers-q2', name: 'Покупали во 2 кв.', method: 'manual' });
    await addMembers(db, await getSegment(db, 'buyers-q2'), ['c1', 'c2', 'c5']);
    await segment({ id: 'vip', name: 'VIP', method: 'manual' });
    await addMembers(db, await getSegment(db, 'vip'), ['c2', 'c3']);
    await segment({ id: 'perm-dyn', name: 'Пермь', method: 'dynamic', rule: { attr: 'region', op: 'eq', value: 'perm' } });
    await segment({
      id: 'big',
      name: 'Крупные в Перми',
      method: 'periodic',
      rule: {
        all: [
          { attr: 'region', op: 'eq', value: 'perm' },
          { measure: 'sales.revenue', period: { last: { months: 12 } }, op: 'gte', value: 1000 },
        ],
      },
    });
    await rebuildSegment(db, await getSegment(db, 'big'), 'api', { asOf: AS_OF });
  });
  afterAll(async () => db?.close());

  it('segment-sales: revenue, gross profit and quantity by month, empty months as zeros', async () => {
    const result = await report('segment-sales', { segment: 'top', from: '2024-12-01', to: AS_OF });
    // top = c1, c3. 2024-12: c3 D6 1000/800 ×4; 2025-01: c3 D5 5000/3000 ×20; 2025-03: c1 D3 500/300 ×5;
    // 2025-05: c1 D2 2000/1500 ×10; 2025-06: c1 D1 600/400 ×2 + 400/300 ×1.
    expect(table(result, 'months').rows).toEqual([
      { month: '2024-12', revenue: 1000, cost: 800, grossProfit: 200, quantity: 4, documents: 1, partners: 1 },
      { month: '2025-01', revenue: 5000, cost: 3000, grossProfit: 2000, quantity: 20, documents: 1, partners: 1 },
      { month: '2025-02', revenue: 0, cost: 0, grossProfit: 0, quantity: 0, documents: 0, partners: 0 },
      { month: '2025-03', revenue: 500, cost: 300, grossProfit: 200, quantity: 5, documents: 1, partners: 1 },
      { month: '2025-04', revenue: 0, cost: 0, grossProfit: 0, quantity: 0, documents: 0, partners: 0 },
      { month: '2025-05', revenue: 2000, cost: 1500, grossProfit: 500, quantity: 10, documents: 1, partners: 1 },
      { month: '2025-06', revenue: 1000, cost: 700, grossProfit: 300, quantity: 3, documents: 1, partners: 1 },
    ]);
    expect(result.summary).toMatchObject({ revenue: 9500, cost: 6300, grossProfit: 3200, quantity: 42 });
    // A return reduces its month: buyers-q2 in June 2025 = c1 1000 + c2 300 + c5 800 − 300 = 1800, quantity 3 + 3 + 2 − 1 = 7.
    const june = await report('segment-sales', { segment: 'buyers-q2', from: '2025-06-01', to: AS_OF });
    expect(table(june, 'months').rows).toEqual([{ month: '2025-06', revenue: 1800, cost: 1200, grossProfit: 600, quantity: 7, documents: 3, partners: 3 }]);
    // membersAsOf reads a stored segment's list from its history: on 2020-01-01 nobody had been added yet.
    const before = await report('segment-sales', { segment: 'top', from: '2024-12-01', to: AS_OF, membersAsOf: '2020-01-01' });
    expect(before.summary).toMatchObject({ revenue: 0, quantity: 0 });
    const today = new Date().toISOString().slice(0, 10);
    expect((await report('segment-sales', { segment: 'top', from: '2024-12-01', to: AS_OF, membersAsOf: today })).summary).toMatchObject({ revenue: 9500 });
  });

  it('intersections: overlap counts of every pair and the partners in two or more', async () => {
    const result = await report('intersections', { segments: 'top,buyers-q2,vip' });
    // top {c1,c3}, buyers-q2 {c1,c2,c5}, vip {c2,c3}: top∩buyers = c1, top∩vip = c3, buyers∩vip = c2.
    expect(table(result, 'overlaps').rows).toEqual([
      { segment: 'top', name: 'Топ', 's:top': 2, 's:buyers-q2': 1, 's:vip': 1 },
      { segment: 'buyers-q2', name: 'Покупали во 2 кв.', 's:top': 1, 's:buyers-q2': 3, 's:vip': 1 },
      { segment: 'vip', name: 'VIP', 's:top': 1, 's:buyers-q2': 1, 's:vip': 2 },
    ]);
    expect(table(result, 'members').rows).toEqual([
      { memberId: 'c1', name: 'ООО Альфа', segments: 2, 's:top': 1, 's:buyers-q2': 1, 's:vip': 0 },
      { memberId: 'c2', name: 'ООО Бета', segments: 2, 's:top': 0, 's:buyers-q2': 1, 's:vip': 1 },
      { memberId: 'c3', name: 'ООО Гамма', segments: 2, 's:top': 1, 's:buyers-q2': 0, 's:vip': 1 },
    ]);
    expect(result.summary).toMatchObject({ segments: 3, membersInOverlaps: 3 });
    const before = await report('intersections', { segments: 'top,buyers-q2,vip', membersAsOf: '2020-01-01' });
    expect(table(before, 'overlaps').rows[0]).toMatchObject({ 's:top': 0, 's:buyers-q2': 0 });
    await expect(report('intersections', { segments: 'top,perm-dyn' })).rejects.toMatchObject({ code: 'REPORT_SEGMENT_NOT_STORED' });
  });

  it("settlements: each member's balance, overdue and days overdue on a date", async () => {
    const result = await report('settlements', { segment: 'top', asOf: AS_OF });
    // c1: +1000 due 2025-05-31, −400 → 600 owed, all overdue, 30 days; c3: −200 → we owe 200.
    expect(table(result, 'partners').rows).toEqual([
      { partnerId: 'c1', name: 'ООО Альфа', manager: 'm1', receivable: 600, payable: 0, balance: 600, overdueReceivable: 600, maxDaysOverdue: 30 },
      { partnerId: 'c3', name: 'ООО Гамма', manager: 'm2', receivable: 0, payable: 200, balance: -200, overdueReceivable: 0, maxDaysOverdue: 0 },
    ]);
    expect(result.summary).toMatchObject({ partners: 2, receivable: 600, payable: 200, balance: 400, overdueReceivable: 600, partnersOverdue: 1 });
    // c2 owes 500 due 2025-07-20: not overdue on AS_OF; 20 days overdue on 2025-08-09.
    const later = await report('settlements', { segment: 'vip', asOf: '2025-08-09' });
    expect(table(later, 'partners').rows[0]).toMatchObject({ partnerId: 'c2', receivable: 500, overdueReceivable: 500, maxDaysOverdue: 20 });
  });

  it('composition: the members with the value of every field the rule reads', async () => {
    const result = await report('composition', { segment: 'big', asOf: AS_OF });
    const members = table(result, 'members');
    expect(members.columns.map((c) => c.title)).toEqual(['Id', 'Name', 'region', 'sales.revenue (2024-07-01 – 2025-06-30)']);
    expect(members.rows).toEqual([
      { id: 'c1', name: 'ООО Альфа', f0: 'perm', f1: 3500 },
      { id: 'c3', name: 'ООО Гамма', f0: 'perm', f1: 6000 },
    ]);
    expect(result.summary).toMatchObject({ members: 2, fields: 2 });
  });

  it('rfm-grid: customers and revenue per R × F cell', async () => {
    const result = await report('rfm-grid', {});
    // (R, F): c1 (4,4) 3500; c2 (4,1) 300; c3 (2,3) 6000; c4 (1,5) 800; c5 (3,1) 500.
    const customers = table(result, 'customers').rows;
    expect(customers.map((r) => r.r)).toEqual(['R5', 'R4', 'R3', 'R2', 'R1']);
    expect(customers).toEqual([
      { r: 'R5', f1: 0, f2: 0, f3: 0, f4: 0, f5: 0, total: 0 },
      { r: 'R4', f1: 1, f2: 0, f3: 0, f4: 1, f5: 0, total: 2 },
      { r: 'R3', f1: 1, f2: 0, f3: 0, f4: 0, f5: 0, total: 1 },
      { r: 'R2', f1: 0, f2: 0, f3: 1, f4: 0, f5: 0, total: 1 },
      { r: 'R1', f1: 0, f2: 0, f3: 0, f4: 0, f5: 1, total: 1 },
    ]);
    expect(table(result, 'revenue').rows[1]).toEqual({ r: 'R4', f1: 300, f2: 0, f3: 0, f4: 3500, f5: 0, total: 3800 });
    expect(result.summary).toMatchObject({ bins: 5, customers: 5, revenue: 11100, asOf: AS_OF });
    const cell = table(result, 'cells').rows.find((c) => c.r === 2 && c.f === 3);
    // 6000 of 3500 + 300 + 6000 + 800 + 500 = 11100.
    expect(cell).toMatchObject({ customers: 1, revenue: 6000, customerShare: 0.2 });
    expect(cell?.revenueShare).toBeCloseTo(6000 / 11100, 12);
    const inTop = await report('rfm-grid', { segment: 'top' });
    expect(inTop.summary).toMatchObject({ customers: 2, revenue: 9500 });
  });

  it('matrix-scatter: each placed partner with x, y and quadrant; partners per quadrant', async () => {
    await saveMatrix(
      db,
      'bcg',
      matrixInputSchema.parse({
        name: 'Активность × ёмкость',
        x: { label: 'Активность', source: { property: 'activity' }, threshold: 3 },
        y: { label: 'Выручка за год', source: { measure: 'sales.revenue', period: { last: { months: 12 } } }, threshold: 1000 },
        filter: { attr: 'roles', op: 'contains', value: 'customer' },
      }),
    );
    const result = await report('matrix-scatter', { matrix: 'bcg', asOf: AS_OF });
    // activity: c1 4, c2 5, c3 2, c4 1 (c5 has none: not placed; l1 is no customer).
    // revenue: c1 3500, c2 300, c3 6000, c4 800.
    expect(table(result, 'points').rows).toEqual([
      { partnerId: 'c1', name: 'ООО Альфа', x: 4, y: 3500, quadrant: 'stars' },
      { partnerId: 'c2', name: 'ООО Бета', x: 5, y: 300, quadrant: 'cash-cows' },
      { partnerId: 'c3', name: 'ООО Гамма', x: 2, y: 6000, quadrant: 'problem-children' },
      { partnerId: 'c4', name: 'ООО Дельта', x: 1, y: 800, quadrant: 'dogs' },
    ]);
    expect(table(result, 'quadrants').rows.map((q) => [q.quadrant, q.partners, q.share])).toEqual([
      ['stars', 1, 0.25],
      ['cash-cows', 1, 0.25],
      ['problem-children', 1, 0.25],
      ['dogs', 1, 0.25],
    ]);
  });

  it('membership-history: who entered and left, and daily counts', async () => {
    // c5 (Perm) buys 600 more: 500 + 600 = 1100 ≥ 1000, so the next generation adds it.
    await db.run(`INSERT INTO sales (id, document, date, partner_id, product_id, quantity, revenue, cost) VALUES ('x1', 'DX', CAST('2025-06-25' AS DATE), 'c5', 'g1', 1, 600, 300)`);
    await rebuildSegment(db, await getSegment(db, 'big'), 'api', { asOf: AS_OF });
    await db.run(`DELETE FROM sales WHERE id = 'x1'`);
    const result = await report('membership-history', { segment: 'big' });
    const events = table(result, 'events').rows.map((e) => `${e.memberId}:${e.event}`);
    expect(events).toEqual(['c5:entered', 'c1:entered', 'c3:entered']);
    expect(result.summary).toMatchObject({ entered: 3, left: 0, membersNow: 3 });
    const days = table(result, 'days').rows;
    expect(days.reduce((sum, d) => sum + Number(d.entered), 0)).toBe(3);
    await expect(report('membership-history', { segment: 'perm-dyn' })).rejects.toMatchObject({ code: 'REPORT_SEGMENT_NOT_STORED' });
  });
});
