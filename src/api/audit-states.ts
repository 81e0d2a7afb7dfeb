import type { FastifyRequest } from 'fastify';
import { segmentSize } from '../domain/segments/member-pages.js';
import { getSegment } from '../domain/segments/segments.repository.js';
import type { Database } from '../storage/database.js';

/**
 * What the audit log records of some entities (src/api/audit.ts): states read by id, and
 * summaries of answers too large or too private to keep whole.
 */

/** A segment as the audit log keeps it: its definition, and the size of a stored composition. */
export async function segmentState(db: Database, id: string): Promise<unknown> {
  const segment = await getSegment(db, id);
  return { ...segment, size: segment.method === 'dynamic' ? null : await segmentSize(db, segment) };
}

/** Member ids kept of a manual change: the first this many, and how many there were. */
export const AUDITED_MEMBER_IDS = 1000;

/** The state read after the action with more fields beside it (a state that is gone is null). */
function beside(state: unknown, more: Record<string, unknown>): unknown {
  return state !== null && typeof state === 'object' && !Array.isArray(state) ? { ...(state as Record<string, unknown>), ...more } : { state, ...more };
}

/** After a manual change of members: the segment, which ids were asked for (the first 1,000, and how many) and the answer. */
export function membersChange(c: { readonly state: unknown; readonly response: unknown; readonly request: FastifyRequest }): unknown {
  const ids = (c.request.body as { ids?: unknown } | null)?.ids;
  const list = Array.isArray(ids) ? ids : [];
  return beside(c.state, { ids: list.slice(0, AUDITED_MEMBER_IDS), idsGiven: list.length, result: c.response });
}

/** After an action that answers a result (a generation, a fill): the state, and the result beside it. */
export const stateAndResult = (c: { readonly state: unknown; readonly response: unknown }): unknown => beside(c.state, { result: c.response });

/** An import is recorded by its counts, never its rows (nor the values of its bad rows). */
export function importCounts(c: { readonly response: unknown }): unknown {
  const report = (c.response ?? {}) as Record<string, unknown>;
  const keys = ['entity', 'format', 'encoding', 'rows', 'inserted', 'updated', 'unchanged', 'duplicates', 'skipped', 'errorCount', 'newProperties'];
  return Object.fromEntries(keys.filter((k) => k in report).map((k) => [k, report[k]]));
}
