import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { FieldType } from '../../model/entities.js';
import type { Queryable, Row, SqlValue } from '../../sql/queryable.js';
import { sql, type Sql } from '../../sql/sql.js';
import { sqlTimestamp } from '../segments/segments.repository.js';

/**
 * Table access shared by the sales-terms entities: each describes its table once (columns and
 * types) and gets typed insert, update, select and delete with bound parameters.
 */

/** The kinds of sales terms, as they appear in a segment's usage list. */
export const TERM_KINDS = ['campaign', 'agreement', 'discount', 'discountTable', 'shipmentBan', 'manualDiscountLimit', 'priceType'] as const;
export type TermKind = (typeof TERM_KINDS)[number];

/** How messages name each kind ("a discount with id … already exists"). */
export const TERM_NAMES: Readonly<Record<TermKind, string>> = {
  campaign: 'campaign',
  agreement: 'agreement',
  discount: 'discount',
  discountTable: 'discount table',
  shipmentBan: 'shipment ban',
  manualDiscountLimit: 'manual discount limit',
  priceType: 'price type',
};

/** A new id for a term created without one. */
export const newTermId = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export interface TableSpec {
  readonly table: string;
  readonly kind: TermKind;
  /** Column → type; `id` is the primary key. */
  readonly columns: Readonly<Record<string, FieldType>>;
}

/** A value bound for a column, cast where the engines would not take the bare parameter. */
const bound = (db: Queryable, value: SqlValue, type: FieldType): Sql =>
  type === 'date' || type === 'timestamp' || type === 'decimal' ? sql.hook((p) => db.dialect.cast(p, type), value) : sql`${value}`;

/** How one field of a term maps to its column: the column, its type, and the conversions. */
export interface ColumnCodec<V> {
  readonly column: string;
  readonly type: FieldType;
  readonly read: (row: Row, column: string) => V;
  readonly write: (value: V) => SqlValue;
}

const same = <V extends SqlValue>(value: V): SqlValue => value;
/** ISO timestamps in the record, SQL ones in the table. */
const sqlStamp = (value: string): string => value.replace('T', ' ').replace('Z', '');

export const column = {
  text: (name: string): ColumnCodec<string> => ({ column: name, type: 'text', read: text, write: same }),
  nullableText: (name: string): ColumnCodec<string | null> => ({ column: name, type: 'text', read: nullableText, write: same }),
  date: (name: string): ColumnCodec<string> => ({ column: name, type: 'date', read: text, write: same }),
  nullableDate: (name: string): ColumnCodec<string | null> => ({ column: name, type: 'date', read: nullableText, write: same }),
  decimal: (name: string): ColumnCodec<number> => ({ column: name, type: 'decimal', read: num, write: same }),
  integer: (name: string): ColumnCodec<number> => ({ column: name, type: 'integer', read: num, write: same }),
  boolean: (name: string): ColumnCodec<boolean> => ({ column: name, type: 'boolean', read: bool, write: same }),
  timestamp: (name: string): ColumnCodec<string> => ({ column: name, type: 'timestamp', read: text, write: sqlStamp }),
  json: <V>(name: string, fallback: V): ColumnCodec<V> => ({ column: name, type: 'text', read: (row, c) => json(row, c, fallback), write: (value) => JSON.stringify(value) }),
  /** A string union stored as text (the schema validated it on the way in). */
  oneOf: <V extends string>(name: string): ColumnCodec<V> => ({ column: name, type: 'text', read: (row, c) => text(row, c) as V, write: same }),
};

/** A term's table described once, field by field: its TableSpec and both row conversions. */
export interface TermTable<T> {
  readonly spec: TableSpec;
  readonly fromRow: (row: Row) => T;
  readonly toRow: (term: T) => Record<string, SqlValue>;
}

export function termTable<T extends object>(table: string, kind: TermKind, fields: { readonly [K in keyof T]-?: ColumnCodec<T[K]> }): TermTable<T> {
  const entries = Object.entries(fields) as [keyof T & string, ColumnCodec<unknown>][];
  return {
    spec: { table, kind, columns: Object.fromEntries(entries.map(([, c]) => [c.column, c.type])) },
    fromRow: (row) => Object.fromEntries(entries.map(([field, c]) => [field, c.read(row, c.column)])) as T,
    toRow: (term) => Object.fromEntries(entries.map(([field, c]) => [c.column, c.write(term[field])])),
  };
}

export async function insertRow(db: Queryable, spec: TableSpec, values: Readonly<Record<string, SqlValue>>): Promise<void> {
  const columns = Object.keys(spec.columns);
  const list = sql.list(columns.map((c) => bound(db, values[c] ?? null, spec.columns[c]!)));
  await db.run(sql`INSERT INTO ${sql.raw(spec.table)} (${sql.raw(columns.join(', '))}) VALUES (${list})`);
}

export async function updateRow(db: Queryable, spec: TableSpec, id: string, values: Readonly<Record<string, SqlValue>>): Promise<void> {
  const columns = Object.keys(spec.columns).filter((c) => c !== 'id' && c !== 'created_at');
  const sets = sql.join(columns.map((c) => sql`${sql.raw(c)} = ${bound(db, values[c] ?? null, spec.columns[c]!)}`));
  await db.run(sql`UPDATE ${sql.raw(spec.table)} SET ${sets} WHERE id = ${id}`);
}

/** The rows of a term table, by id; `where` (built with `sql`) filters them. */
export async function selectRows(db: Queryable, spec: TableSpec, where?: Sql): Promise<Row[]> {
  return db.query(sql`SELECT ${sql.raw(Object.keys(spec.columns).join(', '))} FROM ${sql.raw(spec.table)} ${where ? sql`WHERE ${where}` : sql.empty} ORDER BY id`);
}

export async function findRow(db: Queryable, spec: TableSpec, id: string): Promise<Row | null> {
  const [row] = await selectRows(db, spec, sql`id = ${id}`);
  return row ?? null;
}

export async function getRow(db: Queryable, spec: TableSpec, id: string): Promise<Row> {
  const row = await findRow(db, spec, id);
  if (!row) throw new AppError('ENTITY_NOT_FOUND', { entity: TERM_NAMES[spec.kind], id });
  return row;
}

export async function refuseExisting(db: Queryable, spec: TableSpec, id: string): Promise<void> {
  if (await findRow(db, spec, id)) throw new AppError('TERM_EXISTS', { entity: TERM_NAMES[spec.kind], id });
}

export async function deleteRow(db: Queryable, spec: TableSpec, id: string): Promise<void> {
  await db.run(sql`DELETE FROM ${sql.raw(spec.table)} WHERE id = ${id}`);
}

/** Timestamps of a row being written now. */
export const stamp = (): string => sqlTimestamp();

export const text = (row: Row, column: string): string => String(row[column] ?? '');
export const nullableText = (row: Row, column: string): string | null => (row[column] === null || row[column] === undefined ? null : String(row[column]));
export const num = (row: Row, column: string): number => Number(row[column] ?? 0);
export const bool = (row: Row, column: string): boolean => row[column] === true;
export const json = <T>(row: Row, column: string, fallback: T): T => {
  const value = row[column];
  return typeof value === 'string' && value !== '' ? (JSON.parse(value) as T) : fallback;
};
