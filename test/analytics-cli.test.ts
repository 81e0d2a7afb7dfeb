/**
 * `segmenta analytics …` and `segmenta report …` end to end on a DuckDB file holding the
 * hand-made company of analytics-fixture.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentaCli } from './support/segmenta-cli.js';
import { openDatabase } from '../src/storage/open-database.js';
import { AS_OF, loadAnalyticsCompany } from './analytics-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'segmenta-analytics-cli-'));
const dbPath = join(dir, 'cli.duckdb');

/** `segmenta --db <tmp> …` as a user runs it. */
const segmenta = segmentaCli(dbPath);

describe('segmenta analytics and segmenta report', () => {
  beforeAll(async () => {
    const db = await openDatabase({ path: dbPath });
    try {
      await loadAnalyticsCompany(db);
      await db.run(`INSERT INTO segments (id, kind, name, method) VALUES ('top', 'partner', 'Топ', 'manual'), ('vip', 'partner', 'VIP', 'manual')`);
      await db.run(`INSERT INTO segment_members (segment_id, member_id) VALUES ('top', 'c1'), ('top', 'c3'), ('vip', 'c2'), ('vip', 'c3')`);
    } finally {
      await db.close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refreshes RFM, creates the named segments and prints the RFM grid', async () => {
    const refreshed = await segmenta('analytics', 'rfm', 'refresh', '--as-of', AS_OF);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(refreshed.stdout).toMatch(/^RFM as of 2025-06-30 \(window 2024-07-01 – 2025-06-30, 5 bins\): 5 customers scored in \d+ ms/);
    const segments = await segmenta('analytics', 'rfm', 'segments', '--only', 'loyal,at-risk');
    expect(segments.code, segments.stderr).toBe(0);
    expect(segments.stdout).toMatch(/created\s+rfm-loyal\s+1 members/);
    const grid = await segmenta('report', 'rfm-grid');
    expect(grid.code, grid.stderr).toBe(0);
    const result = JSON.parse(grid.stdout);
    expect(result.summary).toMatchObject({ customers: 5, revenue: 11100 });
    expect(result.tables[0].rows[3]).toEqual({ r: 'R2', f1: 0, f2: 0, f3: 1, f4: 0, f5: 0, total: 1 });
  });

  it('writes CSI/NPS by quarter as XLSX and intersections as CSV', async () => {
    const out = join(dir, 'csi.xlsx');
    const xlsx = await segmenta('report', 'csi-nps', '--format', 'xlsx', '--out', out, '--from', '2025-01-01', '--to', AS_OF, '--segments', 'top');
    expect(xlsx.code, xlsx.stderr).toBe(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(out);
    const rows: unknown[][] = [];
    book.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    // total: 11 answers, promoters 4, detractors 5 → NPS −100/11; CSI 5/3.
    const total = rows.find((r) => r[0] === 'all' && r[3] === 'total')!;
    expect(total.slice(4, 10)).toEqual([11, 4, 2, 5, 5, 3]);
    expect(total[10]).toBeCloseTo(5 / 3, 10);
    expect(total[11]).toBeCloseTo(-100 / 11, 10);
    expect(rows.find((r) => r[0] === 'segment' && r[3] === 'total')?.[11]).toBe(60);

    const csv = await segmenta('report', 'intersections', '--format', 'csv', '--segments', 'top,vip');
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.replace(/^\uFEFF/, '').split('\r\n')).toEqual(['Segment,Name,Топ,VIP', 'top,Топ,2,1', 'vip,VIP,1,2', '']);
    const file = join(dir, 'sales.json');
    expect((await segmenta('report', 'segment-sales', '--segment', 'top', '--from', '2025-05-01', '--to', AS_OF, '--out', file)).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).tables[0].rows.map((r: { revenue: number }) => r.revenue)).toEqual([2000, 1000]);
  });

  it('saves a matrix from a file, shows the lifecycle, and reports errors without a stack', async () => {
    writeFileSync(
      join(dir, 'bcg.json'),
      JSON.stringify({ name: 'BCG', x: { label: 'Activity', source: { property: 'activity' }, threshold: 3 }, y: { label: 'Monetary', source: { score: 'rfm.monetary' }, threshold: 1000 } }),
    );
    expect((await segmenta('analytics', 'matrix', 'save', 'bcg', join(dir, 'bcg.json'))).code).toBe(0);
    const scatter = await segmenta('report', 'matrix-scatter', '--matrix', 'bcg', '--format', 'csv', '--table', 'points');
    expect(
      scatter.stdout
        .replace(/^\uFEFF/, '')
        .split('\r\n')
        .slice(1, 3),
    ).toEqual(['c1,ООО Альфа,4,3500,stars', 'c2,ООО Бета,5,300,cash-cows']);
    const lifecycle = JSON.parse((await segmenta('analytics', 'lifecycle', 'show', '--as-of', AS_OF)).stdout);
    expect(lifecycle.counts).toEqual({ current: 5, refused: 4, churned: 1 });

    const unknown = await segmenta('report', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('REPORT_NOT_FOUND');
    const wrong = await segmenta('report', 'rfm-grid', '--matrix', 'bcg');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('VALIDATION_FAILED');
    const bad = await segmenta('analytics', 'rfm', 'settings', '--bins', '12');
    expect(bad.stderr).toContain('ANALYTICS_SETTINGS_INVALID');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
