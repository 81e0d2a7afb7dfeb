import type { Queryable, SqlValue } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import { sqlTimestamp } from '../segments/segments.repository.js';
import { isoTimestamp } from '../tasks/tasks.js';

/**
 * The send log (issue 22): one row per mail — queued, sent, failed (with the server's answer)
 * or skipped (opted out, no e-mail, marked for deletion). A mail of a subscription's message
 * has the id `<message id>:<partner id>`, so a retry of the message finds it and sends only
 * what is not sent yet.
 */

export const MAIL_STATUSES = ['queued', 'sent', 'failed', 'skipped'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

export interface MailLogEntry {
  readonly id: string;
  readonly deliveryId: string | null;
  readonly subscriptionId: string | null;
  readonly partnerId: string | null;
  readonly recipient: string | null;
  readonly language: string | null;
  readonly subject: string | null;
  readonly status: MailStatus;
  readonly attempts: number;
  /** The SMTP server's answer (sent or refused). */
  readonly response: string | null;
  /** Why it failed or was skipped. */
  readonly error: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sentAt: string | null;
}

interface Row {
  id: string;
  delivery_id: string | null;
  subscription_id: string | null;
  partner_id: string | null;
  recipient: string | null;
  language: string | null;
  subject: string | null;
  status: string;
  attempts: number;
  response: string | null;
  error: string | null;
  created_at: SqlValue;
  updated_at: SqlValue;
  sent_at: SqlValue;
  [key: string]: SqlValue;
}

const toEntry = (r: Row): MailLogEntry => ({
  id: r.id,
  deliveryId: r.delivery_id,
  subscriptionId: r.subscription_id,
  partnerId: r.partner_id,
  recipient: r.recipient,
  language: r.language,
  subject: r.subject,
  status: r.status as MailStatus,
  attempts: Number(r.attempts),
  response: r.response,
  error: r.error,
  createdAt: isoTimestamp(r.created_at),
  updatedAt: isoTimestamp(r.updated_at),
  sentAt: r.sent_at === null || r.sent_at === undefined ? null : isoTimestamp(r.sent_at),
});

export async function mailLog(q: Queryable, filter: { subscriptionId?: string; partnerId?: string; status?: MailStatus; limit?: number } = {}): Promise<MailLogEntry[]> {
  const conditions = [sql`TRUE`];
  if (filter.subscriptionId) conditions.push(sql`subscription_id = ${filter.subscriptionId}`);
  if (filter.partnerId) conditions.push(sql`partner_id = ${filter.partnerId}`);
  if (filter.status) conditions.push(sql`status = ${filter.status}`);
  const rows = await q.query<Row>(sql`SELECT * FROM mail_messages WHERE ${sql.join(conditions, sql` AND `)} ORDER BY created_at DESC, id DESC LIMIT ${filter.limit ?? 200}`);
  return rows.map(toEntry);
}

/** The mails of one message already logged, by id. */
export async function loggedMails(q: Queryable, deliveryId: string): Promise<Map<string, MailLogEntry>> {
  const rows = await q.query<Row>(sql`SELECT * FROM mail_messages WHERE delivery_id = ${deliveryId}`);
  return new Map(rows.map((r) => [r.id, toEntry(r)]));
}

export interface MailRecord {
  readonly id: string;
  readonly deliveryId: string | null;
  readonly subscriptionId: string | null;
  readonly partnerId: string | null;
  readonly recipient: string | null;
  readonly language: string | null;
  readonly subject: string | null;
}

/** Writes a mail's state: a new row, or the row of an earlier attempt. */
export async function logMail(
  q: Queryable,
  mail: MailRecord,
  state: { status: MailStatus; response?: string | null; error?: string | null; attempted?: boolean },
  existing: MailLogEntry | undefined,
  now: Date = new Date(),
): Promise<void> {
  const at = sql`CAST(${sqlTimestamp(now)} AS TIMESTAMP)`;
  const attempts = (existing?.attempts ?? 0) + (state.attempted ? 1 : 0);
  const sentAt = state.status === 'sent' ? at : sql`NULL`;
  if (!existing) {
    await q.run(
      sql`INSERT INTO mail_messages (id, delivery_id, subscription_id, partner_id, recipient, language, subject, status, attempts, response, error, created_at, updated_at, sent_at)
       VALUES (${mail.id}, ${mail.deliveryId}, ${mail.subscriptionId}, ${mail.partnerId}, ${mail.recipient}, ${mail.language}, ${mail.subject}, ${state.status}, ${attempts},
         ${state.response ?? null}, ${state.error ?? null}, ${at}, ${at}, ${sentAt})`,
    );
    return;
  }
  await q.run(
    sql`UPDATE mail_messages SET recipient = ${mail.recipient}, language = ${mail.language}, subject = ${mail.subject}, status = ${state.status}, attempts = ${attempts},
      response = ${state.response ?? null}, error = ${state.error ?? null}, updated_at = ${at}, sent_at = ${sentAt} WHERE id = ${mail.id}`,
  );
}

export async function mailEntry(q: Queryable, id: string): Promise<MailLogEntry | null> {
  const [row] = await q.query<Row>(sql`SELECT * FROM mail_messages WHERE id = ${id}`);
  return row ? toEntry(row) : null;
}
