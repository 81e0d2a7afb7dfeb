import { sqlTimestamp } from '../../scheduling/sql-text.js';
import { userInfo } from 'node:os';
import { AppError, isAppError } from '../../errors/app-error.js';
import { sql, type Sql } from '../../sql/sql.js';
import type { Queryable, SqlValue } from '../../sql/queryable.js';
import type { AuditActorKind, AuditEntry, AuditPage, AuditQuery } from './audit.schema.js';
import type { Principal } from './principal.js';

/**
 * The audit log (docs/security.md#audit-log): every write through the API is recorded by the
 * app's audit hooks (src/api/audit.ts) from the route's declaration; other writers — the CLI's
 * commands — call `recordAudit` themselves with `cliActor()`. Secrets never reach the table:
 * fields named like a password, key, secret or token, and any text that looks like an API key,
 * are stored as "[redacted]".
 */

export interface AuditActor {
  readonly kind: AuditActorKind;
  readonly id: string | null;
  readonly name: string | null;
}

export interface NewAuditEntry {
  readonly actor: AuditActor;
  /** `<entity>.<verb>`: segment.update, import.run, key.create… */
  readonly action: string;
  readonly entity: string;
  readonly entityId?: string | null;
  /** The HTTP method, or null (the CLI). */
  readonly method?: string | null;
  /** The route as declared (`/api/segments/:id`), or the CLI command (`segmenta keys create`). */
  readonly route?: string | null;
  /** The state before (null: it did not exist) and after (null: it is gone), as JSON values. */
  readonly before?: unknown;
  readonly after?: unknown;
  /** The HTTP status answered; 200 for the CLI. */
  readonly status?: number;
  /** Field names that look secret but are not here (a matrix quadrant's `key`): kept as they are. */
  readonly keep?: readonly string[];
  /** Defaults to now. */
  readonly occurredAt?: Date;
}

/** The caller of an API request as the audit log names it. */
export function actorOf(principal: Principal | null): AuditActor {
  return principal ? { kind: principal.kind, id: principal.id, name: principal.name } : { kind: 'anonymous', id: null, name: null };
}

/** The operating-system user running a `segmenta` command. */
export function cliActor(): AuditActor {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for the uid (some containers): the environment is all there is.
  }
  name ||= process.env.USER ?? process.env.USERNAME ?? 'unknown';
  return { kind: 'cli', id: name, name };
}

export const REDACTED = '[redacted]';

/** Words of a field name that mark a secret wherever they stand (`passwordHash`, `csrf_token`). */
const SECRET_WORDS = new Set(['password', 'passwd', 'passphrase', 'secret', 'token']);
/** An API key (src/domain/access/api-keys.ts) anywhere in a text. */
const API_KEY_TEXT = /sgk_[0-9a-f]{16}_[A-Za-z0-9_-]+/;

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** True for a field name that holds a secret: password, secret, token anywhere, or ending in key (`key`, `apiKey`, `api_key`). */
export function isSecretField(name: string): boolean {
  const w = words(name);
  return w.some((word) => SECRET_WORDS.has(word)) || w.at(-1) === 'key' || w.at(-1) === 'apikey';
}

/** A copy of a JSON value with every secret replaced by "[redacted]" (see isSecretField). */
export function redact(value: unknown, keep: readonly string[] = []): unknown {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return API_KEY_TEXT.test(v) ? REDACTED : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, isSecretField(k) && !keep.includes(k) && x !== null && x !== undefined ? REDACTED : walk(x)]));
    }
    return v;
  };
  return walk(value);
}

/** Stored states are at most this long; a longer one is replaced by a note of its size. */
export const MAX_STATE_CHARS = 1_000_000;

function stateText(value: unknown, keep: readonly string[]): string | null {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(redact(JSON.parse(JSON.stringify(value)) as unknown, keep));
  if (text.length <= MAX_STATE_CHARS) return text;
  return JSON.stringify({ truncated: true, chars: text.length });
}

/** An entity's state by id, or null when it does not exist (its loader answered 404) or there is no id. */
export async function loadState(load: ((id: string) => Promise<unknown>) | undefined, id: string | null): Promise<unknown> {
  if (!load || id === null) return null;
  try {
    return (await load(id)) ?? null;
  } catch (error) {
    if (isAppError(error) && error.status === 404) return null;
    throw error;
  }
}

export interface AuditedWrite<T> extends Omit<NewAuditEntry, 'before' | 'after' | 'entityId'> {
  /** The entity's id; null when it is known only from the result (`result.id`, a create) or there is none. */
  readonly entityId: string | null;
  /** Reads the entity's state by id: before the write and after it. */
  readonly load?: (id: string) => Promise<unknown>;
  /** What `after` records (default: the state read again when `load` is given, else the result). */
  readonly after?: (c: { readonly state: unknown; readonly result: T }) => unknown;
}

/**
 * Runs a write outside the API (a CLI command) and records it as the API's hooks do: the
 * state before, the write, the state after. Nothing is recorded when the write throws.
 */
export async function auditedWrite<T>(db: Queryable, entry: AuditedWrite<T>, write: () => Promise<T>): Promise<T> {
  const { load, after, entityId, ...rest } = entry;
  const before = await loadState(load, entityId);
  const result = await write();
  const resultId = idOf(result);
  const id = entityId ?? resultId;
  const state = await loadState(load, id);
  await recordAudit(db, { ...rest, entityId: id, before, after: after ? after({ state, result }) : load ? state : result });
  return result;
}

/** The `id` of a result that has one (what a create answers). */
export function idOf(value: unknown): string | null {
  const id = value !== null && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : null;
}

/** Member ids kept of a manual change of a segment: the first this many, and how many there were. */
export const AUDITED_MEMBER_IDS = 1000;

/** A state with more fields beside it (a state that is not an object, such as null once deleted, goes under `state`). */
export function stateWith(state: unknown, more: Record<string, unknown>): unknown {
  return state !== null && typeof state === 'object' && !Array.isArray(state) ? { ...(state as Record<string, unknown>), ...more } : { state, ...more };
}

/** After members were added to or removed from a segment by hand: the segment, the ids given (the first 1,000, and how many) and the answer. */
export const membersChangeState = (state: unknown, ids: readonly unknown[], result: unknown): unknown => stateWith(state, { ids: ids.slice(0, AUDITED_MEMBER_IDS), idsGiven: ids.length, result });

/** An import is recorded by its counts, never its rows (nor the values of its bad rows). */
export function importReportCounts(report: unknown): unknown {
  const r = (report ?? {}) as Record<string, unknown>;
  const keys = ['entity', 'format', 'encoding', 'rows', 'inserted', 'updated', 'unchanged', 'duplicates', 'skipped', 'errorCount', 'newProperties'];
  return Object.fromEntries(keys.filter((k) => k in r).map((k) => [k, r[k]]));
}

/** A moment as a TIMESTAMP literal both engines read alike (UTC), for CAST(… AS TIMESTAMP). */

/** Appends one entry; returns its id. */
export async function recordAudit(db: Queryable, entry: NewAuditEntry): Promise<number> {
  const keep = entry.keep ?? [];
  const rows = await db.query<{ id: SqlValue }>(sql`
    INSERT INTO audit_log (occurred_at, actor_kind, actor_id, actor_name, action, entity, entity_id, method, route, before_state, after_state, status)
    VALUES (CAST(${sqlTimestamp(entry.occurredAt ?? new Date())} AS TIMESTAMP), ${entry.actor.kind}, ${entry.actor.id}, ${entry.actor.name}, ${entry.action}, ${entry.entity},
      ${entry.entityId ?? null}, ${entry.method ?? null}, ${entry.route ?? null}, ${stateText(entry.before, keep)}, ${stateText(entry.after, keep)}, ${entry.status ?? 200})
    RETURNING id`);
  return Number(rows[0]!.id);
}

const COLUMNS = sql.raw('id, occurred_at, actor_kind, actor_id, actor_name, action, entity, entity_id, method, route, before_state, after_state, status');

interface AuditRow {
  [column: string]: SqlValue;
  id: number | string;
  occurred_at: string;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  method: string | null;
  route: string | null;
  before_state: string | null;
  after_state: string | null;
  status: number;
}

const parse = (text: string | null): unknown => (text === null ? null : (JSON.parse(text) as unknown));

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: Number(row.id),
    occurredAt: row.occurred_at,
    actorKind: row.actor_kind as AuditActorKind,
    actorId: row.actor_id,
    actorName: row.actor_name,
    action: row.action,
    entity: row.entity,
    entityId: row.entity_id,
    method: row.method,
    route: row.route,
    before: parse(row.before_state),
    after: parse(row.after_state),
    status: Number(row.status),
  };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `from`: a date is its first moment (UTC). */
const fromMoment = (v: string): Date => new Date(DATE_ONLY.test(v) ? `${v}T00:00:00Z` : v);
/** `to`: the first moment after it (a date: the next day's start, UTC). */
function toLimit(v: string): { at: Date; inclusive: boolean } {
  if (!DATE_ONLY.test(v)) return { at: new Date(v), inclusive: true };
  const next = new Date(`${v}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return { at: next, inclusive: false };
}

type AuditFilter = Omit<AuditQuery, 'limit' | 'offset'>;

function conditions(filter: AuditFilter): Sql {
  const where: Sql[] = [];
  if (filter.entity !== undefined) where.push(sql`entity = ${filter.entity}`);
  if (filter.entityId !== undefined) where.push(sql`entity_id = ${filter.entityId}`);
  if (filter.actorKind !== undefined) where.push(sql`actor_kind = ${filter.actorKind}`);
  if (filter.actor !== undefined) {
    const actor = sql.param(filter.actor);
    where.push(sql`(actor_id = ${actor} OR actor_name = ${actor})`);
  }
  if (filter.action !== undefined) {
    if (filter.action.endsWith('.')) where.push(sql`substr(action, 1, ${filter.action.length}) = ${filter.action}`);
    else where.push(sql`action = ${filter.action}`);
  }
  if (filter.from !== undefined) where.push(sql`occurred_at >= CAST(${sqlTimestamp(fromMoment(filter.from))} AS TIMESTAMP)`);
  if (filter.to !== undefined) {
    const { at, inclusive } = toLimit(filter.to);
    where.push(inclusive ? sql`occurred_at <= CAST(${sqlTimestamp(at)} AS TIMESTAMP)` : sql`occurred_at < CAST(${sqlTimestamp(at)} AS TIMESTAMP)`);
  }
  return where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql.empty;
}

/** Entries matching the filters, newest first, paged. */
export async function listAudit(db: Queryable, query: AuditQuery): Promise<AuditPage> {
  const { limit, offset, ...filter } = query;
  const where = conditions(filter);
  const [count] = await db.query<{ n: SqlValue }>(sql`SELECT count(*) AS n FROM audit_log ${where}`);
  const rows = await db.query<AuditRow>(
    sql`SELECT ${COLUMNS} FROM audit_log ${where} ORDER BY occurred_at DESC, id DESC LIMIT ${sql.raw(String(Math.trunc(limit)))} OFFSET ${sql.raw(String(Math.trunc(offset)))}`,
  );
  return { items: rows.map(toEntry), total: Number(count?.n ?? 0), limit, offset };
}

/** One entry; ENTITY_NOT_FOUND when there is none with that id. */
export async function getAuditEntry(db: Queryable, id: number): Promise<AuditEntry> {
  const rows = await db.query<AuditRow>(sql`SELECT ${COLUMNS} FROM audit_log WHERE id = ${id}`);
  const row = rows[0];
  if (!row) throw new AppError('ENTITY_NOT_FOUND', { entity: 'audit entry', id: String(id) });
  return toEntry(row);
}
