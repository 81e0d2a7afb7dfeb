import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import { KeyedMutex } from '../../scheduling/keyed-mutex.js';
import type { Queryable, SqlValue } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import { partnerInScope } from '../access/partner-scope-sql.js';
import { splitManagerIds } from '../access/manager-ids.js';
import { ALL_PARTNERS, type PartnerScope } from '../access/principal.js';
import { sqlTimestamp } from '../segments/segments.repository.js';
import type { Task, TaskChange, TaskControlRow, TaskFilter, TaskInput, TaskPatch, TaskStatus } from './task.schema.js';

/**
 * Tasks for managers inside Segmenta (issue 22, docs/tasks-and-mailings.md). A task belongs to
 * a partner; a manager sees the tasks of the partners they cover — the scope is applied here,
 * in every read (and on PostgreSQL by row-level security behind it). A subscription keeps one
 * open task per partner: a partner who leaves and re-enters while it is open gets no second.
 */

interface TaskRow {
  id: string;
  partner_id: string;
  partner_name: string | null;
  manager_id: string | null;
  manager_name: string | null;
  assignee_user_id: string | null;
  assignee_login: string | null;
  subscription_id: string | null;
  segment_id: string | null;
  event_id: string | null;
  title: string;
  description: string;
  due_date: SqlValue;
  status: string;
  result: string | null;
  created_at: SqlValue;
  created_by: string;
  updated_at: SqlValue;
  closed_at: SqlValue;
  closed_by: string | null;
  [key: string]: SqlValue;
}

/** A stored timestamp (text or Date, by engine) as ISO 8601 in UTC. */
export function isoTimestamp(value: SqlValue | Date): string {
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  if (/[zZ]|[+-]\d\d:?\d\d$/.test(text)) return new Date(text).toISOString();
  return new Date(`${text.replace(' ', 'T')}Z`).toISOString();
}
const isoDate = (value: SqlValue | Date): string => (value instanceof Date ? value.toISOString() : String(value)).slice(0, 10);

const toTask = (r: TaskRow): Task => ({
  id: r.id,
  partner: { id: r.partner_id, name: r.partner_name },
  managerId: r.manager_id,
  managerName: r.manager_name,
  assigneeUserId: r.assignee_user_id,
  assigneeLogin: r.assignee_login,
  subscriptionId: r.subscription_id,
  segmentId: r.segment_id,
  eventId: r.event_id,
  title: r.title,
  description: r.description,
  dueDate: isoDate(r.due_date),
  status: r.status as TaskStatus,
  result: r.result,
  createdAt: isoTimestamp(r.created_at),
  createdBy: r.created_by,
  updatedAt: isoTimestamp(r.updated_at),
  closedAt: r.closed_at === null || r.closed_at === undefined ? null : isoTimestamp(r.closed_at),
  closedBy: r.closed_by,
});

const SELECT = sql`SELECT t.*, p.name AS partner_name, m.name AS manager_name FROM tasks t LEFT JOIN partners p ON p.id = t.partner_id LEFT JOIN managers m ON m.id = t.manager_id`;

/** Adds days to an ISO date. */
export const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** One entry that makes a task: its partner, the event, the rendered texts. */
export interface TaskEntry {
  readonly partnerId: string;
  readonly eventId: string;
  readonly title: string;
  readonly description: string;
}

export class TaskStore {
  /** One subscription's tasks are written one message at a time (DuckDB has no unique index to lean on). */
  private readonly writing = new KeyedMutex<string>();

  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private at() {
    return sql`CAST(${sqlTimestamp(this.now())} AS TIMESTAMP)`;
  }

  private today(): string {
    return this.now().toISOString().slice(0, 10);
  }

  async list(q: Queryable, scope: PartnerScope, filter: TaskFilter = {}): Promise<Task[]> {
    const today = this.today();
    const conditions = [partnerInScope(scope, sql`t.partner_id`)];
    if (filter.status) conditions.push(sql`t.status = ${filter.status}`);
    if (filter.managerId) conditions.push(sql`t.manager_id = ${filter.managerId}`);
    if (filter.partnerId) conditions.push(sql`t.partner_id = ${filter.partnerId}`);
    if (filter.assigneeUserId) conditions.push(sql`t.assignee_user_id = ${filter.assigneeUserId}`);
    const day = sql`CAST(${today} AS DATE)`;
    if (filter.due === 'today') conditions.push(sql`t.status = 'open' AND t.due_date = ${day}`);
    if (filter.due === 'overdue') conditions.push(sql`t.status = 'open' AND t.due_date < ${day}`);
    if (filter.due === 'upcoming') conditions.push(sql`t.status = 'open' AND t.due_date > ${day}`);
    const rows = await q.query<TaskRow>(
      sql`${SELECT} WHERE ${sql.join(conditions, sql` AND `)}
       ORDER BY CASE WHEN t.status = 'open' THEN 0 ELSE 1 END, t.due_date, t.created_at, t.id LIMIT ${filter.limit ?? 500}`,
    );
    return rows.map(toTask);
  }

  async get(q: Queryable, scope: PartnerScope, id: string): Promise<Task> {
    const [row] = await q.query<TaskRow>(sql`${SELECT} WHERE t.id = ${id} AND ${partnerInScope(scope, sql`t.partner_id`)}`);
    if (!row) throw new AppError('TASK_NOT_FOUND', { id });
    return toTask(row);
  }

  async history(q: Queryable, scope: PartnerScope, id: string): Promise<TaskChange[]> {
    await this.get(q, scope, id);
    const rows = await q.query<{ at: SqlValue; actor: string; action: string; status: string; note: string | null }>(
      sql`SELECT changed_at AS at, actor, action, status, note FROM task_history WHERE task_id = ${id} ORDER BY changed_at, CASE WHEN action = 'created' THEN 0 ELSE 1 END, action`,
    );
    return rows.map((r) => ({ at: isoTimestamp(r.at), actor: r.actor, action: r.action, status: r.status as TaskStatus, note: r.note }));
  }

  private async record(tx: Queryable, id: string, actor: string, action: string, status: TaskStatus, note: string | null): Promise<void> {
    await tx.run(sql`INSERT INTO task_history (task_id, changed_at, actor, action, status, note) VALUES (${id}, ${this.at()}, ${actor}, ${action}, ${status}, ${note})`);
  }

  /** The user who covers a manager: an enabled user of the manager role (the first by login); null when none does. */
  private async assignees(tx: Queryable): Promise<Map<string, { id: string; login: string }>> {
    const users = await tx.query<{ id: string; login: string; manager_ids: string }>(sql`SELECT id, login, manager_ids FROM users WHERE role = 'manager' AND NOT disabled ORDER BY login`);
    const map = new Map<string, { id: string; login: string }>();
    for (const u of users) for (const m of splitManagerIds(u.manager_ids)) if (!map.has(m)) map.set(m, { id: u.id, login: u.login });
    return map;
  }

  private async insert(
    tx: Queryable,
    values: { partnerId: string; subscriptionId: string | null; segmentId: string | null; eventId: string | null; title: string; description: string; dueDate: string; actor: string },
  ): Promise<string | null> {
    const [partner] = await tx.query<{ manager_id: string | null }>(sql`SELECT manager_id FROM partners WHERE id = ${values.partnerId}`);
    if (!partner) return null;
    const assignee = partner.manager_id ? ((await this.assignees(tx)).get(partner.manager_id) ?? null) : null;
    const id = `task_${randomBytes(9).toString('base64url')}`;
    await tx.run(
      sql`INSERT INTO tasks (id, partner_id, manager_id, assignee_user_id, assignee_login, subscription_id, segment_id, event_id, title, description, due_date, status, result, created_at, created_by, updated_at, closed_at, closed_by)
       VALUES (${id}, ${values.partnerId}, ${partner.manager_id}, ${assignee?.id ?? null}, ${assignee?.login ?? null}, ${values.subscriptionId}, ${values.segmentId}, ${values.eventId},
         ${values.title}, ${values.description}, CAST(${values.dueDate} AS DATE), 'open', NULL, ${this.at()}, ${values.actor}, ${this.at()}, NULL, NULL)`,
    );
    await this.record(tx, id, values.actor, 'created', 'open', values.eventId ? `made by the subscription ${values.subscriptionId} (${values.eventId})` : null);
    return id;
  }

  /** A task made by hand, for a partner in the caller's scope. */
  async create(input: TaskInput, actor: string, scope: PartnerScope): Promise<Task> {
    const id = await this.db.transaction(async (tx) => {
      const [visible] = await tx.query(sql`SELECT 1 FROM partners p WHERE p.id = ${input.partnerId} AND ${partnerInScope(scope, sql`p.id`)}`);
      if (!visible) throw new AppError('ENTITY_NOT_FOUND', { entity: 'partner', id: input.partnerId });
      return this.insert(tx, { partnerId: input.partnerId, subscriptionId: null, segmentId: null, eventId: null, title: input.title, description: input.description, dueDate: input.dueDate, actor });
    });
    return this.get(this.db, ALL_PARTNERS, id!);
  }

  /** Changes a task: closes it with a result, cancels, reopens, or edits its texts and deadline. */
  async update(id: string, patch: TaskPatch, actor: string, scope: PartnerScope): Promise<Task> {
    await this.db.transaction(async (tx) => {
      const task = await this.get(tx, scope, id);
      const status = patch.status ?? task.status;
      const closing = status !== 'open' && task.status === 'open';
      if (patch.status && patch.status !== 'open' && task.status !== 'open') throw new AppError('TASK_CLOSED', { id, status: task.status });
      const reopening = status === 'open' && task.status !== 'open';
      const result = patch.result ?? task.result;
      await tx.run(
        sql`UPDATE tasks SET status = ${status}, result = ${result}, title = ${patch.title ?? task.title}, description = ${patch.description ?? task.description},
          due_date = CAST(${patch.dueDate ?? task.dueDate} AS DATE), updated_at = ${this.at()},
          closed_at = ${closing ? this.at() : reopening ? null : task.closedAt === null ? null : sql`closed_at`}, closed_by = ${closing ? actor : reopening ? null : task.closedBy}
         WHERE id = ${id}`,
      );
      const action = closing ? (status === 'done' ? 'closed' : 'cancelled') : reopening ? 'reopened' : 'edited';
      const changed = [patch.title !== undefined && 'title', patch.description !== undefined && 'description', patch.dueDate !== undefined && `deadline ${patch.dueDate}`].filter(Boolean).join(', ');
      await this.record(tx, id, actor, action, status, closing || reopening ? (result ?? null) : changed || (patch.result !== undefined ? 'result' : null));
    });
    return this.get(this.db, scope, id);
  }

  /**
   * Opens a task per entry of a subscription's message, unless the partner has one open from
   * this subscription already. Returns the ids made. Idempotent: a message sent again makes none.
   */
  async openForEntries(subscriptionId: string, segmentId: string, dueInDays: number, entries: readonly TaskEntry[]): Promise<string[]> {
    return this.writing.withLock([subscriptionId], () =>
      this.db.transaction(async (tx) => {
        const made: string[] = [];
        const open = new Set((await tx.query<{ partner_id: string }>(sql`SELECT partner_id FROM tasks WHERE subscription_id = ${subscriptionId} AND status = 'open'`)).map((r) => r.partner_id));
        const dueDate = addDays(this.today(), dueInDays);
        for (const entry of entries) {
          if (open.has(entry.partnerId)) continue;
          const id = await this.insert(tx, { ...entry, subscriptionId, segmentId, dueDate, actor: 'system' });
          if (id) made.push(id);
          open.add(entry.partnerId);
        }
        return made;
      }),
    );
  }

  /** Closes (done, with the note) the open tasks of a subscription for partners who left its segment. */
  async closeForExits(subscriptionId: string, partnerIds: readonly string[], note: string): Promise<string[]> {
    if (partnerIds.length === 0) return [];
    return this.writing.withLock([subscriptionId], () =>
      this.db.transaction(async (tx) => {
        const rows = await tx.query<{ id: string }>(sql`SELECT id FROM tasks WHERE subscription_id = ${subscriptionId} AND status = 'open' AND partner_id IN (${sql.list(partnerIds)})`);
        for (const { id } of rows) {
          await tx.run(sql`UPDATE tasks SET status = 'done', result = ${note}, closed_at = ${this.at()}, closed_by = 'system', updated_at = ${this.at()} WHERE id = ${id}`);
          await this.record(tx, id, 'system', 'auto-closed', 'done', note);
        }
        return rows.map((r) => r.id);
      }),
    );
  }

  /** Per manager: open, overdue, done on time and late, cancelled, the median time to close. */
  async control(q: Queryable, filter: { managerId?: string; from?: string; to?: string } = {}): Promise<TaskControlRow[]> {
    const conditions = [sql`TRUE`];
    if (filter.managerId) conditions.push(sql`t.manager_id = ${filter.managerId}`);
    if (filter.from) conditions.push(sql`t.created_at >= CAST(${filter.from} AS TIMESTAMP)`);
    if (filter.to) conditions.push(sql`t.created_at < CAST(${addDays(filter.to, 1)} AS TIMESTAMP)`);
    const rows = await q.query<{ manager_id: string | null; manager_name: string | null; status: string; due_date: SqlValue; created_at: SqlValue; closed_at: SqlValue }>(
      sql`SELECT t.manager_id, m.name AS manager_name, t.status, t.due_date, t.created_at, t.closed_at FROM tasks t LEFT JOIN managers m ON m.id = t.manager_id
       WHERE ${sql.join(conditions, sql` AND `)}`,
    );
    const today = this.today();
    const byManager = new Map<
      string,
      { row: { managerId: string | null; managerName: string | null; open: number; overdue: number; doneOnTime: number; doneLate: number; cancelled: number }; hours: number[] }
    >();
    for (const r of rows) {
      const key = r.manager_id ?? '';
      let entry = byManager.get(key);
      if (!entry) byManager.set(key, (entry = { row: { managerId: r.manager_id, managerName: r.manager_name, open: 0, overdue: 0, doneOnTime: 0, doneLate: 0, cancelled: 0 }, hours: [] }));
      const due = isoDate(r.due_date);
      if (r.status === 'open') {
        entry.row.open++;
        if (due < today) entry.row.overdue++;
      } else if (r.status === 'cancelled') entry.row.cancelled++;
      else {
        const closed = isoTimestamp(r.closed_at);
        if (closed.slice(0, 10) <= due) entry.row.doneOnTime++;
        else entry.row.doneLate++;
        entry.hours.push((Date.parse(closed) - Date.parse(isoTimestamp(r.created_at))) / 3_600_000);
      }
    }
    return [...byManager.values()]
      .map(({ row, hours }) => ({ ...row, medianHoursToClose: median(hours) }))
      .sort((a, b) => (a.managerName ?? '\uffff').localeCompare(b.managerName ?? '\uffff') || (a.managerId ?? '').localeCompare(b.managerId ?? ''));
  }
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.round(value * 10) / 10;
}
