import type { z } from 'zod';
import type { EntityName } from '../model/entities.js';
import type { EntityRecord } from '../model/records.js';

/**
 * What a connector kind (1C over OData, later Bitrix24 and amoCRM) gives the framework. The
 * framework (src/connectors/connectors.service.ts) stores connections and their encrypted
 * secrets, runs syncs as jobs with stages, records runs, applies what a driver read in one
 * transaction (src/connectors/apply.ts), schedules syncs and publishes segments; a driver only
 * talks to its system and maps its objects to Segmenta's entities. A driver never writes to
 * the database: its sync *reads* into a SyncBatch, which the framework applies all or nothing.
 */
export interface ConnectorDriver<S = unknown> {
  /** The kind's name in the API and the CLI: `1c`, later `bitrix24`, `amocrm`. */
  readonly kind: string;
  /** For people: "1C:Trade Management / ERP (OData)". */
  readonly title: string;
  /** The non-secret settings (URL, user, time zone, profile…): a strict zod object. */
  readonly settingsSchema: z.ZodType<S>;
  /** What the secret is, for messages and the UI: "password", "token". */
  readonly secretName: string;
  /** The settings fields worth showing in a list (never the secret). */
  describe(settings: S): string;
  /** Checks the connection: reaches the system, signs in, says what of the profile is there. */
  test(connection: DriverConnection<S>): Promise<ConnectionTest>;
  /** Reads what changed since the state (everything when `mode` is full) into a batch. */
  sync(connection: DriverConnection<S>, context: SyncContext): Promise<SyncBatch>;
  /** Publishes a segment's members to the system, rewriting only what changed. */
  publish?(connection: DriverConnection<S>, target: PublishTarget): Promise<PublishResult>;
  /** Removes a publication's data from the system (the segment is no longer published). */
  unpublish?(connection: DriverConnection<S>, remoteId: string): Promise<void>;
  /** Creates a task for the responsible user of a partner this connector synced (CRMs). */
  createTask?(connection: DriverConnection<S>, task: TaskRequest): Promise<TaskCreated>;
}

/** A stored connection as a driver sees it: its settings and its secret, decrypted. */
export interface DriverConnection<S> {
  readonly id: string;
  readonly name: string;
  readonly settings: S;
  readonly secret: string | null;
  /** Counts every request made to the system (for runs and tests). */
  readonly onRequest?: (method: string, url: string) => void;
  /** The marks the last successful sync saved for one resource (publishing and tasks map partners back to the system's objects). */
  readonly marks?: (resource: string) => Promise<ReadonlyMap<string, ObjectMark>>;
}

/** What "test connection" found. */
export interface ConnectionTest {
  readonly ok: boolean;
  /** A line for people: "1C answered as user Администратор; 12 of 12 objects published". */
  readonly message: string;
  /** The objects the profile reads that the system publishes, by name. */
  readonly published: readonly string[];
  /** Those it needs and the system does not publish, by name. */
  readonly missing: readonly string[];
  /** Those it can do without (publishing, optional data), missing. */
  readonly optionalMissing: readonly string[];
}

/** The stages of a sync, in order (a job's progress; the run records the last one reached). */
export const SYNC_STAGES = ['connecting', 'directories', 'partners', 'products', 'sales', 'receivables', 'interactions', 'prices', 'applying', 'segments'] as const;
export type SyncStage = (typeof SYNC_STAGES)[number];

/** What a sync reads with: the mode, the state the last sync left, and its stage reporter. */
export interface SyncContext {
  readonly mode: 'full' | 'incremental';
  /** Named cursors the last successful sync saved (SyncBatch.state). */
  readonly cursors: Readonly<Record<string, unknown>>;
  /** The marks the last successful sync saved for one resource: ref → version and value. */
  marks(resource: string): Promise<ReadonlyMap<string, ObjectMark>>;
  stage(next: SyncStage): void;
  /** A scratch directory for spool files, removed after the run. */
  readonly spoolDir: string;
  /**
   * Stored partners (of any source but the connector itself, not deleted) whose id, or whose
   * additional property `by.property`, is one of `values`: value → the partner's id and name
   * (the first by id where several hold a value). A CRM connector matches its companies to the
   * partners 1C brought with it (docs/connectors-crm.md, "Matching").
   */
  partners?(by: PartnerMatch, values: readonly string[]): Promise<ReadonlyMap<string, { readonly id: string; readonly name: string }>>;
}

/**
 * How a CRM entity finds the stored partner it is: by the partner's id, or by one of its
 * properties (INN). `own`: the connector's own partners' id prefix, never matched (they carry
 * the CRM's INN field as a property too).
 */
export type PartnerMatch = ({ readonly kind: 'id' } | { readonly kind: 'property'; readonly property: string }) & { readonly own: string };

/** A mark of one object of the system: its version (1C's DataVersion) and a value to keep (the partner an analytics key stands for). */
export interface ObjectMark {
  readonly version: string | null;
  readonly value: string | null;
}

/** One row the sync refused, and why (shown in the run). */
export interface Refusal {
  readonly entity: string;
  readonly id: string | null;
  readonly reason: string;
}

/** Rows of one entity to write: upserted by id through the import's checks. */
export interface EntityBatch {
  readonly entity: EntityName;
  /** The records (their API shape) in order; may be read twice (a spool file). */
  records(): AsyncIterable<EntityRecord>;
  /** How many records there are. */
  readonly count: number;
  /** The same records as JSON Lines text, when the batch has it already (a spool file): read as it is. */
  lines?(): AsyncIterable<Uint8Array | string>;
  /** The records' ids, when the batch has them apart (a spool file): a replace reads them instead of every record. */
  ids?(): AsyncIterable<string>;
  /**
   * This connector's rows not written by this batch are removed: those whose id starts with
   * `idPrefix` and, with `dateFrom`, whose date is on or after it (a window re-read).
   */
  readonly replace?: {
    readonly idPrefix: string;
    readonly dateFrom: string | null;
    /** Only rows whose id also starts with one of these (the objects re-read or gone): an incremental read of documents. */
    readonly scopes?: readonly string[];
  };
  /** Ids gone from the system: partners are marked deleted (facts may still point at them). */
  readonly gone?: readonly string[];
}

/** Marks to save for one resource after the batch is applied. */
export interface MarksUpdate {
  readonly resource: string;
  /** All marks replaced (a full read) or only these set and `removed` dropped. */
  readonly replaceAll: boolean;
  readonly set: ReadonlyMap<string, ObjectMark>;
  readonly removed: readonly string[];
}

/** Everything a sync read, applied by the framework in one transaction. */
export interface SyncBatch {
  /** In the order they must be written (groups before partners before sales). */
  readonly entities: readonly EntityBatch[];
  readonly marks: readonly MarksUpdate[];
  readonly cursors: Readonly<Record<string, unknown>>;
  /** Rows read per entity (before refusals). */
  readonly read: Readonly<Partial<Record<EntityName, number>>>;
  /** Rows the driver itself refused while mapping (a sale line whose analytics key is unknown). */
  readonly refusals: readonly Refusal[];
  /** Price types the system keeps (1C's Catalog_ВидыЦен), written before the entities (prices name them). */
  readonly priceTypes?: readonly SyncedPriceType[];
  /**
   * The system's own partner segments (1C's Catalog_СегментыПартнеров), all of them: kept as
   * read-only manual segments after the batch is applied; one no longer listed is removed.
   * Absent when the system does not publish them (then the kept ones stay as they are).
   */
  readonly segments?: readonly SyncedSegment[];
}

/** A segment of the system, by its id there, with its name and its members (partner ids). */
export interface SyncedSegment {
  readonly remoteId: string;
  readonly name: string;
  readonly members: readonly string[];
}

/** A price type read from the system: created or updated by id, never deleted (agreements may name it). */
export interface SyncedPriceType {
  readonly id: string;
  readonly name: string;
  readonly currency: string;
  readonly vatIncluded: boolean;
  /** Why it is there, for people: "from 1C (Catalog_ВидыЦен)". */
  readonly description: string;
}

/** A segment to publish: its id, name and members now, and what the last publication left. */
export interface PublishTarget {
  readonly segmentId: string;
  readonly segmentName: string;
  readonly members: readonly string[];
  /** The item in the system made the last time; null the first time. */
  readonly remoteId: string | null;
}

export interface PublishResult {
  readonly remoteId: string;
  readonly added: number;
  readonly removed: number;
  readonly members: number;
}

/**
 * A task for the person responsible for a partner in a CRM (Bitrix24 `tasks.task.add`, amoCRM
 * `POST /api/v4/tasks`). The events' `crm-task` action sends one per entry of a partner.
 */
export interface TaskRequest {
  /** Segmenta's partner id (one this connector synced; the driver maps it to its entity). */
  readonly partnerId: string;
  readonly title: string;
  readonly description: string;
  /** When the task is due, ISO 8601 with an offset. */
  readonly deadline: string;
  /** The same key on a retry (the event id): a driver that can deduplicate on it does. */
  readonly idempotencyKey: string;
}

export interface TaskCreated {
  /** The task's id in the system. */
  readonly remoteId: string;
}
