import type { ReportResult, RfmTemplate } from '../../../api/analytics';

/** One cell of the R × F grid (report rfm-grid, table `cells`). */
export interface RfmCell {
  r: number;
  f: number;
  customers: number;
  revenue: number;
  customerShare: number;
  revenueShare: number;
}

export interface RfmGrid {
  /** Scores run from 1 to bins. */
  bins: number;
  customers: number;
  revenue: number;
  /** The refresh's asOf, or null when RFM was never computed. */
  asOf: string | null;
  cell(r: number, f: number): RfmCell;
}

export type RfmMetric = 'customers' | 'revenue';

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0) || 0);

/** The grid of the rfm-grid report: every cell of bins × bins, zeros where nobody is. */
export function rfmGridOf(report: ReportResult): RfmGrid {
  const bins = Math.max(1, num(report.summary.bins));
  const byCell = new Map<string, RfmCell>();
  for (const row of report.tables.find((t) => t.name === 'cells')?.rows ?? []) {
    const cell: RfmCell = {
      r: num(row.r),
      f: num(row.f),
      customers: num(row.customers),
      revenue: num(row.revenue),
      customerShare: num(row.customerShare),
      revenueShare: num(row.revenueShare),
    };
    byCell.set(`${cell.r}/${cell.f}`, cell);
  }
  return {
    bins,
    customers: num(report.summary.customers),
    revenue: num(report.summary.revenue),
    asOf: typeof report.summary.asOf === 'string' ? report.summary.asOf : null,
    cell: (r, f) => byCell.get(`${r}/${f}`) ?? { r, f, customers: 0, revenue: 0, customerShare: 0, revenueShare: 0 },
  };
}

export const cellValue = (cell: RfmCell, metric: RfmMetric) => (metric === 'customers' ? cell.customers : cell.revenue);
export const cellShare = (cell: RfmCell, metric: RfmMetric) => (metric === 'customers' ? cell.customerShare : cell.revenueShare);

const inBand = (value: number, [low, high]: readonly [number, number]) => value >= low && value <= high;

/** The named segment a cell belongs to (the templates cover every cell of the 5 × 5 grid once). */
export const templateOfCell = (templates: readonly RfmTemplate[], r: number, f: number): RfmTemplate | undefined => templates.find((t) => inBand(r, t.r) && inBand(f, t.f));

/** Customers and revenue of a named segment: the sum of its cells. */
export function templateTotals(grid: RfmGrid, template: RfmTemplate): { customers: number; revenue: number; customerShare: number; revenueShare: number } {
  let customers = 0;
  let revenue = 0;
  for (let r = template.r[0]; r <= template.r[1]; r++) {
    for (let f = template.f[0]; f <= template.f[1]; f++) {
      const cell = grid.cell(r, f);
      customers += cell.customers;
      revenue += cell.revenue;
    }
  }
  return { customers, revenue, customerShare: grid.customers ? customers / grid.customers : 0, revenueShare: grid.revenue ? revenue / grid.revenue : 0 };
}

/**
 * Where a named segment sits in the heat-map's CSS grid: rows run from the best recency (R =
 * bins) at the top, columns from F = 1 on the left, after the row captions' column.
 */
export const templateArea = (template: RfmTemplate, bins: number) => ({
  gridRow: `${bins - template.r[1] + 1} / span ${template.r[1] - template.r[0] + 1}`,
  gridColumn: `${template.f[0] + 1} / span ${template.f[1] - template.f[0] + 1}`,
});

/**
 * The heat of a cell, 0…1, against the largest cell: a square-root scale, so a grid where one
 * cell holds half the customers still shows the others apart.
 */
export const heat = (value: number, max: number) => (max > 0 && value > 0 ? Math.sqrt(value / max) : 0);
