import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobRegistry, JobView } from '../domain/jobs/job-registry.js';
import { refreshSegmentsWithErrors } from '../domain/segments/batch-refresh.js';
import type { CompositionListener } from '../domain/segments/compositions.js';
import { addMembers, removeMembers } from '../domain/segments/manual-members.js';
import type { Segment } from '../domain/segments/segment.schema.js';
import { deleteSegmentsRows, findSegment, getSegment, listSegments, updateSegmentRow } from '../domain/segments/segments.repository.js';
import type { SegmentService } from '../domain/segments/segments.service.js';
import { inChunks } from '../sql/in-chunks.js';
import { AppError, isAppError } from '../errors/app-error.js';
import type { ImportListener } from '../import/import-listeners.js';
import type { EntityName } from '../model/entities.js';
import { CronJobs } from '../scheduling/cron-jobs.js';
import { KeyedMutex } from '../scheduling/keyed-mutex.js';
import { FiringClaims } from '../scheduling/firing-claims.js';
import { checkSchedule } from '../scheduling/schedule.js';
import { sqlTimestamp } from '../scheduling/sql-text.js';
import type { Queryable, Row } from '../sql/queryable.js';
import { sql } from '../sql/sql.js';
import type { Database } from '../storage/database.js';
import { applySyncBatch, type EntityCounts } from './apply.js';
import type { ConnectionTestView, ConnectorPatch, ConnectorRun, ConnectorView, NewConnector, PublicationView } from './connector-api.schema.js';
import {
  SYNC_STAGES,
  type ConnectorDriver,
  type DriverConnection,
  type ObjectMark,
  type PartnerMatch,
  type PublishResult,
  type SyncedSegment,
  type SyncStage,
  type TaskCreated,
  type TaskRequest,
} from './driver.js';
import { CONNECTOR_DRIVERS, driverOf } from './drivers.js';
import type { SecretBox } from '../domain/access/secret-box.js';

export const CONNECTOR_SYNC_JOB = 'connector-sync';

/** Each stage's share of a sync: the sale lines weigh most. */
const SYNC_PLAN = SYNC_STAGES.map((stage) => ({ stage, weight: stage === 'sales' ? 50 : stage === 'applying' ? 20 : 5 }));

export interface ConnectorServiceOptions {
  readonly secrets: SecretBox;
  readonly drivers?: readonly ConnectorDriver[];
  /** The import listener the composition root gives imports ('facts.imported'). */
  readonly onImported?: ImportListener;
  /** Who hears composition changes of the segments refreshed after a sync. */
  readonly compositionListener?: () => CompositionListener | undefined;
  /** Where spool files of a sync go (default the system's temporary directory). */
  readonly spoolRoot?: string;
  readonly log?: (message: string) => void;
  /**
   * Told whether any segment is published (true after a publish, and when watchPublications
   * finds one): the composition root then listens to 'composition.changed', and not otherwise,
   * so rebuilds read no entered/left ids nobody needs.
   */
  readonly onPublishing?: (active: boolean) => void;
  /** Creates the segments a connector reads from its system (1C's own); without it they are not kept. */
  readonly segments?: SegmentService;
}

export interface SyncOptions {
  readonly trigger: 'api' | 'cli' | 'schedule' | 'ui';
  /** Read everything again (the first sync always does). */
  readonly full?: boolean;
  readonly onStage?: (stage: SyncStage) => void;
  /** Refresh the periodic segments after a sync that changed data (default true). */
  readonly refreshSegments?: boolean;
}

interface ConnectorRow extends Row {
  id: string;
  kind: string;
  name: string;
  settings: string;
  secret: string | null;
  schedule: string | null;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

const ZERO: EntityCounts = { read: 0, inserted: 0, updated: 0, deleted: 0, refused: 0 };

/**
 * Connections to outside systems (docs/connectors-1c.md): stored with encrypted secrets, tested,
 * synced as recorded runs (as jobs from the API, on schedules in `segmenta serve`), and the
 * segments published through them. Kind-specific work is the driver's (src/connectors/driver.ts).
 */
export class ConnectorService {
  private readonly drivers: readonly ConnectorDriver[];
  private readonly running = new Set<string>();
  private readonly cron = new CronJobs<string>();
  private readonly claims: FiringClaims<string>;
  private scheduling = false;
  private readonly publishing = new Map<string, Promise<void>>();
  private readonly publishAgain = new Set<string>();
  private readonly publishingForEvents = new KeyedMutex<string>();
  /** Ids of the segments published anywhere; null until read (invalidated by publish and unpublish). */
  private published: Set<string> | null = null;

  constructor(
    private readonly db: Database,
    private readonly options: ConnectorServiceOptions,
  ) {
    this.drivers = options.drivers ?? CONNECTOR_DRIVERS;
    this.claims = new FiringClaims(db, { table: 'connector_schedule_claims', keyColumn: 'connector_id' });
  }

  // ---- connections -------------------------------------------------------------------------

  private parseSettings(driver: ConnectorDriver, settings: unknown): Record<string, unknown> {
    const parsed = driver.settingsSchema.safeParse(settings);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ');
      throw new AppError('CONNECTOR_SETTINGS_INVALID', { kind: driver.kind, reason });
    }
    return parsed.data as Record<string, unknown>;
  }

  private checkSchedule(driver: ConnectorDriver, schedule: string | null | undefined): void {
    if (!schedule) return;
    const check = checkSchedule(schedule);
    if (!check.ok) throw new AppError('CONNECTOR_SETTINGS_INVALID', { kind: driver.kind, reason: `schedule: ${check.reason}` });
  }

  private async row(id: string): Promise<ConnectorRow> {
    const [row] = await this.db.query<ConnectorRow>(sql`SELECT * FROM connectors WHERE id = ${id}`);
    if (!row) throw new AppError('CONNECTOR_NOT_FOUND', { id });
    return row;
  }

  private async view(row: ConnectorRow): Promise<ConnectorView> {
    const driver = driverOf(row.kind, this.drivers);
    const settings = JSON.parse(row.settings) as Record<string, unknown>;
    const [last] = await this.runs(row.id, 1);
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      description: driver.describe(settings),
      settings,
      secret: { set: row.secret !== null },
      schedule: row.schedule,
      nextSyncAt: this.cron.nextRun(row.id)?.toISOString() ?? null,
      enabled: row.enabled,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      lastRun: last ?? null,
    };
  }

  async create(input: NewConnector): Promise<ConnectorView> {
    const driver = driverOf(input.kind, this.drivers);
    const settings = this.parseSettings(driver, input.settings);
    this.checkSchedule(driver, input.schedule);
    const id = randomUUID().slice(0, 8);
    const now = sqlTimestamp();
    await this.db.run(
      sql`INSERT INTO connectors (id, kind, name, settings, secret, schedule, enabled, created_at, updated_at)
          VALUES (${id}, ${driver.kind}, ${input.name}, ${JSON.stringify(settings)}, ${this.options.secrets.seal(input.secret, id)}, ${input.schedule ?? null}, ${input.enabled ?? true},
                  CAST(${now} AS TIMESTAMP), CAST(${now} AS TIMESTAMP))`,
    );
    await this.reschedule(id);
    return this.get(id);
  }

  async list(): Promise<ConnectorView[]> {
    const rows = await this.db.query<ConnectorRow>('SELECT * FROM connectors ORDER BY name, id');
    return Promise.all(rows.map((r) => this.view(r)));
  }

  async get(id: string): Promise<ConnectorView> {
    return this.view(await this.row(id));
  }

  /** The state the audit log records (never the secret). */
  readonly auditLoader = async (id: string): Promise<unknown> => {
    const view = await this.get(id);
    return { ...view, lastRun: null, nextSyncAt: null };
  };

  async update(id: string, patch: ConnectorPatch): Promise<ConnectorView> {
    const row = await this.row(id);
    const driver = driverOf(row.kind, this.drivers);
    const settings = patch.settings ? this.parseSettings(driver, { ...(JSON.parse(row.settings) as object), ...patch.settings }) : null;
    this.checkSchedule(driver, patch.schedule);
    const sets = [sql`updated_at = CAST(${sqlTimestamp()} AS TIMESTAMP)`];
    if (patch.name !== undefined) sets.push(sql`name = ${patch.name}`);
    if (settings) sets.push(sql`settings = ${JSON.stringify(settings)}`);
    if (patch.secret !== undefined) sets.push(sql`secret = ${this.options.secrets.seal(patch.secret, id)}`);
    if (patch.schedule !== undefined) sets.push(sql`schedule = ${patch.schedule}`);
    if (patch.enabled !== undefined) sets.push(sql`enabled = ${patch.enabled}`);
    const before = JSON.parse(row.settings) as Record<string, unknown>;
    const elsewhere = settings !== null && (settings.url !== before.url || settings.profile !== before.profile || settings.user !== before.user);
    await this.db.transaction(async (tx) => {
      await tx.run(sql`UPDATE connectors SET ${sql.join(sets)} WHERE id = ${id}`);
      // Another base, profile or user: what the last sync saw says nothing; the next sync is full.
      if (elsewhere) {
        await tx.run(sql`DELETE FROM connector_state WHERE connector_id = ${id}`);
        await tx.run(sql`DELETE FROM connector_objects WHERE connector_id = ${id}`);
      }
    });
    await this.reschedule(id);
    return this.get(id);
  }

  /** Deletes the connection, its runs, state and publications; the data it brought stays (its kept segments become editable). */
  async delete(id: string): Promise<void> {
    await this.row(id);
    if (this.running.has(id)) throw new AppError('CONNECTOR_SYNC_RUNNING', { id });
    await this.db.transaction(async (tx) => {
      for (const table of ['connector_objects', 'connector_state', 'connector_runs', 'connector_publications', 'connector_schedule_claims', 'connector_segments']) {
        await tx.run(sql`DELETE FROM ${sql.raw(table)} WHERE connector_id = ${id}`);
      }
      await tx.run(sql`DELETE FROM connectors WHERE id = ${id}`);
    });
    this.cron.delete(id);
    this.published = null;
  }

  private async connection(row: ConnectorRow, onRequest?: (method: string, url: string) => void): Promise<{ driver: ConnectorDriver; connection: DriverConnection<unknown> }> {
    const driver = driverOf(row.kind, this.drivers);
    const settings = this.parseSettings(driver, JSON.parse(row.settings));
    const secret = row.secret === null ? null : this.options.secrets.open(row.secret, row.id);
    const marks = (resource: string) => this.marks(row.id, resource);
    return { driver, connection: { id: row.id, name: row.name, settings, secret, marks, ...(onRequest ? { onRequest } : {}) } };
  }

  /** Tests the connection; an unreachable system or refused user is an answer with `ok: false`, not a failure. */
  async test(id: string): Promise<ConnectionTestView> {
    const { driver, connection } = await this.connection(await this.row(id));
    try {
      return { ...(await driver.test(connection)), error: null } as ConnectionTestView;
    } catch (error) {
      if (!isAppError(error)) throw error;
      return { ok: false, message: error.message, published: [], missing: [], optionalMissing: [], error: { code: error.code, message: error.message, details: errorDetails(error) } };
    }
  }

  // ---- syncs -------------------------------------------------------------------------------

  /** Starts a sync as a job (POST /api/connectors/{id}/sync); refused at once when one is running. */
  async startSync(jobs: JobRegistry, id: string, options: SyncOptions): Promise<JobView<SyncStage, ConnectorRun>> {
    await this.row(id);
    if (this.running.has(id)) throw new AppError('CONNECTOR_SYNC_RUNNING', { id });
    const [last] = await this.db.query<{ duration_ms: number }>(sql`SELECT duration_ms FROM connector_runs WHERE connector_id = ${id} AND status = 'succeeded' ORDER BY started_at DESC LIMIT 1`);
    return jobs.start<SyncStage, ConnectorRun>({
      type: CONNECTOR_SYNC_JOB,
      subject: id,
      plan: SYNC_PLAN,
      expectedMs: last?.duration_ms ?? null,
      run: (stage) => this.sync(id, { ...options, onStage: stage }),
    });
  }

  /**
   * Syncs now and waits: reads with the driver (full the first time or when asked, else what
   * changed), applies all of it in one transaction, records the run; then refreshes the periodic
   * segments when data changed. A failed sync changes no data; its run records the error.
   */
  async sync(id: string, options: SyncOptions): Promise<ConnectorRun> {
    const row = await this.row(id);
    if (this.running.has(id)) throw new AppError('CONNECTOR_SYNC_RUNNING', { id });
    this.running.add(id);
    const runId = randomUUID();
    const started = new Date();
    let requests = 0;
    let stage: SyncStage = 'connecting';
    const spoolDir = await mkdtemp(join(this.options.spoolRoot ?? tmpdir(), 'segmenta-sync-'));
    try {
      const cursors = await this.cursors(id);
      const mode = options.full || cursors.lastSyncLocal === undefined ? 'full' : 'incremental';
      await this.db.run(
        sql`INSERT INTO connector_runs (id, connector_id, trigger, mode, status, stage, started_at) VALUES (${runId}, ${id}, ${options.trigger}, ${mode}, 'running', 'connecting', CAST(${sqlTimestamp(started)} AS TIMESTAMP))`,
      );
      // The run row follows the stages (a UI reading runs sees where a sync is), one write at a time.
      let stageWrites: Promise<void> = Promise.resolve();
      const moveTo = (next: SyncStage) => {
        if (next === stage && next !== 'connecting') return;
        stage = next;
        options.onStage?.(next);
        stageWrites = stageWrites.then(() => this.db.run(sql`UPDATE connector_runs SET stage = ${next}, requests = ${requests} WHERE id = ${runId} AND status = 'running'`)).catch(() => undefined);
      };
      try {
        moveTo('connecting');
        const { driver, connection } = await this.connection(row, () => requests++);
        const batch = await driver.sync(connection, {
          mode,
          cursors,
          marks: (resource) => this.marks(id, resource),
          stage: moveTo,
          spoolDir,
          partners: (by, values) => this.matchPartners(by, values),
        });
        moveTo('applying');
        await stageWrites;
        const applied = await applySyncBatch(this.db, id, batch, this.options.onImported);
        if (batch.segments && this.options.segments) {
          const kept = await this.keepSegments(row, batch.segments);
          if (kept.created + kept.updated + kept.removed > 0)
            applied.counts.segments = { read: batch.segments.length, inserted: kept.created, updated: kept.updated, deleted: kept.removed, refused: 0 };
        }
        const totals = Object.values(applied.counts).reduce<EntityCounts>(
          (sum, c) => ({ read: sum.read + c.read, inserted: sum.inserted + c.inserted, updated: sum.updated + c.updated, deleted: sum.deleted + c.deleted, refused: sum.refused + c.refused }),
          { ...ZERO },
        );
        moveTo('segments');
        const periodic = await listSegments(this.db, { method: 'periodic', archived: false });
        if ((options.refreshSegments ?? true) && periodic.length > 0 && totals.inserted + totals.updated + totals.deleted > 0) {
          const { errors } = await refreshSegmentsWithErrors(this.db, 'all-periodic', {
            trigger: 'schedule',
            skipRunning: true,
            // The changed partners only (issue 20); rules moving with the date wait for the nightly pass.
            mode: 'incremental',
            onChange: this.options.compositionListener?.(),
          });
          for (const [segment, error] of errors) this.options.log?.(`segment ${segment} not refreshed after sync of connector ${id}: ${error instanceof Error ? error.message : String(error)}`);
        }
        await stageWrites;
        await this.db.run(
          sql`UPDATE connector_runs SET status = 'succeeded', stage = ${stage}, finished_at = CAST(${sqlTimestamp()} AS TIMESTAMP), duration_ms = ${Date.now() - started.getTime()},
              requests = ${requests}, read_count = ${totals.read}, inserted = ${totals.inserted}, updated = ${totals.updated}, deleted = ${totals.deleted}, refused = ${totals.refused},
              counts = ${JSON.stringify(applied.counts)}, refusals = ${JSON.stringify(applied.refusals)} WHERE id = ${runId}`,
        );
      } catch (error) {
        const app = isAppError(error) ? error : null;
        await stageWrites;
        this.options.log?.(`sync of connector ${id} failed at ${stage}: ${error instanceof Error ? error.message : String(error)}`);
        await this.db
          .run(
            sql`UPDATE connector_runs SET status = 'failed', stage = ${stage}, finished_at = CAST(${sqlTimestamp()} AS TIMESTAMP), duration_ms = ${Date.now() - started.getTime()},
                requests = ${requests}, error_code = ${app?.code ?? 'INTERNAL'}, error = ${(app?.message ?? (error instanceof Error ? error.message : String(error))).slice(0, 2000)},
                error_details = ${app ? JSON.stringify(errorDetails(app)) : null} WHERE id = ${runId}`,
          )
          .catch(() => undefined);
        throw error;
      }
      return (await this.runs(id, 1, runId))[0]!;
    } finally {
      this.running.delete(id);
      await rm(spoolDir, { recursive: true, force: true });
    }
  }

  private async cursors(id: string): Promise<Record<string, unknown>> {
    const rows = await this.db.query<{ name: string; value: string }>(sql`SELECT name, value FROM connector_state WHERE connector_id = ${id}`);
    return Object.fromEntries(rows.map((r) => [r.name, JSON.parse(r.value) as unknown]));
  }

  private async marks(id: string, resource: string): Promise<Map<string, ObjectMark>> {
    const rows = await this.db.query<{ ref: string; version: string | null; value: string | null }>(
      sql`SELECT ref, version, value FROM connector_objects WHERE connector_id = ${id} AND resource = ${resource}`,
    );
    return new Map(rows.map((r) => [r.ref, { version: r.version, value: r.value }]));
  }

  /** Stored partners, not deleted and not the connector's own, by id or by a property's value (a CRM's matching): value → id and name. */
  private async matchPartners(by: PartnerMatch, values: readonly string[]): Promise<Map<string, { id: string; name: string }>> {
    const found = new Map<string, { id: string; name: string }>();
    const unique = [...new Set(values.filter((v) => v !== ''))];
    for (let i = 0; i < unique.length; i += 1000) {
      const chunk = unique.slice(i, i + 1000);
      // A property read as a number (an INN without a leading zero) is matched as one.
      const numbers = chunk.filter((v) => /^\d{1,15}$/.test(v)).map(Number);
      const rows =
        by.kind === 'id'
          ? await this.db.query<{ value_text: string; value_number: null; id: string; name: string }>(
              sql`SELECT id AS value_text, NULL AS value_number, id, name FROM partners WHERE id IN (${sql.list(chunk)}) AND deleted IS NOT TRUE ORDER BY id`,
            )
          : await this.db.query<{ value_text: string | null; value_number: number | string | null; id: string; name: string }>(
              sql`SELECT pp.value_text, pp.value_number, p.id, p.name FROM partner_properties pp JOIN partners p ON p.id = pp.partner_id
                  WHERE pp.name = ${by.property} AND p.deleted IS NOT TRUE AND (pp.value_text IN (${sql.list(chunk)})${numbers.length ? sql` OR pp.value_number IN (${sql.list(numbers)})` : sql.empty}) ORDER BY p.id`,
            );
      // The first (by id) of several partners with one INN: the same every sync.
      for (const r of rows) {
        if (r.id.startsWith(by.own)) continue;
        const value = r.value_text ?? String(Number(r.value_number));
        if (!found.has(value)) found.set(value, { id: r.id, name: r.name });
      }
    }
    return found;
  }

  /** Creates a task in the CRM for the responsible user of a partner this connector synced (the events' crm-task action). */
  async createTask(id: string, task: TaskRequest): Promise<TaskCreated> {
    const row = await this.row(id);
    const { driver, connection } = await this.connection(row);
    if (!driver.createTask) throw new AppError('CONNECTOR_SETTINGS_INVALID', { kind: row.kind, reason: 'this kind cannot create tasks' });
    return driver.createTask(connection, task);
  }

  /** The connector's runs, newest first. */
  async runs(id: string, limit = 20, runId?: string): Promise<ConnectorRun[]> {
    const rows = await this.db.query(
      sql`SELECT * FROM connector_runs WHERE connector_id = ${id} ${runId ? sql`AND id = ${runId}` : sql.empty} ORDER BY started_at DESC LIMIT ${sql.raw(String(Math.max(1, Math.min(limit, 1000))))}`,
    );
    return rows.map((r) => ({
      id: String(r.id),
      connectorId: String(r.connector_id),
      trigger: String(r.trigger),
      mode: r.mode as ConnectorRun['mode'],
      status: r.status as ConnectorRun['status'],
      stage: String(r.stage),
      startedAt: String(r.started_at),
      finishedAt: r.finished_at === null ? null : String(r.finished_at),
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      requests: Number(r.requests),
      totals: { read: Number(r.read_count), inserted: Number(r.inserted), updated: Number(r.updated), deleted: Number(r.deleted), refused: Number(r.refused) },
      counts: JSON.parse(String(r.counts)) as Record<EntityName, EntityCounts>,
      refusals: JSON.parse(String(r.refusals)) as ConnectorRun['refusals'],
      error: r.error_code === null ? null : { code: String(r.error_code), message: String(r.error ?? ''), details: r.error_details ? (JSON.parse(String(r.error_details)) as ErrorDetails) : {} },
    }));
  }

  // ---- schedules ---------------------------------------------------------------------------

  /** Starts the schedules (`segmenta serve`): runs a process left 'running' are marked failed. */
  async startSchedules(): Promise<void> {
    this.scheduling = true;
    await this.watchPublications();
    await this.db.run(`UPDATE connector_runs SET status = 'failed', error_code = 'INTERNAL', error = 'interrupted: the process stopped during the run' WHERE status = 'running'`);
    for (const row of await this.db.query<{ id: string }>('SELECT id FROM connectors')) await this.reschedule(row.id);
  }

  stopSchedules(): void {
    this.scheduling = false;
    this.cron.stop();
  }

  private async reschedule(id: string): Promise<void> {
    if (!this.scheduling) return;
    this.cron.delete(id);
    const [row] = await this.db.query<{ schedule: string | null; enabled: boolean }>(sql`SELECT schedule, enabled FROM connectors WHERE id = ${id}`);
    if (row?.schedule && row.enabled) this.cron.set(id, row.schedule, (now) => this.fire(id, now));
  }

  /** One firing: claimed once across processes, then synced. Returns whether this process ran it. */
  async fire(id: string, now: Date): Promise<boolean> {
    const [row] = await this.db.query<{ schedule: string | null }>(sql`SELECT schedule FROM connectors WHERE id = ${id}`);
    if (!row?.schedule || !(await this.claims.claim(id, row.schedule, now))) return false;
    try {
      const run = await this.sync(id, { trigger: 'schedule' });
      this.options.log?.(`connector ${id} synced on schedule: ${run.totals.inserted} inserted, ${run.totals.updated} updated, ${run.totals.deleted} deleted`);
    } catch (error) {
      this.options.log?.(`connector ${id} scheduled sync failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return true;
  }

  // ---- the system's own segments -----------------------------------------------------------

  /**
   * Keeps the system's own segments as manual segments (`1c-<ref>`, named as there): created,
   * renamed, their members set to those of the system that Segmenta has (only the changed ones
   * written, so the history and events see real entries and leaves); one gone from the system is
   * deleted unless something else uses it. Segments Segmenta publishes there are not read back.
   */
  private async keepSegments(row: ConnectorRow, items: readonly SyncedSegment[]): Promise<{ created: number; updated: number; removed: number }> {
    const service = this.options.segments!;
    const publications = await this.db.query<{ remote_id: string }>(sql`SELECT remote_id FROM connector_publications WHERE connector_id = ${row.id} AND remote_id IS NOT NULL`);
    const published = new Set(publications.map((p) => p.remote_id));
    const kept = new Map(
      (await this.db.query<{ remote_id: string; segment_id: string }>(sql`SELECT remote_id, segment_id FROM connector_segments WHERE connector_id = ${row.id}`)).map((r) => [
        r.remote_id,
        r.segment_id,
      ]),
    );
    const listener = this.options.compositionListener?.();
    let created = 0;
    let updated = 0;
    let removed = 0;
    const seen = new Set<string>();
    for (const item of items) {
      if (published.has(item.remoteId)) continue;
      seen.add(item.remoteId);
      const segmentId =
        kept.get(item.remoteId) ??
        `${row.kind}-${item.remoteId}`
          .toLowerCase()
          .replace(/[^a-z0-9_-]/g, '-')
          .slice(0, 80);
      let segment: Segment | null = await findSegment(this.db, segmentId);
      if (!segment) {
        segment = await service.create({
          id: segmentId,
          kind: 'partner',
          method: 'manual',
          name: item.name,
          description: `From ${driverOf(row.kind, this.drivers).title}, connection "${row.name}": changed there, brought by each sync`,
          parameters: {},
          schedule: null,
          competitors: [],
          archived: false,
          checkOnCreate: false,
        });
        created++;
      }
      let changed = false;
      if (segment.name !== item.name) {
        segment = { ...segment, name: item.name, updatedAt: new Date().toISOString() };
        await updateSegmentRow(this.db, segment);
        changed = true;
      }
      if (!kept.has(item.remoteId)) await this.db.run(sql`INSERT INTO connector_segments (connector_id, remote_id, segment_id) VALUES (${row.id}, ${item.remoteId}, ${segmentId})`);
      const current = new Set((await this.db.query<{ member_id: string }>(sql`SELECT member_id FROM segment_members WHERE segment_id = ${segmentId}`)).map((r) => r.member_id));
      const wanted = new Set<string>();
      await inChunks([...new Set(item.members)], 1000, async (chunk) => {
        for (const r of await this.db.query<{ id: string }>(sql`SELECT id FROM partners WHERE id IN (${sql.list(chunk)})`)) wanted.add(r.id);
      });
      const joining = [...wanted].filter((m) => !current.has(m));
      const leaving = [...current].filter((m) => !wanted.has(m));
      if (joining.length) await addMembers(this.db, segment, joining, listener);
      if (leaving.length) await removeMembers(this.db, segment, leaving, listener);
      if ((changed || joining.length || leaving.length) && kept.has(item.remoteId)) updated++;
    }
    for (const [remoteId, segmentId] of kept) {
      if (seen.has(remoteId)) continue;
      const uses = await service.uses(segmentId);
      if (uses.length) {
        this.options.log?.(`segment ${segmentId} is gone from connector ${row.id}'s system but kept: used by ${uses.map((u) => `${u.kind} "${u.name}"`).join(', ')}`);
        continue;
      }
      await this.db.transaction(async (tx) => {
        await deleteSegmentsRows(tx, [segmentId]);
        await tx.run(sql`DELETE FROM connector_segments WHERE connector_id = ${row.id} AND remote_id = ${remoteId}`);
      });
      removed++;
    }
    return { created, updated, removed };
  }

  /** The connection a segment comes from, when a connector keeps it. */
  private async ownerOf(segmentId: string): Promise<{ id: string; name: string; kind: string } | null> {
    const [row] = await this.db.query<{ id: string; name: string; kind: string }>(
      sql`SELECT c.id, c.name, c.kind FROM connector_segments s JOIN connectors c ON c.id = s.connector_id WHERE s.segment_id = ${segmentId}`,
    );
    return row ?? null;
  }

  /** Refuses deleting a kept segment or editing its members by hand (SegmentService's guardEdit). */
  readonly guardSegmentEdit = async (segmentId: string): Promise<void> => {
    const owner = await this.ownerOf(segmentId);
    if (owner) throw new AppError('SEGMENT_READ_ONLY', { id: segmentId, system: systemName(owner.kind), connector: owner.name });
  };

  /** Refuses changing a kept segment but for archiving it ('segment.changing'). */
  readonly guardSegmentChange = async (before: Segment, after: Segment): Promise<void> => {
    const { archived: _before, updatedAt: _at, ...was } = before;
    const { archived: _after, updatedAt: _at2, ...now } = after;
    if (JSON.stringify(was) === JSON.stringify(now)) return;
    await this.guardSegmentEdit(before.id);
  };

  // ---- publications ------------------------------------------------------------------------

  async publications(id: string): Promise<PublicationView[]> {
    await this.row(id);
    const rows = await this.db.query(sql`SELECT * FROM connector_publications WHERE connector_id = ${id} ORDER BY segment_id`);
    return rows.map(publicationView);
  }

  /** Reads whether any segment is published and tells onPublishing (a server's start, each CLI command). */
  async watchPublications(): Promise<void> {
    const [row] = await this.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM connector_publications WHERE by_events IS NOT TRUE');
    this.options.onPublishing?.(Number(row?.n ?? 0) > 0);
  }

  /** Whether the segment is published anywhere; read with `q` (inside a composition change's transaction). */
  async isPublished(q: Queryable, segmentId: string): Promise<boolean> {
    this.published ??= new Set((await q.query<{ segment_id: string }>('SELECT DISTINCT segment_id FROM connector_publications WHERE by_events IS NOT TRUE')).map((r) => r.segment_id));
    return this.published.has(segmentId);
  }

  /** The connector, refused when it does not exist or its kind cannot publish segments. */
  async checkPublisher(id: string): Promise<void> {
    const row = await this.row(id);
    if (!driverOf(row.kind, this.drivers).publish) throw new AppError('CONNECTOR_CANNOT_PUBLISH', { id, kind: row.kind });
  }

  /** Publishes a stored partner segment through the connector (opt-in), now and after each generation. */
  async publish(id: string, segmentId: string): Promise<PublicationView> {
    await this.checkPublisher(id);
    const segment = await getSegment(this.db, segmentId);
    if (segment.method === 'dynamic') throw new AppError('SEGMENT_NOT_STORED', { id: segment.id, method: segment.method });
    const [existing] = await this.db.query(sql`SELECT segment_id FROM connector_publications WHERE connector_id = ${id} AND segment_id = ${segment.id}`);
    if (!existing) await this.db.run(sql`INSERT INTO connector_publications (connector_id, segment_id, by_events) VALUES (${id}, ${segment.id}, FALSE)`);
    // Published by events until now: after each generation too from now on.
    else await this.db.run(sql`UPDATE connector_publications SET by_events = FALSE WHERE connector_id = ${id} AND segment_id = ${segment.id}`);
    this.published = null;
    this.options.onPublishing?.(true);
    await this.publishNow(id, segment.id);
    const [view] = (await this.publications(id)).filter((p) => p.segmentId === segment.id);
    return view!;
  }

  async unpublish(id: string, segmentId: string): Promise<void> {
    const row = await this.row(id);
    const [publication] = await this.db.query<{ remote_id: string | null }>(sql`SELECT remote_id FROM connector_publications WHERE connector_id = ${id} AND segment_id = ${segmentId}`);
    if (!publication) throw new AppError('PUBLICATION_NOT_FOUND', { id, segmentId });
    const { driver, connection } = await this.connection(row);
    if (publication.remote_id && driver.unpublish) await driver.unpublish(connection, publication.remote_id);
    await this.db.run(sql`DELETE FROM connector_publications WHERE connector_id = ${id} AND segment_id = ${segmentId}`);
    this.published = null;
  }

  /**
   * The events' `connector-publish` action: publishes the segment's members now (the publication
   * made when missing, marked as the action's: published by its queue, not after each
   * generation). Throws what failed, for the dispatcher to retry.
   */
  async publishForEvents(id: string, segmentId: string): Promise<PublishResult> {
    await this.checkPublisher(id);
    const segment = await getSegment(this.db, segmentId);
    // The messages of one segment are sent side by side (an entry's and an exit's): one at a
    // time here, so that the second reads what the first wrote instead of writing it again.
    return this.publishingForEvents.withLock([`${id}/${segment.id}`], async () => {
      const [existing] = await this.db.query(sql`SELECT segment_id FROM connector_publications WHERE connector_id = ${id} AND segment_id = ${segment.id}`);
      if (!existing) await this.db.run(sql`INSERT INTO connector_publications (connector_id, segment_id, by_events) VALUES (${id}, ${segment.id}, TRUE)`);
      return (await this.publishNow(id, segment.id))!;
    });
  }

  /** Rewrites the segment's members in the system (only the changed pairs); records the outcome. Null when it is not published there. */
  async publishNow(id: string, segmentId: string): Promise<PublishResult | null> {
    const row = await this.row(id);
    const { driver, connection } = await this.connection(row);
    const [publication] = await this.db.query<{ remote_id: string | null }>(sql`SELECT remote_id FROM connector_publications WHERE connector_id = ${id} AND segment_id = ${segmentId}`);
    if (!publication || !driver.publish) return null;
    try {
      const segment = await getSegment(this.db, segmentId);
      const members = (await this.db.query<{ member_id: string }>(sql`SELECT member_id FROM segment_members WHERE segment_id = ${segmentId} ORDER BY member_id`)).map((r) => r.member_id);
      const result = await driver.publish(connection, { segmentId, segmentName: segment.name, members, remoteId: publication.remote_id });
      await this.db.run(
        sql`UPDATE connector_publications SET remote_id = ${result.remoteId}, members = ${result.members}, published_at = CAST(${sqlTimestamp()} AS TIMESTAMP), error = NULL
            WHERE connector_id = ${id} AND segment_id = ${segmentId}`,
      );
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.db.run(sql`UPDATE connector_publications SET error = ${message.slice(0, 2000)} WHERE connector_id = ${id} AND segment_id = ${segmentId}`);
      throw error;
    }
  }

  /**
   * After a generation changed a segment: publishes it through every connector that publishes it,
   * in the background, one at a time per segment (a change during a publication publishes again).
   */
  segmentChanged(segmentId: string): void {
    if (this.publishing.has(segmentId)) {
      this.publishAgain.add(segmentId);
      return;
    }
    const work = (async () => {
      do {
        this.publishAgain.delete(segmentId);
        const rows = await this.db.query<{ connector_id: string }>(sql`SELECT connector_id FROM connector_publications WHERE segment_id = ${segmentId} AND by_events IS NOT TRUE`);
        for (const { connector_id } of rows) {
          await this.publishNow(connector_id, segmentId).catch((error: unknown) => {
            this.options.log?.(`publishing segment ${segmentId} through connector ${connector_id} failed: ${error instanceof Error ? error.message : String(error)}`);
          });
        }
      } while (this.publishAgain.has(segmentId));
    })().finally(() => this.publishing.delete(segmentId));
    this.publishing.set(segmentId, work);
  }

  /** Resolves when the publications started so far have finished. */
  async idle(): Promise<void> {
    while (this.publishing.size) await Promise.all([...this.publishing.values()]);
  }
}

type ErrorDetails = Record<string, string | number | boolean>;

/** What a run or a test shows of an error besides its message: which object, the HTTP status, the system's own words (never a secret: errors carry none). */
function errorDetails(error: AppError): ErrorDetails {
  const out: ErrorDetails = {};
  for (const [key, value] of Object.entries(error.details ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = typeof value === 'string' ? value.slice(0, 1000) : value;
  }
  return out;
}

const systemName = (kind: string): string => (kind === '1c' ? '1C' : kind);

function publicationView(r: Row): PublicationView {
  return {
    connectorId: String(r.connector_id),
    segmentId: String(r.segment_id),
    remoteId: r.remote_id === null ? null : String(r.remote_id),
    members: r.members === null ? null : Number(r.members),
    publishedAt: r.published_at === null ? null : String(r.published_at),
    error: r.error === null ? null : String(r.error),
    byEvents: Boolean(r.by_events),
  };
}
