import { AppError } from '../../errors/app-error.js';
import type { Database } from '../../storage/database.js';
import { referencedSegmentIds, validateDefinition } from './rule-engine.js';
import type { Segment, SegmentInput, SegmentPatch } from './segment.schema.js';
import { deleteSegmentsRows, findSegment, getSegment, insertSegment, listSegments, updateSegmentRow } from './segments.repository.js';

/** Saving, changing and deleting segments with the rules of SPEC §2. */

/** Places that use a segment: other segments' rules now; agreements and discounts register themselves. */
export interface SegmentUse {
  readonly kind: string;
  readonly id: string;
  readonly name: string;
}

export type UsageProvider = (db: Database, segmentId: string) => Promise<SegmentUse[]>;

const usageProviders: UsageProvider[] = [
  async (db, segmentId) => {
    const uses: SegmentUse[] = [];
    for (const other of await listSegments(db)) {
      if (other.id !== segmentId && referencedSegmentIds(other).includes(segmentId)) {
        uses.push({ kind: 'segment', id: other.id, name: other.name });
      }
    }
    return uses;
  },
];

/** Sales terms (agreements, discounts, bans) register how they use segments, so deletion can be refused. */
export function registerUsageProvider(provider: UsageProvider): void {
  usageProviders.push(provider);
}

/**
 * A check run before a segment is changed: it throws to refuse the change. Sales terms use it
 * so that a segment they read cannot be archived under them.
 */
export type SegmentChangeGuard = (db: Database, before: Segment, after: Segment) => Promise<void>;

const changeGuards: SegmentChangeGuard[] = [];

export function registerChangeGuard(guard: SegmentChangeGuard): void {
  changeGuards.push(guard);
}

export async function segmentUses(db: Database, segmentId: string): Promise<SegmentUse[]> {
  const all = await Promise.all(usageProviders.map((provider) => provider(db, segmentId)));
  return all.flat();
}

/** Who is saving: custom SQL is for administrators only (SPEC §3). */
export interface SaveOptions {
  readonly allowCustomSql?: boolean;
}

export async function createSegment(db: Database, input: SegmentInput, options: SaveOptions = {}): Promise<Segment> {
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
    createdAt: now,
    updatedAt: now,
  };
  await validateDefinition(db, segment, options);
  await insertSegment(db, segment);
  return segment;
}

export async function updateSegment(db: Database, id: string, patch: SegmentPatch, options: SaveOptions = {}): Promise<Segment> {
  const current = await getSegment(db, id);
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
  await validateDefinition(db, next, options);
  for (const guard of changeGuards) await guard(db, current, next);
  await updateSegmentRow(db, next);
  return next;
}

/** A segment in use cannot be deleted (SPEC §2); it can be archived. */
async function refuseIfUsed(db: Database, id: string): Promise<void> {
  const uses = await segmentUses(db, id);
  if (uses.length) {
    throw new AppError('SEGMENT_IN_USE', { id, usedBy: uses, list: uses.map((u) => `${u.kind} "${u.name}"`).join(', ') });
  }
}

export async function deleteSegment(db: Database, id: string): Promise<void> {
  await deleteSegments(db, [id]);
}

/** Deletes several segments in one transaction; refuses (deleting none) if any is missing or used. */
export async function deleteSegments(db: Database, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids)];
  for (const id of unique) {
    await getSegment(db, id);
    await refuseIfUsed(db, id);
  }
  await db.transaction((tx) => deleteSegmentsRows(tx, unique));
}
