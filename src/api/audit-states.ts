import type { FastifyRequest } from 'fastify';
import { importReportCounts, membersChangeState, stateWith } from '../domain/access/audit.js';
import { segmentAuditState } from '../domain/segments/segment-audit-state.js';
import type { Database } from '../storage/database.js';

/**
 * What the audit log records of some entities (src/api/audit.ts): states read by id, and
 * summaries of answers too large or too private to keep whole.
 */

/** A segment as the audit log keeps it: its definition, and the size of a stored composition. */
export const segmentState = (db: Database, id: string): Promise<unknown> => segmentAuditState(db, id);

/** After a manual change of members: the segment, which ids were asked for (the first 1,000, and how many) and the answer. */
export function membersChange(c: { readonly state: unknown; readonly response: unknown; readonly request: FastifyRequest }): unknown {
  const ids = (c.request.body as { ids?: unknown } | null)?.ids;
  return membersChangeState(c.state, Array.isArray(ids) ? ids : [], c.response);
}

/** After an action that answers a result (a generation, a fill): the state, and the result beside it. */
export const stateAndResult = (c: { readonly state: unknown; readonly response: unknown }): unknown => stateWith(c.state, { result: c.response });

/** An import is recorded by its counts, never its rows (nor the values of its bad rows). */
export const importCounts = (c: { readonly response: unknown }): unknown => importReportCounts(c.response);
