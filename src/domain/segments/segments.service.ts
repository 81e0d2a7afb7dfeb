import { ALL_PARTNERS, type Principal } from '../access/principal.js';
import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import type { Database } from '../../storage/database.js';
import type { DomainEvents, EventBus } from '../events.js';
import type { CompositionListener } from './compositions.js';
import { referencedSegmentIds, validateDefinition } from './definition-checks.js';
import { addMembers, removeMembers } from './manual-members.js';
import type { SegmentUse } from './segment-api.schema.js';
import type { Segment, SegmentInput, SegmentPatch } from './segment.schema.js';
import { deleteSegmentsRows, findSegment, getSegment, insertSegment, listSegments, updateSegmentRow } from './segments.repository.js';

/** Saving, changing and deleting segments with the rules of SPEC §2 (a segment in use cannot be deleted). */

/** Places that use a segment: other segments' rules, and sales terms (wired in the composition root). */
export type { SegmentUse } from './segment-api.schema.js';

export type UsageProvider = (db: Queryable, segmentId: string) => Promise<SegmentUse[]>;

/** Other segments whose rules read this one. */
export const segmentsReadingSegment: UsageProvider = async (db, segmentId) => {
  const uses: SegmentUse[] = [];
  for (const other of await listSegments(db)) {
    if (other.id !== segmentId && referencedSegmentIds(other).includes(segmentId)) uses.push({ kind: 'segment', id: other.id, name: other.name });
  }
  return uses;
};

export interface SegmentServiceDeps {
  readonly events: EventBus<DomainEvents>;
  /** Everything that can use a segment, asked before a delete. */
  readonly usages: readonly UsageProvider[];
  /** Whether custom SQL may be saved when a call does not say (an administrator's setting). */
  readonly allowCustomSql?: boolean;
  /** Refuses deleting a segment or editing its members by hand when another system keeps it (a connector's). */
  readonly guardEdit?: (segmentId: string) => Promise<void>;
}

/** Who is saving: custom SQL is for administrators only (SPEC §3). */
export interface SaveOptions {
  readonly allowCustomSql?: boolean;
  /**
   * The signed-in caller (an API route's principal). A manager may make and change only own
   * manual segments, and only an admin may save custom SQL (docs/security.md). Absent for the
   * operator's own tools (the CLI, schedulers), which may do anything.
   */
  readonly actor?: Principal | undefined;
}

/**
 * A manager changes only own manual segments (made by the same user or key); others' are
 * read-only to them (403). Admins, analysts and the operator's tools change any.
 */
export function requireMayChange(actor: Principal | undefined, segment: Segment): void {
  if (!actor || actor.role !== 'manager') return;
  if (segment.method === 'manual' && segment.ownerUserId === actor.id) return;
  throw new AppError('ACCESS_DENIED', { needed: 'analyst', role: actor.role, reason: `segment "${segment.id}" is not a manual segment of your own` });
}

/** What a caller may save: a manager only manual segments; only an admin custom SQL. */
function requireMaySave(actor: Principal | undefined, segment: Segment): void {
  if (!actor) return;
  if (actor.role === 'manager' && segment.method !== 'manual') {
    throw new AppError('ACCESS_DENIED', { needed: 'analyst', role: actor.role, reason: 'a manager makes manual segments only' });
  }
  if (segment.sql !== null && actor.role !== 'admin') throw new AppError('ACCESS_DENIED', { needed: 'admin', role: actor.role, reason: 'custom SQL segments are for administrators' });
}

/**
 * Creating, changing and deleting segments: made once per database by the composition root,
 * which gives it what uses segments and the event bus (guards refuse changes there; the
 * scheduler hears every saved and deleted segment).
 */
export class SegmentService {
  constructor(
    readonly db: Database,
    private readonly deps: SegmentServiceDeps,
  ) {}

  async uses(segmentId: string): Promise<SegmentUse[]> {
    const all = await Promise.all(this.deps.usages.map((provider) => provider(this.db, segmentId)));
    return all.flat();
  }

  async create(input: SegmentInput, options: SaveOptions = {}): Promise<Segment> {
    const segment = await createSegment(this.db, input, this.saveOptions(options));
    await this.deps.events.emit('segment.saved', { segment, previous: null });
    return segment;
  }

  async update(id: string, patch: SegmentPatch, options: SaveOptions = {}): Promise<Segment> {
    const { before, after } = await updateSegment(this.db, id, patch, this.saveOptions(options), (change) => this.deps.events.emit('segment.changing', change));
    await this.deps.events.emit('segment.saved', { segment: after, previous: before });
    return after;
  }

  async delete(id: string, actor?: Principal): Promise<void> {
    await this.deleteMany([id], actor);
  }

  /** Deletes several segments in one transaction; refuses (deleting none) if any is missing, used, or not the actor's to change. */
  async deleteMany(ids: readonly string[], actor?: Principal): Promise<void> {
    const unique = [...new Set(ids)];
    for (const id of unique) {
      requireMayChange(actor, await getSegment(this.db, id));
      await this.deps.guardEdit?.(id);
      const uses = await this.uses(id);
      if (uses.length) throw new AppError('SEGMENT_IN_USE', { id, usedBy: uses, list: uses.map((u) => `${u.kind} "${u.name}"`).join(', ') });
    }
    await this.db.transaction((tx) => deleteSegmentsRows(tx, unique));
    if (unique.length) await this.deps.events.emit('segment.deleted', { ids: unique });
  }

  /** Adds members to a manual segment the actor may change; a partner outside the actor's scope is not found (404). */
  async addMembers(id: string, ids: readonly string[], actor?: Principal, onChange?: CompositionListener): Promise<number> {
    const segment = await getSegment(this.db, id);
    requireMayChange(actor, segment);
    await this.deps.guardEdit?.(id);
    return addMembers(this.db, segment, ids, onChange, actor?.scope ?? ALL_PARTNERS);
  }

  /** Removes members from a manual segment the actor may change; partners outside the actor's scope are left alone. */
  async removeMembers(id: string, ids: readonly string[], actor?: Principal, onChange?: CompositionListener): Promise<number> {
    const segment = await getSegment(this.db, id);
    requireMayChange(actor, segment);
    await this.deps.guardEdit?.(id);
    return removeMembers(this.db, segment, ids, onChange, actor?.scope ?? ALL_PARTNERS);
  }

  private saveOptions(options: SaveOptions): SaveOptions {
    return { allowCustomSql: options.allowCustomSql ?? this.deps.allowCustomSql ?? false, actor: options.actor };
  }
}

async function createSegment(db: Database, input: SegmentInput, options: SaveOptions): Promise<Segment> {
  if (await findSegment(db, input.id)) throw new AppError('SEGMENT_EXISTS', { id: input.id });
  const now = new Date().toISOString();
  const segment: Segment = {
    id: input.id,
    kind: input.kind,
    name: input.name,
    description: input.description,
    method: input.method,
    rule: input.rule ?? null,
    sql: input.sql ?? null,
    parameters: input.parameters,
    schedule: input.schedule,
    checkOnCreate: input.checkOnCreate,
    competitors: input.competitors,
    archived: input.archived,
    folder: input.folder || null,
    // A manager's segment is own (only that user or key may change it); everyone else's is shared.
    ownerUserId: options.actor?.role === 'manager' ? options.actor.id : null,
    createdAt: now,
    updatedAt: now,
  };
  requireMaySave(options.actor, segment);
  await validateDefinition(db, segment, options);
  await insertSegment(db, segment);
  return segment;
}

async function updateSegment(
  db: Database,
  id: string,
  patch: SegmentPatch,
  options: SaveOptions,
  guard: (change: { before: Segment; after: Segment }) => Promise<void>,
): Promise<{ before: Segment; after: Segment }> {
  const current = await getSegment(db, id);
  requireMayChange(options.actor, current);
  if (patch.method !== undefined && patch.method !== current.method) {
    throw new AppError('SEGMENT_METHOD_FIXED', { id, method: current.method, requested: patch.method });
  }
  if (patch.kind !== undefined && patch.kind !== current.kind) {
    throw new AppError('SEGMENT_KIND_FIXED', { id, kind: current.kind, requested: patch.kind });
  }
  const next: Segment = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.rule !== undefined ? { rule: patch.rule, sql: null } : {}),
    ...(patch.sql !== undefined ? { sql: patch.sql, ...(patch.sql !== null ? { rule: null } : {}) } : {}),
    ...(patch.parameters !== undefined ? { parameters: patch.parameters } : {}),
    ...(patch.schedule !== undefined ? { schedule: patch.schedule } : {}),
    ...(patch.checkOnCreate !== undefined ? { checkOnCreate: patch.checkOnCreate } : {}),
    ...(patch.competitors !== undefined ? { competitors: patch.competitors } : {}),
    ...(patch.archived !== undefined ? { archived: patch.archived } : {}),
    ...(patch.folder !== undefined ? { folder: patch.folder === '' ? null : patch.folder } : {}),
    updatedAt: new Date().toISOString(),
  };
  if (next.method !== 'periodic' && (next.schedule || next.checkOnCreate)) {
    throw new AppError('VALIDATION_FAILED', { summary: 'only periodic segments have a schedule or check on create', issues: [] });
  }
  if (next.method !== 'manual' && (next.rule === null || next.rule === undefined) && next.sql === null) {
    // "rule": null would leave a dynamic or periodic segment with nothing to compute it by.
    throw new AppError('VALIDATION_FAILED', {
      summary: `body.rule: a ${next.method} segment needs a rule (or sql); it cannot be removed`,
      issues: [{ path: 'body.rule', message: `a ${next.method} segment needs a rule (or sql)` }],
    });
  }
  requireMaySave(options.actor, next);
  await validateDefinition(db, next, options);
  await guard({ before: current, after: next });
  await updateSegmentRow(db, next);
  return { before: current, after: next };
}
