import { AppError } from '../../errors/app-error.js';
import { escapeLike } from '../../sql/compile/predicates.js';
import { inChunks } from '../../sql/in-chunks.js';
import type { Queryable, Row, SqlValue } from '../../sql/queryable.js';
import { sql, type Sql } from '../../sql/sql.js';
import type { Segment, SegmentKind, SegmentMethod } from './segment.schema.js';

/** Rows of `segments` ↔ Segment. JSON-valued fields are stored as text on both engines. */

interface SegmentRow extends Row {
  id: string;
  kind: string;
  name: string;
  description: string | null;
  method: string;
  rule: string | null;
  sql: string | null;
  parameters: string | null;
  schedule: string | null;
  check_on_create: boolean | null;
  competitors: string | null;
  archived: boolean | null;
  folder: string | null;
  owner_user_id: string | null;
  created_at: string;
  updated_at: string;
}

const parseJson = <T>(text: string | null, fallback: T): T => (text === null ? fallback : (JSON.parse(text) as T));

function fromRow(row: SegmentRow): Segment {
  return {
    id: row.id,
    kind: row.kind as SegmentKind,
    name: row.name,
    description: row.description ?? '',
    method: row.method as SegmentMethod,
    rule: parseJson<unknown>(row.rule, null),
    sql: row.sql,
    parameters: parseJson<Segment['parameters']>(row.parameters, {}),
    schedule: row.schedule,
    checkOnCreate: row.check_on_create === true,
    competitors: parseJson<string[]>(row.competitors, []),
    archived: row.archived === true,
    folder: row.folder ?? null,
    ownerUserId: row.owner_user_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const COLUMNS = sql.raw('id, kind, name, description, method, rule, sql, parameters, schedule, check_on_create, competitors, archived, folder, created_at, updated_at');
/** What is read: the columns written, and the owner (set once, on insert). */
const READ_COLUMNS = sql`${COLUMNS}, owner_user_id`;

/** A timestamp literal both engines cast from text: 'YYYY-MM-DD HH:MM:SS.mmm' in UTC. */
export const sqlTimestamp = (date: Date = new Date()): string => date.toISOString().replace('T', ' ').replace('Z', '');

export async function findSegment(db: Queryable, id: string): Promise<Segment | null> {
  const rows = await db.query<SegmentRow>(sql`SELECT ${READ_COLUMNS} FROM segments WHERE id = ${id}`);
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function getSegment(db: Queryable, id: string): Promise<Segment> {
  const segment = await findSegment(db, id);
  if (!segment) throw new AppError('SEGMENT_NOT_FOUND', { id });
  return segment;
}

/** The segments of these ids in one query each 500, in the order given (duplicates once); a missing one is SEGMENT_NOT_FOUND. */
export async function getSegments(db: Queryable, ids: readonly string[]): Promise<Segment[]> {
  const unique = [...new Set(ids)];
  const found = new Map<string, Segment>();
  await inChunks(unique, 500, async (chunk) => {
    for (const row of await db.query<SegmentRow>(sql`SELECT ${READ_COLUMNS} FROM segments WHERE id IN (${sql.list(chunk)})`)) found.set(row.id, fromRow(row));
  });
  return unique.map((id) => {
    const segment = found.get(id);
    if (!segment) throw new AppError('SEGMENT_NOT_FOUND', { id });
    return segment;
  });
}

export interface SegmentListFilter {
  readonly kind?: SegmentKind;
  readonly method?: SegmentMethod;
  readonly archived?: boolean;
  /** Only the segments in this folder ('' : those in none). */
  readonly folder?: string;
  readonly q?: string;
}

export async function listSegments(db: Queryable, filter: SegmentListFilter = {}): Promise<Segment[]> {
  const where: Sql[] = [];
  if (filter.kind) where.push(sql`kind = ${filter.kind}`);
  if (filter.method) where.push(sql`method = ${filter.method}`);
  if (filter.archived !== undefined) where.push(sql`coalesce(archived, FALSE) = ${filter.archived}`);
  if (filter.folder !== undefined) where.push(filter.folder === '' ? sql`folder IS NULL` : sql`folder = ${filter.folder}`);
  if (filter.q) {
    const pattern = sql.param(`%${escapeLike(filter.q.toLowerCase())}%`);
    where.push(sql`(lower(name) LIKE ${pattern} ESCAPE '\\' OR lower(id) LIKE ${pattern} ESCAPE '\\' OR lower(coalesce(description, '')) LIKE ${pattern} ESCAPE '\\')`);
  }
  const rows = await db.query<SegmentRow>(sql`SELECT ${READ_COLUMNS} FROM segments ${where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql.empty} ORDER BY name, id`);
  return rows.map(fromRow);
}

/** The stored values of every column but the id and the timestamps, by column. */
function fieldsOf(segment: Segment): Record<string, SqlValue> {
  return {
    kind: segment.kind,
    name: segment.name,
    description: segment.description,
    method: segment.method,
    rule: segment.rule === null || segment.rule === undefined ? null : JSON.stringify(segment.rule),
    sql: segment.sql,
    parameters: JSON.stringify(segment.parameters),
    schedule: segment.schedule,
    check_on_create: segment.checkOnCreate,
    competitors: JSON.stringify(segment.competitors),
    archived: segment.archived,
    folder: segment.folder ?? null,
  };
}

const timestamp = (iso: string): Sql => sql`CAST(${iso.replace('T', ' ').replace('Z', '')} AS TIMESTAMP)`;

export async function insertSegment(db: Queryable, segment: Segment): Promise<void> {
  const values = [segment.id, ...Object.values(fieldsOf(segment)), timestamp(segment.createdAt), timestamp(segment.updatedAt), segment.ownerUserId ?? null];
  await db.run(sql`INSERT INTO segments (${COLUMNS}, owner_user_id) VALUES (${sql.join(values)})`);
}

export async function updateSegmentRow(db: Queryable, segment: Segment): Promise<void> {
  const assignments = Object.entries(fieldsOf(segment)).map(([column, value]) => sql`${sql.raw(column)} = ${value}`);
  await db.run(sql`UPDATE segments SET ${sql.join(assignments)}, updated_at = ${timestamp(segment.updatedAt)} WHERE id = ${segment.id}`);
}

/** The rows of several segments, one statement per table, however many segments. */
export async function deleteSegmentsRows(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const list = sql.list(ids);
  await db.run(sql`DELETE FROM segment_members WHERE segment_id IN (${list})`);
  await db.run(sql`DELETE FROM segment_history WHERE segment_id IN (${list})`);
  await db.run(sql`DELETE FROM segment_runs WHERE segment_id IN (${list})`);
  await db.run(sql`DELETE FROM segment_baselines WHERE segment_id IN (${list})`);
  await db.run(sql`DELETE FROM segments WHERE id IN (${list})`);
}
