/**
 * CSI/NPS, the renew index, lifecycle stages, matrix quadrants and the named RFM segments on
 * the hand-made company of analytics-fixture.ts, on every engine. Expected values by hand.
 */
import { ALL_PARTNERS } from '../src/domain/access/principal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csiNps, type SatisfactionRow } from '../src/domain/analytics/csi-nps.js';
import { applyLifecycleSegments, lifecycleSummary, saveLifecycleSettings } from '../src/domain/analytics/lifecycle.js';
import { applyMatrixSegments, matrixInputSchema, saveMatrix } from '../src/domain/analytics/matrix.js';
import { refreshRenewIndex, saveRenewSettings } from '../src/domain/analytics/renew-index.js';
import { applyRfmTemplates, refreshRfm, RFM_TEMPLATES, rfmSegmentsRequestSchema, saveRfmSettings } from '../src/domain/analytics/rfm.js';
import { listScoreRuns } from '../src/domain/analytics/score-runs.js';
import { ScoreScheduler } from '../src/domain/analytics/score-scheduler.js';
import { memberIds } from '../src/domain/segments/member-pages.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import { previewRule } from '../src/domain/segments/preview-explain.js';
import { createServices } from '../src/app/services.js';
import type { Database } from '../src/storage/database.js';
import { AS_OF, loadAnalyticsCompany } from './analytics-fixture.js';
import { ENGINES } from './engines.js';

const pick = (rows: readonly SatisfactionRow[], scope: string, key: string | null, quarter: string) => {
  const row = rows.find((r) => r.scope === scope && r.key === key && r.quarter === quarter);
  if (!row) throw new Error(`no row ${scope} ${key} ${quarter}`);
  return row;
};

describe.each(ENGINES)('analytics on $name', (engine) => {
  let db: Database;
  const members = async (id: string) => (await memberIds(db, ALL_PARTNERS, await getSegment(db, id), { limit: 1000, offset: 0 })).ids;

  beforeAll(async () => {
    db = await engine.create();
    await loadAnalyticsCompany(db);
  });
  afterAll(async () => db?.close());

  it('CSI = answers 8–10 ÷ answers 1–3 and NPS = % 9–10 − % 0–6, by quarter, per manager and per segment', async () => {
    await db.run(`INSERT INTO segments (id, kind, name, method, rule) VALUES ('top', 'partner', 'Топ', 'manual', NULL)`);
    await db.run(`INSERT INTO segment_members (segment_id, member_id) VALUES ('top', 'c1'), ('top', 'c3')`);
    const result = await csiNps(db, ALL_PARTNERS, { from: '2025-01-01', to: AS_OF, segments: ['top'], byManager: true });
    const rows = result.rows;
    // Q1: 10, 9, 8, 2, 0 → promoters 2, passives 1, detractors 2 (2 and 0); CSI 3 (10, 9, 8) ÷ 1 (the 2; 0 is in neither).
    expect(pick(rows, 'all', null, '2025-Q1')).toMatchObject({ responses: 5, promoters: 2, passives: 1, detractors: 2, csiHigh: 3, csiLow: 1, csi: 3, nps: 0, averageScore: 5.8 });
    // Q2: 7, 3, 10, 6, 1, 9 → promoters 2, passives 1, detractors 3; CSI 2 ÷ 2 = 1; NPS 100 × (2 − 3) / 6.
    const q2 = pick(rows, 'all', null, '2025-Q2');
    expect(q2).toMatchObject({ responses: 6, promoters: 2, passives: 1, detractors: 3, csiHigh: 2, csiLow: 2, csi: 1, averageScore: 6 });
    expect(q2.nps).toBeCloseTo(-100 / 6, 10);
    // The period: 11 answers (the call, the answer without a score and the one of 2024-12-31 are not counted).
    const total = pick(rows, 'all', null, 'total');
    expect(total).toMatchObject({ responses: 11, promoters: 4, passives: 2, detractors: 5, csiHigh: 5, csiLow: 3 });
    expect(total.csi).toBeCloseTo(5 / 3, 10);
    expect(total.nps).toBeCloseTo(-100 / 11, 10);
    // m1 (c1, c2): 10, 7, 9, 9, 3 → NPS 100 × (3 − 1) / 5 = 40, CSI 3 ÷ 1; m2 (c3, c4): 8, 10, 2, 6 → NPS −25, CSI 2.
    expect(pick(rows, 'manager', 'm1', 'total')).toMatchObject({ name: 'Иванова', responses: 5, nps: 40, csi: 3 });
    expect(pick(rows, 'manager', 'm2', 'total')).toMatchObject({ name: 'Петров', responses: 4, nps: -25, csi: 2 });
    // c5 has no manager: 0 and 1 → NPS −100, CSI 0 ÷ 1 = 0.
    expect(pick(rows, 'manager', null, 'total')).toMatchObject({ name: '(no manager)', responses: 2, nps: -100, csi: 0 });
    // Segment top (c1, c3): 10, 7, 9, 8, 10 → NPS 100 × 3 / 5 = 60; no answer 1–3, so no CSI.
    expect(pick(rows, 'segment', 'top', 'total')).toMatchObject({ name: 'Топ', responses: 5, promoters: 3, passives: 2, detractors: 0, nps: 60, csi: null });
    expect(rows.filter((r) => r.scope === 'all').map((r) => r.quarter)).toEqual(['total', '2025-Q1', '2025-Q2']);
  });

  it('renew index: the sum of the chosen properties, a missing one counting 0', async () => {
    await expect(saveRenewSettings(db, { properties: ['note'] })).rejects.toMatchObject({ code: 'RENEW_PROPERTY_INVALID' });
    await expect(saveRenewSettings(db, { properties: ['nothing'] })).rejects.toMatchObject({ code: 'RENEW_PROPERTY_INVALID' });
    const result = await refreshRenewIndex(db, { trigger: 'api' });
    // l1 5 + 4 + 3 = 12; l2 2 + 2 = 4; l3 1 + 1 + 5 = 7; c1 brandStrength 6 (out of 1–5, summed as it is).
    expect(result).toMatchObject({ scored: 4, outOfRange: 1, properties: ['brandStrength', 'orderAttractiveness', 'refusalStatus'] });
    const rows = await db.query<{ partner_id: string; value: number }>(`SELECT partner_id, value FROM partner_scores WHERE score = 'renew.index' ORDER BY partner_id`);
    expect(rows.map((r) => [r.partner_id, Number(r.value)])).toEqual([
      ['c1', 6],
      ['l1', 12],
      ['l2', 4],
      ['l3', 7],
    ]);
    expect((await previewRule(db, ALL_PARTNERS, { kind: 'partner', rule: { score: 'renew.index', op: 'gte', value: 7 }, parameters: {} }, 10)).sampleIds).toEqual(['l1', 'l3']);
    await saveRenewSettings(db, { properties: ['brandStrength', 'refusalStatus'] });
    await refreshRenewIndex(db, { trigger: 'api' });
    const two = await db.query<{ partner_id: string; value: number }>(`SELECT partner_id, value FROM partner_scores WHERE score = 'renew.index' ORDER BY partner_id`);
    expect(two.map((r) => [r.partner_id, Number(r.value)])).toEqual([
      ['c1', 6],
      ['l1', 8],
      ['l2', 2],
      ['l3', 6],
    ]);
    expect((await listScoreRuns(db, 'renew')).map((r) => r.status)).toEqual(['ok', 'ok']);
  });

  it('lifecycle: current, refused and churned by the default rules, as segments', async () => {
    const summary = await lifecycleSummary(db, ALL_PARTNERS, AS_OF);
    // current: a purchase in 2024-07-01 … 2025-06-30: c1…c5. churned: bought, but not since: c6.
    // refused: never bought, an interaction or a deal: l1, l2, l3 (requests), l4 (a lost deal);
    // not l5 (deleted), s1 (a supplier), c7 (no contact).
    expect(summary.counts).toEqual({ current: 5, refused: 4, churned: 1 });
    const applied = await applyLifecycleSegments(createServices(db).segments, { method: 'dynamic', language: 'ru' });
    expect(applied.map((a) => [a.id, a.name, a.action])).toEqual([
      ['lifecycle-current', 'Текущие клиенты', 'created'],
      ['lifecycle-refused', 'Отказ', 'created'],
      ['lifecycle-churned', 'Отток', 'created'],
    ]);
    const refused = await memberIds(db, ALL_PARTNERS, await getSegment(db, 'lifecycle-refused'), { limit: 100, offset: 0 }, AS_OF);
    expect(refused.ids).toEqual(['l1', 'l2', 'l3', 'l4']);
    // Six months instead of twelve: c4 (last purchase 2024-11-01) is churned on 2025-06-30.
    await saveLifecycleSettings(db, { months: 6 });
    expect((await lifecycleSummary(db, ALL_PARTNERS, AS_OF)).counts).toEqual({ current: 4, refused: 4, churned: 2 });
    const again = await applyLifecycleSegments(createServices(db).segments, { method: 'dynamic', language: 'ru' });
    expect(again.every((a) => a.action === 'updated')).toBe(true);
    expect((await memberIds(db, ALL_PARTNERS, await getSegment(db, 'lifecycle-churned'), { limit: 100, offset: 0 }, AS_OF)).ids).toEqual(['c4', 'c6']);
    await expect(saveLifecycleSettings(db, { current: { attr: 'colour', op: 'eq', value: 'red' } })).rejects.toMatchObject({
      code: 'ANALYTICS_SETTINGS_INVALID',
      details: { issues: [expect.objectContaining({ path: 'current.attr' })] },
    });
  });

  it('matrix quadrants become rule segments with the same members as the scatter', async () => {
    await saveMatrix(
      db,
      'bcg',
      matrixInputSchema.parse({
        name: 'BCG',
        x: { label: 'Activity', source: { property: 'activity' }, threshold: 3 },
        y: { label: 'Monetary', source: { score: 'rfm.monetary' }, threshold: 1000 },
      }),
    );
    await refreshRfm(db, { asOf: AS_OF, trigger: 'api' });
    const applied = await applyMatrixSegments(createServices(db).segments, 'bcg', { method: 'periodic' });
    // activity: c1 4, c2 5, c3 2, c4 1; rfm.monetary: c1 3500, c2 300, c3 6000, c4 800 (l1 has activity 3 but no score).
    expect(applied.map((a) => [a.id, a.size])).toEqual([
      ['bcg-stars', 1],
      ['bcg-cash-cows', 1],
      ['bcg-problem-children', 1],
      ['bcg-dogs', 1],
    ]);
    expect([await members('bcg-stars'), await members('bcg-cash-cows'), await members('bcg-problem-children'), await members('bcg-dogs')]).toEqual([['c1'], ['c2'], ['c3'], ['c4']]);
    await expect(
      saveMatrix(db, 'bad', matrixInputSchema.parse({ name: 'Bad', x: { label: 'x', source: { property: 'note' }, threshold: 1 }, y: { label: 'y', source: { score: 'rfm.r' }, threshold: 3 } })),
    ).rejects.toMatchObject({ code: 'ANALYTICS_SETTINGS_INVALID' });
  });

  it('named RFM segments: every scored customer in exactly one, regenerated after each refresh', async () => {
    const applied = await applyRfmTemplates(createServices(db).segments, rfmSegmentsRequestSchema.parse({}));
    expect(applied).toHaveLength(RFM_TEMPLATES.length);
    // (R, F): c1 (4,4) loyal; c2 (4,1) promising; c3 (2,3) at risk; c4 (1,5) can't lose; c5 (3,1) about to sleep.
    const sizes = Object.fromEntries(applied.map((a) => [a.id, a.size]));
    expect(sizes).toMatchObject({ 'rfm-loyal': 1, 'rfm-promising': 1, 'rfm-at-risk': 1, 'rfm-cant-lose': 1, 'rfm-about-to-sleep': 1, 'rfm-champions': 0, 'rfm-lost': 0 });
    expect(await members('rfm-cant-lose')).toEqual(['c4']);
    // The 25 cells of the 5 × 5 grid are each in exactly one template.
    const cells = new Map<string, number>();
    for (const t of RFM_TEMPLATES) for (let r = t.r[0]; r <= t.r[1]; r++) for (let f = t.f[0]; f <= t.f[1]; f++) cells.set(`${r}${f}`, (cells.get(`${r}${f}`) ?? 0) + 1);
    expect(cells.size).toBe(25);
    expect([...cells.values()].every((n) => n === 1)).toBe(true);
    // As of 2025-11-15 the window is 2024-11-16 … 2025-11-15: c4's purchases (2024-08-01 … 2024-11-01)
    // are out of it, so c4 loses its scores, and the periodic segment "can't lose" is generated again.
    const later = await refreshRfm(db, { asOf: '2025-11-15', trigger: 'api' });
    expect(later.scored).toBe(4);
    expect(await db.query(`SELECT score FROM partner_scores WHERE partner_id = 'c4' AND score LIKE 'rfm.%'`)).toEqual([]);
    expect(later.segments.map((s) => s.segmentId)).toContain('rfm-cant-lose');
    expect(await members('rfm-cant-lose')).toEqual([]);
    await saveRfmSettings(db, { bins: 3 });
    await expect(applyRfmTemplates(createServices(db).segments, rfmSegmentsRequestSchema.parse({}))).rejects.toMatchObject({ code: 'RFM_TEMPLATES_NEED_FIVE_BINS' });
    await expect(saveRfmSettings(db, { window: { last: { weeks: 2 } } })).rejects.toMatchObject({ code: 'ANALYTICS_SETTINGS_INVALID' });
  });

  it('refreshes scores on their schedule, each firing once across server processes', async () => {
    await saveRenewSettings(db, { schedule: 'every 600 seconds' });
    const a = new ScoreScheduler(db);
    const b = new ScoreScheduler(db);
    try {
      await a.start();
      await b.start();
      expect(a.nextRun('renew')).not.toBeNull();
      expect(a.nextRun('rfm')).toBeNull();
      const before = (await listScoreRuns(db, 'renew')).length;
      const now = new Date();
      expect((await Promise.all([a.fire('renew', now), b.fire('renew', now)])).filter(Boolean)).toHaveLength(1);
      const runs = await listScoreRuns(db, 'renew');
      expect(runs).toHaveLength(before + 1);
      expect(runs[0]).toMatchObject({ trigger: 'schedule', status: 'ok' });
      expect(await a.fire('renew', new Date(now.getTime() + 600_000))).toBe(true);
    } finally {
      a.stop();
      b.stop();
    }
  });
});
