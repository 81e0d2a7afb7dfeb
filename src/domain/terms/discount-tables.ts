import { createHash } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { Queryable, Row } from '../../sql/queryable.js';
import type { Database } from '../../storage/database.js';
import { rebuildInOrder } from '../segments/batch-refresh.js';
import type { Segment } from '../segments/segment.schema.js';
import { listSegments } from '../segments/segments.repository.js';
import { dropUnusedCumulativeSegments } from './cumulative-cleanup.js';
import { ensureCumulativeSegment, type SegmentNameLanguage } from './cumulative-segments.js';
import { parseDiscountTableCsv } from './discount-table-csv.js';
import { discountTableInputSchema, type DiscountTableCsvOptions, type DiscountTableInput, type TableColumnInput } from './discount-table.schema.js';
import type { CumulativeSpec } from './discount-conditions.js';
import { cumulativeSegmentsOf, listDiscounts, removeDiscount, writeDiscount } from './discounts.js';
import { requireStoredSegment } from './segment-guard.js';
import { bumpTermsRevision } from './terms-revision.js';
import { deleteRow, findRow, getRow, insertRow, json, selectRows, stamp, text, updateRow, type TableSpec } from './term-store.js';
import { checkValidity } from './validity.js';
import type { SegmentService } from '../segments/segments.service.js';
import type { Discount, DiscountCondition, DiscountTable, TableCell, TableColumn, TableUploadResult } from './terms.schema.js';

/**
 * Seed 002's whole cumulative discount table in one call: for every filled cell, a discount
 * "product in segment R, and partner's purchases of R over C.months ≥ C.threshold" at the
 * cell's percent, and the periodic partner segment that keeps the purchase condition (shared
 * by equal cells, generated at once and then daily). Uploading the same table id again
 * updates it in place: changed cells are rewritten, new ones created, dropped ones deleted
 * (with their segments, if nothing else uses them); unchanged ones are left as they are.
 */

const SPEC: TableSpec = {
  table: 'discount_tables',
  kind: 'discountTable',
  columns: { id: 'text', name: 'text', definition: 'text', created_at: 'timestamp', updated_at: 'timestamp' },
};

type TableDefinition = Omit<DiscountTable, 'id' | 'name' | 'createdAt' | 'updatedAt'>;

const fromRow = (row: Row): DiscountTable => ({
  id: text(row, 'id'),
  name: text(row, 'name'),
  ...json<TableDefinition>(row, 'definition', { columns: [], rows: [], combine: 'max', priority: 0, active: true, campaignId: null, validFrom: null, validTo: null }),
  createdAt: text(row, 'created_at'),
  updatedAt: text(row, 'updated_at'),
});

export async function listDiscountTables(db: Queryable): Promise<DiscountTable[]> {
  return (await selectRows(db, SPEC)).map(fromRow);
}

export async function getDiscountTable(db: Queryable, id: string): Promise<DiscountTable> {
  return fromRow(await getRow(db, SPEC, id));
}

const slugNumber = (n: number): string => String(n).replace('.', '_').replace('-', 'm');

function columnKey(column: TableColumnInput): string {
  if (column.key) return column.key;
  const measure = (column.measure ?? 'sales.revenue').replace('sales.', '').toLowerCase();
  return `${column.months === null || column.months === undefined ? 'all' : `${column.months}m`}-${measure}-${column.op ?? 'gte'}-${slugNumber(column.threshold)}`;
}

function columnLabel(column: TableColumnInput, language: SegmentNameLanguage): string {
  if (column.label) return column.label;
  const measure = column.measure ?? 'sales.revenue';
  if (measure === 'sales.documents' && column.threshold === 1 && !column.months) return language === 'ru' ? 'После первой покупки' : 'After the first purchase';
  const op = column.op === 'gt' ? (language === 'ru' ? 'более' : 'over') : language === 'ru' ? 'от' : 'from';
  const period = column.months ? (language === 'ru' ? ` за ${column.months} мес.` : ` over ${column.months} months`) : '';
  return `${op} ${column.threshold}${period}`;
}

const specOf = (column: TableColumnInput, productSegment: string): CumulativeSpec => ({
  measure: column.measure ?? 'sales.revenue',
  months: column.months ?? null,
  productSegment,
  op: column.op ?? 'gte',
  threshold: column.threshold,
});

function discountId(tableId: string, productSegment: string, key: string): string {
  const id = `${tableId}-${productSegment}-${key}`;
  return id.length <= 80 ? id : `${tableId.slice(0, 50)}-${createHash('sha1').update(id).digest('hex').slice(0, 20)}`;
}

/** Rows name product segments by id or by exact name; both resolve to stored product segments. */
async function resolveProductSegments(db: Database, rows: DiscountTableInput['rows'], usage: string): Promise<Map<string, Segment>> {
  const products = await listSegments(db, { kind: 'product' });
  const byId = new Map(products.map((s) => [s.id, s]));
  const resolved = new Map<string, Segment>();
  for (const [i, row] of rows.entries()) {
    const named = products.filter((s) => s.name.trim() === row.productSegment.trim());
    const id = byId.has(row.productSegment) ? row.productSegment : named.length === 1 ? named[0]!.id : row.productSegment;
    if (!byId.has(row.productSegment) && named.length > 1) {
      throw new AppError('DISCOUNT_TABLE_INVALID', { summary: `row ${i + 1}: ${named.length} product segments are named "${row.productSegment}"; give the id`, issues: [] });
    }
    resolved.set(row.productSegment, await requireStoredSegment(db, id, { usage: `${usage}, row ${i + 1}`, kind: 'product' }));
  }
  return resolved;
}

const sameDiscount = (a: Discount, b: Discount): boolean =>
  a.name === b.name &&
  a.percent === b.percent &&
  a.combine === b.combine &&
  a.priority === b.priority &&
  a.active === b.active &&
  a.campaignId === b.campaignId &&
  a.validFrom === b.validFrom &&
  a.validTo === b.validTo &&
  JSON.stringify(a.conditions) === JSON.stringify(b.conditions);

/** Creates or updates a whole table (see the module comment). */
export async function saveDiscountTable(segments: SegmentService, rawInput: DiscountTableInput): Promise<TableUploadResult> {
  const { db } = segments;
  const input = discountTableInputSchema.parse(rawInput);
  const language = input.language ?? 'ru';
  const usage = `discount table "${input.name}"`;
  const validity = { campaignId: input.campaignId ?? null, validFrom: input.validFrom ?? null, validTo: input.validTo ?? null };
  const problem = await checkValidity(db, validity, usage);
  if (problem) throw new AppError('TERM_INVALID', { entity: 'discount table', summary: problem, path: 'validTo' });

  const columns: TableColumn[] = input.columns.map((c) => ({ ...c, key: columnKey(c), label: columnLabel(c, language) }));
  const keys = new Set(columns.map((c) => c.key));
  if (keys.size !== columns.length) throw new AppError('DISCOUNT_TABLE_INVALID', { summary: 'two columns have the same key (months, measure and threshold); give them different keys', issues: [] });
  const productSegments = await resolveProductSegments(db, input.rows, usage);

  const existing = new Map((await listDiscounts(db, { tableId: input.id })).map((d) => [d.id, d]));
  const previous = await findRow(db, SPEC, input.id);
  const now = stamp();
  const combine = input.combine ?? 'max';
  const priority = input.priority ?? 0;
  const active = input.active ?? true;

  const created: Segment[] = [];
  let reused = 0;
  const desired: Discount[] = [];
  const cells: TableCell[] = [];
  for (const row of input.rows) {
    const productSegment = productSegments.get(row.productSegment)!;
    for (const [c, column] of columns.entries()) {
      const percent = row.percents[c];
      if (percent === null || percent === undefined) continue;
      const spec = specOf(column, productSegment.id);
      const ensured = await ensureCumulativeSegment(segments, spec, { usage: `${usage}, ${productSegment.name} × ${column.label}`, language });
      if (ensured.created) created.push(ensured.segment);
      else reused++;
      const conditions: DiscountCondition[] = [
        { kind: 'productInSegment', segment: productSegment.id },
        { kind: 'cumulative', ...spec, segment: ensured.segment.id },
      ];
      const id = discountId(input.id, productSegment.id, column.key);
      const before = existing.get(id);
      desired.push({
        id,
        name: `${input.name}: ${productSegment.name} — ${column.label}`,
        description: null,
        percent,
        conditions,
        combine,
        priority,
        ...validity,
        active,
        tableId: input.id,
        createdAt: before?.createdAt ?? now,
        updatedAt: now,
      });
      cells.push({ productSegment: productSegment.id, column: column.key, percent, discountId: id, segmentId: ensured.segment.id });
    }
  }

  const definition: TableDefinition = {
    columns,
    rows: input.rows.map((r) => ({ productSegment: productSegments.get(r.productSegment)!.id, percents: r.percents })),
    combine,
    priority,
    active,
    ...validity,
  };
  const counts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  const droppedCandidates: string[] = [];
  await db.transaction(async (tx) => {
    const tableRow = {
      id: input.id,
      name: input.name,
      definition: JSON.stringify(definition),
      created_at: previous ? String(previous.created_at).replace('T', ' ').replace('Z', '') : now,
      updated_at: now,
    };
    if (previous) await updateRow(tx, SPEC, input.id, tableRow);
    else await insertRow(tx, SPEC, tableRow);
    const wanted = new Set(desired.map((d) => d.id));
    for (const discount of desired) {
      const before = existing.get(discount.id);
      if (before && sameDiscount(before, discount)) counts.unchanged++;
      else {
        if (before) droppedCandidates.push(...cumulativeSegmentsOf(before.conditions));
        await writeDiscount(tx, discount, !before);
        counts[before ? 'updated' : 'created']++;
      }
    }
    for (const [id, before] of existing) {
      if (wanted.has(id)) continue;
      await removeDiscount(tx, id);
      droppedCandidates.push(...cumulativeSegmentsOf(before.conditions));
      counts.removed++;
    }
    await bumpTermsRevision(tx);
  });

  let generated = 0;
  if (input.generate !== false && created.length)
    generated = (
      await rebuildInOrder(
        db,
        created.map((s) => s.id),
        'api',
      )
    ).length;
  const dropped = await dropUnusedCumulativeSegments(segments, droppedCandidates);
  return {
    table: await getDiscountTable(db, input.id),
    discounts: counts,
    segments: { created: created.map((s) => s.id), reused, generated, dropped },
    cells,
  };
}

/** The same from a CSV file (see discount-table-csv.ts); options come with the upload. */
export async function saveDiscountTableCsv(segments: SegmentService, id: string, csv: string, options: DiscountTableCsvOptions): Promise<TableUploadResult> {
  const parsed = parseDiscountTableCsv(csv, options.delimiter);
  const input = discountTableInputSchema.safeParse({
    id,
    name: options.name ?? id,
    columns: parsed.columns,
    rows: parsed.rows,
    ...(options.combine !== undefined ? { combine: options.combine } : {}),
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
    ...(options.language !== undefined ? { language: options.language } : {}),
    ...(options.generate !== undefined ? { generate: options.generate } : {}),
    ...(options.campaignId !== undefined ? { campaignId: options.campaignId } : {}),
    ...(options.validFrom !== undefined ? { validFrom: options.validFrom } : {}),
    ...(options.validTo !== undefined ? { validTo: options.validTo } : {}),
  });
  if (!input.success) {
    const issues = input.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new AppError('DISCOUNT_TABLE_INVALID', { summary: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues });
  }
  return saveDiscountTable(segments, input.data);
}

/** Deletes a table with its discounts, and the segments made for them that nothing else uses. */
export async function deleteDiscountTable(segments: SegmentService, id: string): Promise<{ removed: number; droppedSegments: string[] }> {
  const { db } = segments;
  await getDiscountTable(db, id);
  const discounts = await listDiscounts(db, { tableId: id });
  await db.transaction(async (tx) => {
    for (const d of discounts) await removeDiscount(tx, d.id);
    await deleteRow(tx, SPEC, id);
    await bumpTermsRevision(tx);
  });
  const droppedSegments = await dropUnusedCumulativeSegments(
    segments,
    discounts.flatMap((d) => cumulativeSegmentsOf(d.conditions)),
  );
  return { removed: discounts.length, droppedSegments };
}
