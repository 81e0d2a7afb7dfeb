/**
 * Reports and analytics on the demo company (SPEC §4, §6; issue 5): the time of an RFM refresh,
 * of the renew index, of generating the named RFM segments, and of each report as JSON (and the
 * XLSX export of the ones people download).
 *
 * What it writes into the demo: the RFM and renew scores (derived data, the same on every run
 * with the same asOf) and their run records. The segments and the matrix it reports on are its
 * own (`bench-reports-…`) and are deleted when it ends.
 */
import { ALL_PARTNERS } from '../domain/access/principal.js';
import { applyMatrixSegments, deleteMatrix, matrixInputSchema, saveMatrix } from '../domain/analytics/matrix.js';
import { refreshRenewIndex, saveRenewSettings } from '../domain/analytics/renew-index.js';
import { readStoredSettings, writeSettings } from '../domain/analytics/settings.js';
import { applyRfmTemplates, refreshRfm, rfmSegmentsRequestSchema } from '../domain/analytics/rfm.js';
import { reportToXlsx } from '../domain/reports/export-xlsx.js';
import { findReport, runReport, type ReportResult } from '../domain/reports/index.js';
import { rebuildSegment } from '../domain/segments/rebuild.js';
import { findSegment, getSegment, listSegments } from '../domain/segments/segments.repository.js';
import { createServices } from '../app/services.js';
import { segmentInputSchema } from '../domain/segments/segment.schema.js';
import { loadRuleCatalog } from '../rules/catalog.js';
import type { Database } from '../storage/database.js';
import type { BenchContext, BenchEngine, BenchFigure, BenchSection } from './bench-section.js';

const PREFIX = 'bench-reports-';

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: Math.round((performance.now() - started) * 10) / 10 };
}

/** The last day with a sale: reports look at the demo's own history, whatever today is. */
async function lastSaleDate(db: Database): Promise<string> {
  const [row] = await db.query<{ d: string | null }>('SELECT CAST(MAX(date) AS DATE) AS d FROM sales');
  return row?.d ?? new Date().toISOString().slice(0, 10);
}

/** The bench's own stored segments: big enough to weigh, overlapping, from rules any demo can satisfy. */
const SEGMENTS = [
  { id: `${PREFIX}buyers`, name: 'Bench: bought in the last 3 months', rule: { measure: 'sales.documents', period: { last: { months: 3 } }, op: 'gt', value: 0 } },
  { id: `${PREFIX}top-r`, name: 'Bench: R ≥ 4', rule: { score: 'rfm.r', op: 'gte', value: 4 } },
  { id: `${PREFIX}top-m`, name: 'Bench: M ≥ 4', rule: { score: 'rfm.m', op: 'gte', value: 4 } },
];

async function cleanUp(db: Database): Promise<void> {
  for (const segment of await listSegments(db))
    if (segment.id.startsWith(PREFIX))
      await createServices(db)
        .segments.delete(segment.id)
        .catch(() => undefined);
  await deleteMatrix(db, `${PREFIX}matrix`).catch(() => undefined);
}

async function measure(ctx: BenchContext, engine: BenchEngine): Promise<BenchFigure[]> {
  const db = await ctx.openDemo(engine);
  const figures: BenchFigure[] = [];
  const figure = (metric: string, ms: number) => {
    figures.push({ metric, engine, value: ms, unit: 'ms' });
    ctx.log(`[reports ${engine}] ${metric}: ${ms} ms`);
  };
  try {
    await cleanUp(db);
    const asOf = await lastSaleDate(db);
    const [partners] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM partners');
    ctx.log(`[reports ${engine}] ${Number(partners?.n ?? 0).toLocaleString('en-US')} partners, as of ${asOf}`);

    const rfm = await timed(() => refreshRfm(db, { asOf, trigger: 'cli' }));
    figure(`RFM refresh (${rfm.value.scored.toLocaleString('en-US')} customers scored)`, rfm.ms);
    // The daily case: every stored RFM score is replaced.
    const again = await timed(() => refreshRfm(db, { asOf, trigger: 'cli' }));
    figure('RFM refresh again (replacing the stored scores)', again.ms);

    // The renew index over the demo's own number properties; the demo's settings are put back after.
    const numberProperties = [...(await loadRuleCatalog(db)).properties.partner].filter(([, type]) => type === 'number').map(([name]) => name);
    if (numberProperties.length) {
      const stored = await readStoredSettings(db, 'renew');
      try {
        await saveRenewSettings(db, { properties: numberProperties.slice(0, 3), rebuildSegments: false });
        const renew = await timed(() => refreshRenewIndex(db, { trigger: 'cli' }));
        figure(`renew index refresh (${renew.value.scored.toLocaleString('en-US')} partners)`, renew.ms);
      } finally {
        if (stored === null) await db.run(`DELETE FROM analytics_settings WHERE name = 'renew'`);
        else await writeSettings(db, 'renew', stored);
      }
    }

    for (const s of SEGMENTS) {
      if (!(await findSegment(db, s.id))) await createServices(db).segments.create(segmentInputSchema.parse({ ...s, method: 'periodic' }));
      await rebuildSegment(db, await getSegment(db, s.id), 'cli', { asOf });
    }
    const templates = await timed(() => applyRfmTemplates(createServices(db).segments, rfmSegmentsRequestSchema.parse({ prefix: `${PREFIX}rfm-`, method: 'periodic' })));
    figure('named RFM segments: create and generate all 11', templates.ms);

    await saveMatrix(
      db,
      `${PREFIX}matrix`,
      matrixInputSchema.parse({
        name: 'Bench matrix',
        x: { label: 'Frequency', source: { score: 'rfm.frequency' }, threshold: 3 },
        y: { label: 'Revenue, 12 months', source: { measure: 'sales.revenue', period: { last: { months: 12 } } }, threshold: 50_000 },
      }),
    );
    const quadrants = await timed(() => applyMatrixSegments(createServices(db).segments, `${PREFIX}matrix`, { method: 'periodic' }));
    figure('matrix quadrants: create and generate 4 segments', quadrants.ms);

    const [buyers, topR, topM] = SEGMENTS.map((s) => s.id);
    const run = async (name: string, params: Record<string, string>, xlsx = false): Promise<void> => {
      const report = findReport(name);
      const result = await timed<ReportResult>(() => runReport(db, ALL_PARTNERS, report, report.params.parse(params)));
      figure(`report ${name}`, result.ms);
      if (xlsx) figure(`report ${name} → XLSX`, (await timed(() => reportToXlsx(result.value))).ms);
    };
    await run('rfm-grid', {}, true);
    await run('segment-sales', { segment: buyers!, asOf, to: asOf }, true);
    await run('intersections', { segments: [buyers, topR, topM].join(','), limit: '10000' }, true);
    await run('settlements', { segment: topM!, asOf, limit: '10000' }, true);
    await run('composition', { segment: buyers!, asOf, limit: '10000' }, true);
    await run('membership-history', { segment: buyers!, limit: '10000' });
    await run('matrix-scatter', { matrix: `${PREFIX}matrix`, asOf, limit: '10000' }, true);
    await run('csi-nps', { asOf }, true);
    await run('renew-ranking', { limit: '10000' });
    await run('lifecycle', { asOf });
  } finally {
    await cleanUp(db).catch(() => undefined);
    await db.close();
  }
  return figures;
}

export const reportsBench: BenchSection = {
  name: 'reports',
  title: 'Analytics and reports on the demo company',
  async run(ctx) {
    const figures: BenchFigure[] = [];
    for (const engine of ctx.engines) figures.push(...(await measure(ctx, engine)));
    return figures;
  },
};
