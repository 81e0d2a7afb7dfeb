import { describe, expect, it } from 'vitest';
import type { Matrix, ReportResult, RfmTemplate, SatisfactionRow } from '../../api/analytics';
import { groupsOf, isPartialQuarter, presetDates } from './csi/csi-model';
import { draftOfMatrix, draftProblems, matrixInputOf, newMatrixDraft, scaleDomain, scaleTicks, toScale } from './matrix/matrix-model';
import { lastPeriodOf, monthsBefore, quarterBounds } from './period';
import { rfmGridOf, templateArea, templateOfCell, templateTotals } from './rfm/rfm-model';

const template = (key: string, r: [number, number], f: [number, number]): RfmTemplate => ({ key, name: { en: key, ru: key }, r, f, description: '', rule: null });

/** The named segments of docs/analytics.md: every cell of the 5 × 5 grid in exactly one. */
const TEMPLATES = [
  template('champions', [5, 5], [4, 5]),
  template('loyal', [3, 4], [4, 5]),
  template('potential-loyalists', [4, 5], [2, 3]),
  template('new', [5, 5], [1, 1]),
  template('promising', [4, 4], [1, 1]),
  template('need-attention', [3, 3], [3, 3]),
  template('about-to-sleep', [3, 3], [1, 2]),
  template('at-risk', [1, 2], [3, 4]),
  template('cant-lose', [1, 2], [5, 5]),
  template('hibernating', [2, 2], [1, 2]),
  template('lost', [1, 1], [1, 2]),
];

const report = (cells: { r: number; f: number; customers: number; revenue: number }[]): ReportResult => {
  const customers = cells.reduce((s, c) => s + c.customers, 0);
  const revenue = cells.reduce((s, c) => s + c.revenue, 0);
  return {
    report: 'rfm-grid',
    title: '',
    generatedAt: '',
    parameters: {},
    summary: { bins: 5, customers, revenue, asOf: '2025-06-30' },
    tables: [{ name: 'cells', title: '', columns: [], rows: cells.map((c) => ({ ...c, customerShare: c.customers / customers, revenueShare: c.revenue / revenue })), total: cells.length }],
  };
};

describe('the RFM heat-map model', () => {
  it('fills the cells the report leaves out with zeros', () => {
    const grid = rfmGridOf(
      report([
        { r: 5, f: 5, customers: 3, revenue: 900 },
        { r: 1, f: 1, customers: 1, revenue: 100 },
      ]),
    );
    expect(grid.bins).toBe(5);
    expect(grid.cell(5, 5)).toMatchObject({ customers: 3, revenue: 900, customerShare: 0.75 });
    expect(grid.cell(3, 3)).toEqual({ r: 3, f: 3, customers: 0, revenue: 0, customerShare: 0, revenueShare: 0 });
  });

  it('finds the named segment of every cell, and sums a segment over its cells', () => {
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) expect(TEMPLATES.filter((t) => templateOfCell([t], r, f)).length, `R${r} F${f}`).toBe(1);
    expect(templateOfCell(TEMPLATES, 5, 4)?.key).toBe('champions');
    expect(templateOfCell(TEMPLATES, 2, 5)?.key).toBe('cant-lose');
    const grid = rfmGridOf(
      report([
        { r: 5, f: 4, customers: 2, revenue: 500 },
        { r: 5, f: 5, customers: 1, revenue: 300 },
        { r: 1, f: 1, customers: 1, revenue: 200 },
      ]),
    );
    expect(templateTotals(grid, TEMPLATES[0]!)).toEqual({ customers: 3, revenue: 800, customerShare: 0.75, revenueShare: 0.8 });
  });

  it('places a named segment over its cells: best recency on top, F = 1 after the captions column', () => {
    expect(templateArea(TEMPLATES[0]!, 5)).toEqual({ gridRow: '1 / span 1', gridColumn: '5 / span 2' });
    expect(templateArea(template('at-risk', [1, 2], [3, 4]), 5)).toEqual({ gridRow: '4 / span 2', gridColumn: '4 / span 2' });
  });
});

describe('the matrix form', () => {
  const matrix = (patch: Partial<Matrix>): Matrix => ({
    id: 'activity',
    name: 'Активность × ёмкость',
    description: '',
    x: { label: 'Активность', source: { property: 'activity' }, threshold: 3 },
    y: { label: 'RFM M', source: { score: 'rfm.monetary' }, threshold: 100_000 },
    quadrants: {
      highHigh: { key: 'stars', name: 'Звёзды' },
      highLow: { key: 'cash-cows', name: 'Дойные коровы' },
      lowHigh: { key: 'problem-children', name: 'Трудные дети' },
      lowLow: { key: 'dogs', name: 'Собаки' },
    },
    createdAt: '',
    updatedAt: '',
    ...patch,
  });
  const { id: _id, createdAt: _c, updatedAt: _u, ...input } = matrix({});

  it('gives back the matrix it was opened with, whatever its sources and filter', () => {
    expect(matrixInputOf(draftOfMatrix(matrix({})))).toEqual(input);
    const measures = matrix({
      x: { label: 'Покупок', source: { measure: 'sales.documents', period: { last: { months: 12 } } }, threshold: 6 },
      y: { label: 'Выручка', source: { measure: 'sales.revenue', period: { current: 'year' }, where: { productGroup: ['tools'] } }, threshold: 1e6 },
      filter: { attr: 'region', op: 'inHierarchy', value: ['ural'] },
    });
    const { id: _i, createdAt: _a, updatedAt: _b, ...expected } = measures;
    const draft = draftOfMatrix(measures);
    expect(draft.x.periodMode).toBe('months');
    expect(draft.y.periodMode).toBe('custom');
    expect(draft.filterMode).toBe('custom');
    expect(matrixInputOf(draft)).toEqual(expected);
    expect(matrixInputOf(draftOfMatrix(matrix({ filter: { attr: 'roles', op: 'contains', value: 'customer' } }))).filter).toEqual({ attr: 'roles', op: 'contains', value: 'customer' });
  });

  it('starts a new matrix as seed 002 draws it, and says what is missing', () => {
    const draft = newMatrixDraft({ highHigh: 'Звёзды', highLow: 'Дойные коровы', lowHigh: 'Трудные дети', lowLow: 'Собаки' }, { x: 'Активность', y: 'Ёмкость' });
    expect(draftProblems(draft)).toEqual(['name', 'id']);
    const named = { ...draft, name: 'Матрица', id: 'matrix' };
    expect(draftProblems(named)).toEqual([]);
    expect(matrixInputOf(named)).toMatchObject({
      x: { label: 'Активность', source: { measure: 'sales.documents', period: { last: { months: 12 } } }, threshold: 6 },
      y: { source: { measure: 'sales.revenue', period: { last: { months: 12 } } } },
      filter: { attr: 'roles', op: 'contains', value: 'customer' },
      quadrants: { highHigh: { key: 'stars', name: 'Звёзды' } },
    });
    expect(draftProblems({ ...named, id: 'Матрица' })).toEqual(['id']);
    expect(draftProblems({ ...named, x: { ...named.x, threshold: '' } })).toEqual(['axis']);
  });
});

describe('the scatter scales', () => {
  it('ends a linear axis on round values from zero, with round ticks', () => {
    expect(scaleDomain('linear', [1, 9, 10.4], 6)).toEqual([0, 12]);
    expect(scaleTicks('linear', [0, 12])).toEqual([0, 2, 4, 6, 8, 10, 12]);
    expect(scaleTicks('linear', [0, 2_000_000])).toEqual([0, 500_000, 1_000_000, 1_500_000, 2_000_000]);
    expect(scaleDomain('linear', [-30, 80], 0)).toEqual([-40, 100]);
  });

  it('compresses a skewed axis by a signed square root and labels it with round values', () => {
    expect(toScale('sqrt', 10_000)).toBe(100);
    expect(toScale('sqrt', -4)).toBe(-2);
    const domain = scaleDomain('sqrt', [0, 100, 2_500, 1_000_000], 300_000);
    expect(domain[0]).toBe(0);
    const ticks = scaleTicks('sqrt', domain).map((t) => Math.round(t * t));
    expect(ticks[0]).toBe(0);
    for (const tick of ticks.slice(1)) expect(String(tick)).toMatch(/^[125]0*$/);
  });
});

describe('CSI / NPS periods and rows', () => {
  it('offers the usual periods on a day', () => {
    expect(presetDates('last12', '2025-06-30')).toEqual({});
    expect(presetDates('last24', '2025-06-30')).toEqual({ from: '2023-07-01', to: '2025-06-30' });
    expect(presetDates('thisYear', '2025-06-30')).toEqual({ from: '2025-01-01', to: '2025-06-30' });
    expect(presetDates('lastYear', '2025-06-30')).toEqual({ from: '2024-01-01', to: '2024-12-31' });
    expect(monthsBefore('2025-03-31', 1)).toBe('2025-02-28');
  });

  it('marks the quarters the period covers only in part', () => {
    expect(quarterBounds(2025, 4)).toEqual({ from: '2025-10-01', to: '2025-12-31' });
    expect(isPartialQuarter('2024-Q3', '2024-07-01', '2025-06-30')).toBe(false);
    expect(isPartialQuarter('2024-Q3', '2024-07-02', '2025-06-30')).toBe(true);
    expect(isPartialQuarter('2025-Q2', '2024-07-01', '2025-06-29')).toBe(true);
    expect(isPartialQuarter('total', '2024-07-02', '2025-06-29')).toBe(false);
  });

  it('groups the rows per base, segment and manager, total apart from the quarters', () => {
    const row = (scope: SatisfactionRow['scope'], key: string | null, quarter: string, responses: number): SatisfactionRow => ({
      scope,
      key,
      name: key ?? 'All partners',
      quarter,
      responses,
      promoters: 0,
      passives: 0,
      detractors: 0,
      csiHigh: 0,
      csiLow: 0,
      scoreSum: 0,
      csi: null,
      nps: null,
      averageScore: null,
    });
    const groups = groupsOf([
      row('all', null, 'total', 3),
      row('all', null, '2025-Q1', 1),
      row('all', null, '2025-Q2', 2),
      row('manager', 'm1', 'total', 2),
      row('manager', 'm1', '2025-Q1', 0),
      row('manager', 'm1', '2025-Q2', 2),
    ]);
    expect(groups.map((g) => [g.id, g.total.responses, g.quarters.map((q) => q.quarter)])).toEqual([
      ['all:', 3, ['2025-Q1', '2025-Q2']],
      ['manager:m1', 2, ['2025-Q1', '2025-Q2']],
    ]);
  });

  it('reads "the last N units" periods and no others', () => {
    expect(lastPeriodOf({ last: { months: 12 } })).toEqual({ unit: 'months', count: 12 });
    expect(lastPeriodOf({ current: 'year' })).toBeNull();
    expect(lastPeriodOf({ last: { months: 12, days: 1 } })).toBeNull();
  });
});
