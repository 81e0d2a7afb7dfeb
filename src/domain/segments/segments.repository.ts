import { AppError } from '../../errors/app-error.js';
import { escapeLike } from '../../sql/compile/predicates.js';
import type { Queryable, Row, SqlValue } from '../../storage/database.js';
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
    ownerUserId: row.owner_user_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const COLUMNS = 'id, kind, name, description, method, rule, sql, parameters, schedule, check_on_create, competitors, archived, created_at, updated_at';
/** What is read: the columns written, and the owner (set once, on insert). */
const READ_COLUMNS = `${COLUMNS}, owner_user_id`;

/** A timestamp literal both engines cast from text: 'YYYY-MM-DD HH:MM:SS.mmm' in UTC. */
export const sqlTimestamp = (date: Date = new Date()): string => date.toISOString().replace('T', ' ').replace('Z', '');

export async function findSegment(db: Queryable, id: string): Promise<Segment | null> {
  const rows = await db.query<SegmentRow>(`SELECT ${READ_COLUMNS} FROM segments WHERE id = $1`, [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function getSegment(db: Queryable, id: string): Promise<Segment> {
  const segment = await findSegment(db, id);
  if (!segment) throw new AppError('SEGMENT_NOT_FOUND', { id });
  return segment;
}

export interface SegmentListFilter {
  readonly kind?: SegmentKind;
  readonly method?: SegmentMethod;
  readonly archived?: boolean;
  readonly q?: string;
}

export async function listSegments(db: Queryable, filter: SegmentListFilter = {}): Promise<Segment[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const p = (v: SqlValue) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (filter.kind) where.push(`kind = ${p(filter.kind)}`);
  if (filter.method) where.push(`method = ${p(filter.method)}`);
  if (filter.archived !== undefined) where.push(`coalesce(archived, FALSE) = ${p(filter.archived)}`);
  if (filter.q) {
    const pattern = p(`%${escapeLike(filter.q.toLowerCase())}%`);
    where.push(`(lower(name) LIKE ${pattern} ESCAPE '\\' OR lower(id) LIKE ${pattern} ESCAPE '\\' OR lower(coalesce(description, '')) LIKE ${pattern} ESCAPE '\\')`);
  }
  const rows = await db.query<SegmentRow>(`SELECT ${READ_COLUMNS} FROM segments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY name, id`, params);
  return rows.map(fromRow);
}

function toValues(segment: Segment): SqlValue[] {
  return [
    segment.id,
    segment.kind,
    segment.name,
    segment.description,
    segment.method,
    segment.rule === null || segment.rule === undefined ? null : JSON.stringify(segment.rule),
    segment.sql,
    JSON.stringify(segment.parameters),
    segment.schedule,
    segment.checkOnCreate,
    JSON.stringify(segment.competitors),
    segment.archived,
    segment.createdAt.replace('T', ' ').replace('Z', ''),
    segment.updatedAt.replace('T', ' ').replace('Z', ''),
  ];
}

export async function insertSegment(db: Queryable, segment: Segment): Promise<void> {
  await db.run(`INSERT INTO segments (${COLUMNS}, owner_user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, CAST($13 AS TIMESTAMP), CAST($14 AS TIMESTAMP), $15)`, [
    ...toValues(segment),
    segment.ownerUserId ?? null,
  ]);
}

export async function updateSegmentRow(db: Queryable, segment: Segment): Promise<void> {
  const values = toValues(segment);
  await db.run(
    `UPDATE segments SET kind = $2, name = $3, description = $4, method = $5, rule = $6, sql = $7, parameters = $8, schedule = $9, check_on_create = $10, competitors = $11, archived = $12, updated_at = CAST($13 AS TIMESTAMP) WHERE id = $1`,
    [...values.slice(0, 12), values[13]!],
  );
}

/** The rows of several segments, four statements in all (one per table), however many segments. */
export async function deleteSegmentsRows(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const list = ids.map((_, i) => `$${i + 1}`).join(', ');
  await db.run(`DELETE FROM segment_members WHERE segment_id IN (${list})`, ids);
  await db.run(`DELETE FROM segment_history WHERE segment_id IN (${list})`, ids);
  await db.run(`DELETE FROM segment_runs WHERE segment_id IN (${list})`, ids);
  await db.run(`DELETE FROM segments WHERE id IN (${list})`, ids);
}
