/**
 * What the sales-terms screens need beyond the browser tests' company (demo-server.ts): two
 * product segments — the discount categories of seed 002's table — and the classic segment
 * of a shipment ban, customers with overdue receivables. Added through the API, as a user
 * would; and the percents a cumulative table gives, worked out from the fixture's sales.
 */
import { addDays, makeSales, monthsBack, PRODUCT_GROUPS, PRODUCTS, TODAY, type SaleLine } from './demo-facts.js';
import { PARTNERS } from './demo-server.js';

/** Product segments: one product group each (with the groups below it), generated. */
export const PRODUCT_SEGMENTS = [
  { id: 'power-tools', name: 'Электроинструмент', group: 'tools' },
  { id: 'consumables', name: 'Расходные материалы', group: 'consumables' },
] as const;

/**
 * Customers with overdue receivables (docs/sales-terms.md, shipment bans). In the fixture
 * (demo-facts.ts) p001 and p008 owe money past its due date; p003's debt is not due yet.
 */
export const OVERDUE = { id: 'overdue', name: 'Просроченная дебиторская задолженность' } as const;

async function call(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}/api${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

/** Creates and generates the segments above on a running demo server. */
export async function seedTermsFixture(base: string): Promise<void> {
  for (const s of PRODUCT_SEGMENTS) {
    await call(base, 'POST', '/segments', {
      id: s.id,
      kind: 'product',
      name: s.name,
      description: `Категория накопительной скидки: группа «${PRODUCT_GROUPS.find(([id]) => id === s.group)![1]}»`,
      method: 'periodic',
      schedule: '0 2 * * *',
      rule: { attr: 'group', op: 'inHierarchy', value: s.group },
    });
    await call(base, 'POST', `/segments/${s.id}/refresh`);
  }
  await call(base, 'POST', '/segments', {
    id: OVERDUE.id,
    name: OVERDUE.name,
    description: 'Партнёры с просроченным долгом — для запрета отгрузки',
    method: 'periodic',
    schedule: '0 * * * *',
    rule: { measure: 'settlements.overdueReceivable', op: 'gt', value: 0 },
  });
  await call(base, 'POST', `/segments/${OVERDUE.id}/refresh`);
}

/** A column of a cumulative table: purchases of the row's products from `threshold` over `months` (null: all time). */
export interface TableColumnSpec {
  measure: 'sales.revenue' | 'sales.documents';
  months: number | null;
  threshold: number;
}

const SALES: readonly SaleLine[] = makeSales(PARTNERS);

function groupOf(productId: string): string {
  return PRODUCTS.find((p) => p.id === productId)!.group;
}

/** Whether a product group is the given one or lies below it. */
function within(group: string, top: string): boolean {
  for (let g: string | null = group; g; g = PRODUCT_GROUPS.find(([id]) => id === g)![2]) if (g === top) return true;
  return false;
}

/** The partner's purchases of a product group (and below) by the measure, over the last `months` months up to today. */
export function purchases(partnerId: string, top: string, column: TableColumnSpec): number {
  // "The last N months" as the rule language reads it: from the day after the same date N months ago, to today.
  const from = column.months === null ? '0000-01-01' : addDays(monthsBack(TODAY, column.months), 1);
  const lines = SALES.filter((s) => s.partner === partnerId && s.date >= from && s.date <= TODAY && within(groupOf(s.product), top));
  return column.measure === 'sales.documents' ? new Set(lines.map((s) => s.document)).size : lines.reduce((sum, s) => sum + s.revenue, 0);
}

/**
 * The percent a cumulative table (combined "maximum", as by default) gives a line: among the
 * cells of the product's row whose threshold the partner reached, the largest; 0 when none.
 */
export function tablePercent(
  table: { columns: readonly TableColumnSpec[]; rows: readonly { group: string; percents: readonly number[] }[] },
  partnerId: string,
  productId: string,
): number {
  const row = table.rows.find((r) => within(groupOf(productId), r.group));
  if (!row) return 0;
  const reached = table.columns.map((c, i) => (purchases(partnerId, row.group, c) >= c.threshold ? row.percents[i]! : null)).filter((p): p is number => p !== null);
  return reached.length ? Math.max(...reached) : 0;
}
