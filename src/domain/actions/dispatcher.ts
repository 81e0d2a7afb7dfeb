import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import { KeyedMutex } from '../../scheduling/keyed-mutex.js';
import type { Queryable, Row } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import { failpoint } from '../segments/failpoint.js';
import { eventId } from '../segments/outbox.js';
import { findSegment, sqlTimestamp } from '../segments/segments.repository.js';
import type { ActionHandler, DeliveryOutcome, OutgoingMessage } from './actions.js';
import { disableSubscription, type StoredSubscription, type SubscriptionStore } from './subscriptions.js';
import type { Delivery, DeliveryAttempt, DeliveryStatus, EventType } from './subscription.schema.js';
import { ruleValues, type EventValue } from './event-values.js';

/**
 * The delivery of segment events (issue 18, docs/events.md). Two steps, each claimed so that
 * several server processes on one PostgreSQL do each piece of work once (`FOR UPDATE SKIP
 * LOCKED`; on DuckDB one process owns the file and an in-process lock serialises the claims):
 *
 * 1. **Fan-out**: a change not dispatched yet becomes messages — per subscription watching its
 *    segment, its events in batches of the subscription's size — in one transaction with the
 *    change marked dispatched: a kill before the commit leaves the change to fan out again.
 * 2. **Delivery**: due messages are claimed for a lease (committed), sent, and their outcome
 *    recorded. A kill after sending and before recording sends the message again when the lease
 *    ends (at once after a restart on DuckDB and PGlite, where no other process can hold it) with
 *    the same `webhook-id`: at least once, receivers deduplicate on the id.
 */

/** Svix's schedule: the first attempt at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h. */
export const RETRY_SCHEDULE_MS: readonly number[] = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
/** An endpoint failing this long (no delivery since) is disabled, with a notice. */
export const FAILING_DISABLES_AFTER_MS = 5 * 24 * 3600_000;
const PROCESS = `${hostname()}:${process.pid}`;

export interface DispatcherOptions {
  readonly handlers: readonly ActionHandler[];
  /** Delays before attempt 1, 2, …; RETRY_SCHEDULE_MS unless a test says otherwise. */
  readonly retrySchedule?: readonly number[];
  /** How long a claimed message is this process's (longer than an attempt's time-out). */
  readonly leaseMs?: number;
  readonly pollMs?: number;
  /** Messages sent at once. */
  readonly concurrency?: number;
  readonly now?: () => Date;
  readonly log?: (message: string) => void;
  /** Told each step of a pass (kill tests print them to know what a kill interrupted). */
  readonly onStep?: (step: 'fan-out' | 'claimed' | 'sending' | 'sent' | 'recorded') => void;
}

interface DeliveryRow extends Row {
  id: string;
  subscription_id: string;
  segment_id: string | null;
  version: number | null;
  transition: string | null;
  first_member: string | null;
  last_member: string | null;
  event_count: number;
  payload: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  subscriptionId: r.subscription_id,
  segmentId: r.segment_id,
  transition: r.transition === 'entered' || r.transition === 'left' ? r.transition : null,
  eventCount: Number(r.event_count),
  status: r.status as DeliveryStatus,
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at,
  lastStatus: r.last_status === null ? null : Number(r.last_status),
  lastError: r.last_error,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

const TRANSITIONS: Record<EventType, 'entered' | 'left'> = { 'segment.member.entered': 'entered', 'segment.member.left': 'left' };

export class EventDispatcher {
  /** In-process serialisation of claims and records (DuckDB has no row locks to wait on). */
  private readonly claiming = new KeyedMutex<string>();
  private readonly handlers: Map<string, ActionHandler>;
  private readonly schedule: readonly number[];
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly db: Database,
    private readonly subscriptions: SubscriptionStore,
    private readonly options: DispatcherOptions,
  ) {
    this.handlers = new Map(options.handlers.map((h) => [h.kind, h]));
    this.schedule = options.retrySchedule ?? RETRY_SCHEDULE_MS;
    this.now = options.now ?? (() => new Date());
  }

  private at(offsetMs = 0) {
    return sql`CAST(${sqlTimestamp(new Date(this.now().getTime() + offsetMs))} AS TIMESTAMP)`;
  }

  /** Starts polling (`segmenta serve`); claims a dead process of this database left are released first. */
  async start(): Promise<void> {
    await this.releaseStaleClaims();
    this.stopped = false;
    this.schedulePoll(0);
  }

  /** Stops polling and waits for the pass under way (its sends included) to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedulePoll(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.options.log?.(`event delivery: ${(error as Error).message}`))
        .finally(() => {
          this.running = null;
          this.schedulePoll(this.options.pollMs ?? 500);
        });
    }, delay);
    this.timer.unref();
  }

  /**
   * On DuckDB and PGlite this process is the database's only one: a claim still held was a
   * killed process's, and its messages go again now rather than when the lease ends.
   */
  async releaseStaleClaims(): Promise<void> {
    if (this.db.localWrites === null) return;
    await this.db.run(`UPDATE event_deliveries SET claimed_until = NULL, claimed_by = NULL WHERE status = 'pending' AND claimed_until IS NOT NULL`);
  }

  /** Fans out every change waiting, then sends what is due; returns the messages attempted. */
  async runOnce(): Promise<{ changes: number; attempts: number }> {
    let changes = 0;
    for (let n = await this.fanOut(); n > 0; n = await this.fanOut()) changes += n;
    let attempts = 0;
    for (let n = await this.deliverDue(); n > 0 && !this.stoppedMidway(); n = await this.deliverDue()) attempts += n;
    return { changes, attempts };
  }

  private stoppedMidway(): boolean {
    return this.stopped && this.timer === null && this.running !== null;
  }

  /** Claims up to `limit` changes waiting and fans them out; returns how many. */
  async fanOut(limit = 20): Promise<number> {
    this.options.onStep?.('fan-out');
    return this.claiming.withLock(['fan-out'], () =>
      this.db.transaction(async (tx) => {
        const changes = await tx.query<{ segment_id: string; version: number; first_generation: boolean }>(
          sql`SELECT segment_id, version, first_generation FROM segment_changes WHERE NOT dispatched ORDER BY occurred_at, segment_id, version LIMIT ${limit}${sql.raw(tx.dialect.skipLocked)}`,
        );
        for (const change of changes) {
          await this.fanOutChange(tx, change.segment_id, Number(change.version), Boolean(change.first_generation));
          await tx.run(sql`UPDATE segment_changes SET dispatched = TRUE WHERE segment_id = ${change.segment_id} AND version = ${Number(change.version)}`);
        }
        if (changes.length) await failpoint('events-fanned-out');
        return changes.length;
      }),
    );
  }

  private async fanOutChange(tx: Queryable, segmentId: string, version: number, firstGeneration: boolean): Promise<void> {
    const subscriptions = await tx.query<{ id: string; event_types: string; skip_first_generation: boolean; batch_size: number }>(
      sql`SELECT s.id, s.event_types, s.skip_first_generation, s.batch_size FROM event_subscriptions s
       JOIN event_subscription_segments ss ON ss.subscription_id = s.id WHERE s.enabled AND ss.segment_id = ${segmentId} ORDER BY s.id`,
    );
    const text = sql.raw(tx.dialect.columnType('text'));
    for (const s of subscriptions) {
      if (s.skip_first_generation && firstGeneration) continue;
      const transitions = (JSON.parse(s.event_types) as EventType[]).map((t) => TRANSITIONS[t]);
      if (transitions.length === 0) continue;
      const size = Number(s.batch_size);
      await tx.run(
        sql`INSERT INTO event_deliveries (id, subscription_id, segment_id, version, transition, first_member, last_member, event_count, payload, status, attempts, next_attempt_at, created_at)
         SELECT 'msg_' || ${s.id} || '_' || ${segmentId} || '_' || CAST(${version} AS ${text}) || '_' || b.transition || '_' || CAST(b.batch AS ${text}),
           ${s.id}, ${segmentId}, ${version}, b.transition, MIN(b.member_id), MAX(b.member_id), COUNT(*), NULL, 'pending', 0, ${this.at()}, ${this.at()}
         FROM (SELECT transition, member_id, CAST(FLOOR((ROW_NUMBER() OVER (PARTITION BY transition ORDER BY member_id) - 1) / CAST(${size} AS DOUBLE PRECISION)) AS BIGINT) AS batch
               FROM segment_events WHERE segment_id = ${segmentId} AND version = ${version} AND transition IN (${sql.list(transitions)})) b
         GROUP BY b.transition, b.batch`,
      );
    }
  }

  /** Claims the messages due (a lease), sends them, records each outcome; returns how many. */
  async deliverDue(limit = 16): Promise<number> {
    const claimed = await this.claim(limit);
    const concurrency = this.options.concurrency ?? 4;
    let next = 0;
    const worker = async () => {
      while (next < claimed.length) await this.attempt(claimed[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, worker));
    return claimed.length;
  }

  private async claim(limit: number, only?: string): Promise<DeliveryRow[]> {
    const lease = this.options.leaseMs ?? 60_000;
    return this.claiming.withLock(['deliveries'], () =>
      this.db.transaction(async (tx) => {
        const due = await tx.query<{ id: string }>(
          sql`SELECT d.id FROM event_deliveries d WHERE d.status = 'pending' AND d.next_attempt_at <= ${this.at()}
           AND (d.claimed_until IS NULL OR d.claimed_until < ${this.at()})
           AND (d.payload IS NOT NULL OR d.subscription_id IN (SELECT id FROM event_subscriptions WHERE enabled))
           ${only ? sql`AND d.id = ${only}` : sql``}
           ORDER BY d.next_attempt_at, d.id LIMIT ${limit}${sql.raw(tx.dialect.skipLocked)}`,
        );
        if (due.length === 0) return [];
        this.options.onStep?.('claimed');
        const ids = due.map((r) => r.id);
        await tx.run(sql`UPDATE event_deliveries SET claimed_until = ${this.at(lease)}, claimed_by = ${PROCESS} WHERE id IN (${sql.list(ids)})`);
        return tx.query<DeliveryRow>(sql`SELECT * FROM event_deliveries WHERE id IN (${sql.list(ids)}) ORDER BY next_attempt_at, id`);
      }),
    );
  }

  private async attempt(row: DeliveryRow): Promise<DeliveryOutcome> {
    let outcome: DeliveryOutcome;
    let subscription: StoredSubscription | null = null;
    try {
      subscription = await this.subscriptions.stored(row.subscription_id, this.db, this.now());
      const handler = this.handlers.get(subscription.action.kind);
      if (!handler) throw new Error(`no handler for the action kind ${subscription.action.kind}`);
      const message = await this.message(row);
      await failpoint('event-delivery-sending');
      this.options.onStep?.('sending');
      outcome = await handler.deliver(subscription, message);
      this.options.onStep?.('sent');
    } catch (error) {
      outcome = { ok: false, gone: false, status: null, excerpt: '', error: error instanceof AppError ? error.message : (error as Error).message, durationMs: 0 };
    }
    await failpoint('event-delivery-sent');
    await this.record(row, subscription, outcome);
    this.options.onStep?.('recorded');
    return outcome;
  }

  private async record(row: DeliveryRow, subscription: StoredSubscription | null, outcome: DeliveryOutcome): Promise<void> {
    const attempts = Number(row.attempts) + 1;
    const numbered = await this.db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM event_delivery_attempts WHERE delivery_id = ${row.id}`);
    const now = this.now();
    await this.claiming.withLock(['records'], () =>
      this.db.transaction(async (tx) => {
        await tx.run(
          sql`INSERT INTO event_delivery_attempts (delivery_id, attempt, attempted_at, status_code, response_excerpt, error, duration_ms)
           VALUES (${row.id}, ${Number(numbered[0]?.n ?? 0) + 1}, ${this.at()}, ${outcome.status}, ${outcome.excerpt.slice(0, 1024)}, ${outcome.error}, ${Math.round(outcome.durationMs)})`,
        );
        const common = sql`attempts = ${attempts}, last_status = ${outcome.status}, last_error = ${outcome.error}, claimed_until = NULL, claimed_by = NULL`;
        if (outcome.ok) {
          await tx.run(sql`UPDATE event_deliveries SET status = 'delivered', ${common}, next_attempt_at = NULL, finished_at = ${this.at()} WHERE id = ${row.id}`);
          if (row.payload === null) await tx.run(sql`UPDATE event_subscriptions SET failing_since = NULL WHERE id = ${row.subscription_id}`);
          return;
        }
        const last = outcome.gone || attempts >= this.schedule.length;
        if (last) await tx.run(sql`UPDATE event_deliveries SET status = 'failed', ${common}, next_attempt_at = NULL, finished_at = ${this.at()} WHERE id = ${row.id}`);
        else await tx.run(sql`UPDATE event_deliveries SET ${common}, next_attempt_at = ${this.at(this.schedule[attempts])} WHERE id = ${row.id}`);
        if (!subscription || row.payload !== null) return;
        if (outcome.gone) {
          await disableSubscription(tx, row.subscription_id, `the endpoint answered 410 Gone on ${now.toISOString()}: it asked not to be sent more`);
          this.options.log?.(`subscription ${row.subscription_id} disabled: its endpoint answered 410 Gone`);
          return;
        }
        const since = subscription.failingSince ? new Date(subscription.failingSince.endsWith('Z') ? subscription.failingSince : `${subscription.failingSince}Z`) : now;
        if (!subscription.failingSince) await tx.run(sql`UPDATE event_subscriptions SET failing_since = ${this.at()} WHERE id = ${row.subscription_id}`);
        else if (now.getTime() - since.getTime() >= FAILING_DISABLES_AFTER_MS) {
          await disableSubscription(tx, row.subscription_id, `no delivery succeeded since ${since.toISOString()} (5 days): disabled; fix the endpoint and enable it again`);
          this.options.log?.(`subscription ${row.subscription_id} disabled: failing for 5 days`);
        }
      }),
    );
  }

  /** A message's body: its events with the segment and the partner (or product) as they are now. */
  async message(row: DeliveryRow): Promise<OutgoingMessage> {
    if (row.payload !== null) return { id: row.id, body: row.payload };
    const segmentId = row.segment_id!;
    const version = Number(row.version);
    const transition = row.transition as 'entered' | 'left';
    const segment = await findSegment(this.db, segmentId);
    const [change] = await this.db.query<{ run_id: number | null; first_generation: boolean; occurred_at: string }>(
      sql`SELECT run_id, first_generation, occurred_at FROM segment_changes WHERE segment_id = ${segmentId} AND version = ${version}`,
    );
    const range = sql`e.segment_id = ${segmentId} AND e.version = ${version} AND e.transition = ${transition} AND e.member_id BETWEEN ${row.first_member} AND ${row.last_member}`;
    const kind = segment?.kind === 'product' ? 'product' : 'partner';
    const members =
      kind === 'partner'
        ? await this.db.query<{ member_id: string; name: string | null; manager_id: string | null; manager_name: string | null; email: string | null; phone: string | null }>(
            sql`SELECT e.member_id, p.name, p.manager_id, m.name AS manager_name, p.email, p.phone FROM segment_events e
             LEFT JOIN partners p ON p.id = e.member_id LEFT JOIN managers m ON m.id = p.manager_id WHERE ${range} ORDER BY e.member_id`,
          )
        : await this.db.query<{ member_id: string; name: string | null }>(
            sql`SELECT e.member_id, p.name FROM segment_events e LEFT JOIN products p ON p.id = e.member_id WHERE ${range} ORDER BY e.member_id`,
          );
    const values = segment
      ? await ruleValues(
          this.db,
          segment,
          members.map((m) => m.member_id),
          this.now().toISOString().slice(0, 10),
        )
      : new Map<string, Record<string, EventValue>>();
    const type = transition === 'entered' ? 'segment.member.entered' : 'segment.member.left';
    const timestamp = change ? new Date(change.occurred_at.endsWith('Z') ? change.occurred_at : `${change.occurred_at}Z`).toISOString() : this.now().toISOString();
    const events = members.map((m) => {
      const partner = m as { manager_id?: string | null; manager_name?: string | null; email?: string | null; phone?: string | null };
      return {
        id: eventId(segmentId, version, transition, m.member_id),
        type,
        timestamp,
        [kind]:
          kind === 'partner'
            ? {
                id: m.member_id,
                name: m.name,
                manager: partner.manager_id ? { id: partner.manager_id, name: partner.manager_name ?? null } : null,
                email: partner.email ?? null,
                phone: partner.phone ?? null,
              }
            : { id: m.member_id, name: m.name },
        values: values.get(m.member_id) ?? {},
      };
    });
    const body = {
      type: 'segment.members.changed',
      timestamp,
      data: {
        segment: { id: segmentId, name: segment?.name ?? null, kind },
        compositionVersion: version,
        runId: change?.run_id === null || change?.run_id === undefined ? null : Number(change.run_id),
        firstGeneration: Boolean(change?.first_generation),
        events,
      },
    };
    return { id: row.id, body: JSON.stringify(body) };
  }

  /** Queues a test event to a subscription and sends it at once; returns the delivery. */
  async sendTest(subscriptionId: string): Promise<Delivery> {
    const subscription = await this.subscriptions.get(subscriptionId);
    const id = `msg_test_${randomBytes(9).toString('base64url')}`;
    const timestamp = this.now().toISOString();
    const body = JSON.stringify({
      type: 'segment.test',
      timestamp,
      data: { subscription: { id: subscription.id, name: subscription.name }, message: 'A test event from Segmenta: the endpoint receives and verifies signed events.' },
    });
    await this.db.run(
      sql`INSERT INTO event_deliveries (id, subscription_id, segment_id, version, transition, first_member, last_member, event_count, payload, status, attempts, next_attempt_at, created_at)
       VALUES (${id}, ${subscriptionId}, NULL, NULL, NULL, NULL, NULL, 0, ${body}, 'pending', 0, ${this.at()}, ${this.at()})`,
    );
    const [row] = await this.claim(1, id);
    if (row) await this.attempt(row);
    return this.delivery(id);
  }

  /** Sends a message again (its same webhook-id), now, with the retry schedule started over. */
  async resend(deliveryId: string): Promise<Delivery> {
    await this.delivery(deliveryId);
    await this.db.run(sql`UPDATE event_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ${this.at()}, finished_at = NULL WHERE id = ${deliveryId}`);
    const [row] = await this.claim(1, deliveryId);
    if (row) await this.attempt(row);
    return this.delivery(deliveryId);
  }

  async delivery(id: string): Promise<Delivery> {
    const [row] = await this.db.query<DeliveryRow>(sql`SELECT * FROM event_deliveries WHERE id = ${id}`);
    if (!row) throw new AppError('DELIVERY_NOT_FOUND', { id });
    return toDelivery(row);
  }
}

/** The delivery log of a subscription, newest first. */
export async function listDeliveries(q: Queryable, subscriptionId: string, options: { status?: DeliveryStatus; limit?: number } = {}): Promise<Delivery[]> {
  const rows = await q.query<DeliveryRow>(
    sql`SELECT * FROM event_deliveries WHERE subscription_id = ${subscriptionId} ${options.status ? sql`AND status = ${options.status}` : sql``}
     ORDER BY created_at DESC, id DESC LIMIT ${options.limit ?? 100}`,
  );
  return rows.map(toDelivery);
}

export async function listAttempts(q: Queryable, deliveryId: string): Promise<DeliveryAttempt[]> {
  const rows = await q.query<{ attempt: number; attempted_at: string; status_code: number | null; response_excerpt: string | null; error: string | null; duration_ms: number }>(
    sql`SELECT attempt, attempted_at, status_code, response_excerpt, error, duration_ms FROM event_delivery_attempts WHERE delivery_id = ${deliveryId} ORDER BY attempt`,
  );
  return rows.map((r) => ({
    attempt: Number(r.attempt),
    attemptedAt: r.attempted_at,
    statusCode: r.status_code === null ? null : Number(r.status_code),
    responseExcerpt: r.response_excerpt,
    error: r.error,
    durationMs: Number(r.duration_ms),
  }));
}
