import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import type { SecretBox } from '../access/secret-box.js';
import type { SegmentPublisher } from './connector-publish-action.js';
import { sqlTimestamp } from '../segments/segments.repository.js';
import { generateSecret } from './signing.js';
import { actionInputSchema, type ActionPatch, type EventType, type Subscription, type SubscriptionAction, type SubscriptionInput, type SubscriptionPatch } from './subscription.schema.js';

/**
 * Subscriptions (segments × event types → an action) and their secrets. A webhook's secrets
 * are sealed with the server's SecretBox (AES-256-GCM) as one JSON value: the current secret and
 * the previous ones still in force after a rotation (24 hours), each signing every message.
 */

/** How long a rotated-out secret still signs messages, so that receivers can switch over. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;

interface SealedSecrets {
  readonly current: string;
  readonly previous: readonly { readonly secret: string; readonly until: string }[];
}

interface SubscriptionRow {
  id: string;
  name: string;
  action_kind: string;
  action_config: string;
  secret: string | null;
  event_types: string;
  skip_first_generation: boolean;
  batch_size: number;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: string | null;
  created_at: string;
  updated_at: string;
  [key: string]: string | number | boolean | null;
}

/** A subscription as the dispatcher needs it: with its secrets opened. */
export interface StoredSubscription extends Subscription {
  /** The secrets that sign a message now, the current one first. */
  readonly secrets: readonly string[];
}

const hint = (secret: string) => `whsec_…${secret.slice(-4)}`;

export class SubscriptionStore {
  constructor(
    readonly db: Database,
    /** The server's SecretBox (null without SEGMENTA_SECRET_KEY); mail's unsubscribe tokens use it too. */
    readonly box: SecretBox | null,
    /** Checks a `connector-publish` action's connector (the connector service); without it such actions are refused. */
    private readonly publisher: Pick<SegmentPublisher, 'checkPublisher'> | null = null,
  ) {}

  private requireBox(): SecretBox {
    if (!this.box) throw new AppError('SECRET_KEY_MISSING');
    return this.box;
  }

  private openSecrets(row: SubscriptionRow): SealedSecrets | null {
    if (!row.secret) return null;
    return JSON.parse(this.requireBox().open(row.secret, secretOwner(row.id))) as SealedSecrets;
  }

  private async segmentsOf(q: Queryable, ids: readonly string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return map;
    const rows = await q.query<{ subscription_id: string; segment_id: string }>(
      sql`SELECT subscription_id, segment_id FROM event_subscription_segments WHERE subscription_id IN (${sql.list(ids)}) ORDER BY segment_id`,
    );
    for (const r of rows) map.get(r.subscription_id)?.push(r.segment_id);
    return map;
  }

  private toSubscription(row: SubscriptionRow, segmentIds: string[], secrets: SealedSecrets | null): Subscription {
    const config = JSON.parse(row.action_config) as Record<string, unknown>;
    const action: SubscriptionAction =
      row.action_kind === 'webhook' ? { kind: 'webhook', url: String(config.url), secretHint: secrets ? hint(secrets.current) : '' } : ({ ...config, kind: row.action_kind } as SubscriptionAction);
    return {
      id: row.id,
      name: row.name,
      segmentIds,
      eventTypes: JSON.parse(row.event_types) as EventType[],
      skipFirstGeneration: Boolean(row.skip_first_generation),
      batchSize: Number(row.batch_size),
      enabled: Boolean(row.enabled),
      disabledReason: row.disabled_reason,
      failingSince: row.failing_since,
      action,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async list(q: Queryable = this.db, filter: { segmentId?: string } = {}): Promise<Subscription[]> {
    const rows = await q.query<SubscriptionRow>(
      filter.segmentId
        ? sql`SELECT * FROM event_subscriptions WHERE id IN (SELECT subscription_id FROM event_subscription_segments WHERE segment_id = ${filter.segmentId}) ORDER BY id`
        : sql`SELECT * FROM event_subscriptions ORDER BY id`,
    );
    const segments = await this.segmentsOf(
      q,
      rows.map((r) => r.id),
    );
    return rows.map((r) => this.toSubscription(r, segments.get(r.id) ?? [], this.box && r.secret ? this.openSecrets(r) : null));
  }

  private async row(q: Queryable, id: string): Promise<SubscriptionRow> {
    const [row] = await q.query<SubscriptionRow>(sql`SELECT * FROM event_subscriptions WHERE id = ${id}`);
    if (!row) throw new AppError('SUBSCRIPTION_NOT_FOUND', { id });
    return row;
  }

  async get(id: string, q: Queryable = this.db): Promise<Subscription> {
    const row = await this.row(q, id);
    return this.toSubscription(row, (await this.segmentsOf(q, [id])).get(id) ?? [], this.openSecrets(row));
  }

  /** With its secrets in force (expired previous ones dropped). */
  async stored(id: string, q: Queryable = this.db, now = new Date()): Promise<StoredSubscription> {
    const row = await this.row(q, id);
    const secrets = this.openSecrets(row);
    const inForce = secrets ? [secrets.current, ...secrets.previous.filter((p) => new Date(p.until) > now).map((p) => p.secret)] : [];
    return { ...this.toSubscription(row, (await this.segmentsOf(q, [id])).get(id) ?? [], secrets), secrets: inForce };
  }

  private async checkSegments(q: Queryable, ids: readonly string[]): Promise<void> {
    const rows = await q.query<{ id: string; method: string }>(sql`SELECT id, method FROM segments WHERE id IN (${sql.list(ids)})`);
    const found = new Map(rows.map((r) => [r.id, r.method]));
    for (const id of ids) {
      if (!found.has(id)) throw new AppError('SEGMENT_NOT_FOUND', { id });
      if (found.get(id) === 'dynamic') throw new AppError('SEGMENT_NOT_STORED', { id, method: 'dynamic' });
    }
  }

  private async writeSegments(tx: Queryable, id: string, segmentIds: readonly string[]): Promise<void> {
    await tx.run(sql`DELETE FROM event_subscription_segments WHERE subscription_id = ${id}`);
    const unique = [...new Set(segmentIds)];
    await tx.run(sql`INSERT INTO event_subscription_segments (subscription_id, segment_id) VALUES ${sql.join(unique.map((s) => sql`(${id}, ${s})`))}`);
  }

  /** Creates it; returns it with its secret (a webhook's), shown this once; null for other kinds (they sign nothing). */
  async create(input: SubscriptionInput): Promise<{ subscription: Subscription; secret: string | null }> {
    const { action } = input;
    const webhook = action.kind === 'webhook';
    const secret = webhook ? (action.secret ?? generateSecret()) : null;
    const sealed = secret === null ? null : this.requireBox().seal(JSON.stringify({ current: secret, previous: [] } satisfies SealedSecrets), secretOwner(input.id));
    const config = webhook ? { url: action.url } : (({ kind: _kind, ...rest }) => rest)(action);
    if (action.kind === 'connector-publish') await this.requirePublisher(action.connectorId);
    const now = sqlTimestamp();
    await this.db.transaction(async (tx) => {
      if ((await tx.query(sql`SELECT 1 FROM event_subscriptions WHERE id = ${input.id}`)).length) throw new AppError('SUBSCRIPTION_EXISTS', { id: input.id });
      await this.checkSegments(tx, input.segmentIds);
      if (action.kind === 'email' && input.enabled) await requireMailConfigured(tx);
      if (action.kind === 'crm-task' && !(await tx.query(sql`SELECT 1 FROM connectors WHERE id = ${action.connectorId}`)).length) throw new AppError('CONNECTOR_NOT_FOUND', { id: action.connectorId });
      await tx.run(
        sql`INSERT INTO event_subscriptions (id, name, action_kind, action_config, secret, event_types, skip_first_generation, batch_size, enabled, disabled_reason, failing_since, created_at, updated_at)
         VALUES (${input.id}, ${input.name}, ${input.action.kind}, ${JSON.stringify(config)}, ${sealed}, ${JSON.stringify(input.eventTypes)}, ${input.skipFirstGeneration},
           ${input.batchSize}, ${input.enabled}, NULL, NULL, CAST(${now} AS TIMESTAMP), CAST(${now} AS TIMESTAMP))`,
      );
      await this.writeSegments(tx, input.id, input.segmentIds);
    });
    return { subscription: await this.get(input.id), secret };
  }

  async update(id: string, patch: SubscriptionPatch): Promise<Subscription> {
    // The action's change is checked first: its connector is looked up outside the transaction.
    const current = await this.row(this.db, id);
    if (patch.action && patch.action.kind !== current.action_kind)
      throw new AppError('VALIDATION_FAILED', { summary: `action.kind: the subscription's action is ${current.action_kind}; make a new subscription for another kind` });
    const changed = patch.action ? await this.changedAction(current.action_kind, JSON.parse(current.action_config) as Record<string, unknown>, patch.action) : null;
    await this.db.transaction(async (tx) => {
      const row = await this.row(tx, id);
      if (patch.segmentIds) await this.checkSegments(tx, patch.segmentIds);
      const config = changed ?? (JSON.parse(row.action_config) as Record<string, unknown>);
      const enabled = patch.enabled ?? Boolean(row.enabled);
      if (row.action_kind === 'webhook') {
        const url = String(config.url);
        if (enabled && new URL(url).hostname.endsWith('.invalid')) throw new AppError('VALIDATION_FAILED', { summary: `url: ${url} is a placeholder; set the webhook's address before enabling it` });
      }
      if (row.action_kind === 'email' && enabled && !row.enabled) await requireMailConfigured(tx);
      // Enabled again by hand: the reason and the failing clock start over.
      const again = patch.enabled === true && !row.enabled;
      await tx.run(
        sql`UPDATE event_subscriptions SET name = ${patch.name ?? row.name}, action_config = ${JSON.stringify(config)},
          event_types = ${patch.eventTypes ? JSON.stringify(patch.eventTypes) : row.event_types},
          skip_first_generation = ${patch.skipFirstGeneration ?? Boolean(row.skip_first_generation)}, batch_size = ${patch.batchSize ?? Number(row.batch_size)},
          enabled = ${enabled}, disabled_reason = ${again || !enabled ? null : row.disabled_reason}, failing_since = ${again ? null : row.failing_since === null ? null : row.failing_since},
          updated_at = CAST(${sqlTimestamp()} AS TIMESTAMP) WHERE id = ${id}`,
      );
      if (patch.segmentIds) await this.writeSegments(tx, id, patch.segmentIds);
    });
    return this.get(id);
  }

  /** The stored settings with the change over them, checked as a new action of the kind would be. */
  private async changedAction(kind: string, stored: Record<string, unknown>, change: ActionPatch): Promise<Record<string, unknown>> {
    const { kind: _kind, ...fields } = change;
    const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
    const parsed = actionInputSchema.safeParse({ ...stored, ...given, kind });
    if (!parsed.success) throw new AppError('VALIDATION_FAILED', { summary: parsed.error.issues.map((i) => `action.${i.path.join('.')}: ${i.message}`).join('; ') });
    const action = parsed.data;
    if ((action.kind === 'crm-task' || action.kind === 'connector-publish') && action.connectorId !== stored.connectorId) {
      if (action.kind === 'connector-publish') await this.requirePublisher(action.connectorId);
      else if (!(await this.db.query(sql`SELECT 1 FROM connectors WHERE id = ${action.connectorId}`)).length) throw new AppError('CONNECTOR_NOT_FOUND', { id: action.connectorId });
    }
    const { kind: _k, ...config } = action;
    // A webhook keeps only its address here: its secrets are sealed apart.
    return action.kind === 'webhook' ? { url: action.url } : config;
  }

  private async requirePublisher(connectorId: string): Promise<void> {
    if (!this.publisher) throw new AppError('CONNECTOR_NOT_FOUND', { id: connectorId });
    await this.publisher.checkPublisher(connectorId);
  }

  /** A new current secret; the old one signs too for ROTATION_OVERLAP_MS. Returns the new one, shown once. */
  async rotateSecret(id: string, given?: string): Promise<{ secret: string; previousValidUntil: string }> {
    if ((await this.row(this.db, id)).action_kind !== 'webhook') throw new AppError('VALIDATION_FAILED', { summary: 'only a webhook action has a signing secret' });
    const box = this.requireBox();
    const secret = given ?? generateSecret();
    const until = new Date(Date.now() + ROTATION_OVERLAP_MS).toISOString();
    await this.db.transaction(async (tx) => {
      const row = await this.row(tx, id);
      const old = this.openSecrets(row);
      const previous = old ? [{ secret: old.current, until }, ...old.previous.filter((p) => new Date(p.until) > new Date())] : [];
      await tx.run(
        sql`UPDATE event_subscriptions SET secret = ${box.seal(JSON.stringify({ current: secret, previous }), secretOwner(id))}, updated_at = CAST(${sqlTimestamp()} AS TIMESTAMP) WHERE id = ${id}`,
      );
    });
    return { secret, previousValidUntil: until };
  }

  async delete(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.row(tx, id);
      await tx.run(sql`DELETE FROM event_subscription_segments WHERE subscription_id = ${id}`);
      await tx.run(sql`DELETE FROM event_subscriptions WHERE id = ${id}`);
      await tx.run(sql`UPDATE event_deliveries SET status = 'failed', last_error = 'the subscription was deleted', next_attempt_at = NULL WHERE subscription_id = ${id} AND status = 'pending'`);
    });
  }
}

/** Subscriptions watching a segment: it cannot be deleted while they do (it can be archived). */
export async function subscriptionsWatchingSegment(db: Queryable, segmentId: string): Promise<{ kind: string; id: string; name: string }[]> {
  const rows = await db.query<{ id: string; name: string }>(
    sql`SELECT s.id, s.name FROM event_subscriptions s JOIN event_subscription_segments ss ON ss.subscription_id = s.id WHERE ss.segment_id = ${segmentId} ORDER BY s.id`,
  );
  return rows.map((r) => ({ kind: 'subscription', id: r.id, name: r.name }));
}

/** Disables a subscription (410, failing for days), with the reason shown to users. */
export async function disableSubscription(q: Queryable, id: string, reason: string): Promise<void> {
  await q.run(sql`UPDATE event_subscriptions SET enabled = FALSE, disabled_reason = ${reason}, updated_at = CAST(${sqlTimestamp()} AS TIMESTAMP) WHERE id = ${id}`);
}

/** E-mail subscriptions are enabled only once the SMTP server is set (the admin screen). */
async function requireMailConfigured(q: Queryable): Promise<void> {
  if ((await q.query(sql`SELECT 1 FROM mail_settings`)).length === 0) throw new AppError('MAIL_NOT_CONFIGURED');
}

/** The owner a subscription's secrets are sealed for (SecretBox's authenticated data). */
function secretOwner(id: string): string {
  return `subscription:${id}`;
}
