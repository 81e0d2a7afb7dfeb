import type { CumulativeMeasure, Discount, DiscountTable, TableColumn, ThresholdOp } from '../../../api/terms';

/** A column's condition with the server's defaults filled in. */
export interface ColumnSpec {
  measure: CumulativeMeasure;
  months: number | null;
  op: ThresholdOp;
  threshold: number;
}

export const specOf = (column: Pick<TableColumn, 'measure' | 'months' | 'op' | 'threshold'>): ColumnSpec => ({
  measure: column.measure ?? 'sales.revenue',
  months: column.months ?? null,
  op: column.op ?? 'gte',
  threshold: column.threshold,
});

/** "After the first purchase" of the article: one purchase document at any time. */
export const isFirstPurchase = (spec: ColumnSpec) => spec.measure === 'sales.documents' && spec.threshold === 1 && spec.months === null && spec.op === 'gte';

/** What one filled cell made: its discount and the periodic segment that keeps its threshold. */
export interface CellMade {
  discount: Discount;
  segmentId: string | null;
}

/** The discounts a table made, by row (product segment) and column index, found by their conditions. */
export function cellsOf(table: DiscountTable, discounts: readonly Discount[]): Map<string, CellMade> {
  const cells = new Map<string, CellMade>();
  const columns = table.columns.map(specOf);
  for (const discount of discounts) {
    if (discount.tableId !== table.id) continue;
    const product = discount.conditions.find((c) => c.kind === 'productInSegment');
    const cumulative = discount.conditions.find((c) => c.kind === 'cumulative');
    if (!product || product.kind !== 'productInSegment' || !cumulative || cumulative.kind !== 'cumulative') continue;
    const spec = specOf(cumulative);
    const index = columns.findIndex((c) => c.measure === spec.measure && c.months === spec.months && c.op === spec.op && c.threshold === spec.threshold);
    if (index >= 0) cells.set(cellKey(product.segment, index), { discount, segmentId: cumulative.segment ?? null });
  }
  return cells;
}

export const cellKey = (productSegment: string, column: number) => `${productSegment}\u0000${column}`;

/** The segments a table's cells are kept by, each once. */
export function segmentsOf(cells: ReadonlyMap<string, CellMade>): string[] {
  return [...new Set([...cells.values()].map((c) => c.segmentId).filter((id): id is string => id !== null))];
}

/** Splits a list into groups of `size` (segments are generated a few at a time). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The table of the article (seed 002): five columns, thresholds over shrinking periods. */
export const ARTICLE_COLUMNS: { measure: CumulativeMeasure; months: number | null; threshold: number }[] = [
  { measure: 'sales.documents', months: null, threshold: 1 },
  { measure: 'sales.revenue', months: 24, threshold: 10_000 },
  { measure: 'sales.revenue', months: 20, threshold: 20_000 },
  { measure: 'sales.revenue', months: 16, threshold: 30_000 },
  { measure: 'sales.revenue', months: 12, threshold: 40_000 },
];

/** A CSV of the article's table with the given product segments, as a spreadsheet saves it (";", decimal ","). */
export function sampleCsv(productSegments: readonly string[], language: 'ru' | 'en'): string {
  const header =
    language === 'ru'
      ? ['Сегмент номенклатуры', 'После первой покупки', 'от 10000 руб. за 24 месяца', 'от 20000 руб. за 20 месяцев', 'от 30000 руб. за 16 месяцев', 'от 40000 руб. за 12 месяцев']
      : ['Product segment', 'First purchase', 'from 10000 over 24 months', 'from 20000 over 20 months', 'from 30000 over 16 months', 'from 40000 over 12 months'];
  const rows = (productSegments.length ? productSegments : ['Сегмент1']).map((name, i) => [
    name,
    ...[0, 0.5, 1, 1.5, 2].map((step) => String(1 + i * 0.5 + step).replace('.', language === 'ru' ? ',' : '.')),
  ]);
  const sep = language === 'ru' ? ';' : ',';
  return [header, ...rows].map((r) => r.join(sep)).join('\r\n') + '\r\n';
}
