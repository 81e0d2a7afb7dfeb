import type { Command } from 'commander';
import { auditedWrite, cliActor, membersChangeState, type AuditedWrite } from '../domain/access/audit.js';
import type { Queryable } from '../sql/queryable.js';

/**
 * Writes made by `segmenta` commands go into the audit log too (docs/security.md#audit-log),
 * made by the operating-system user who ran the command, with the command as the route.
 */

/** The command as typed, without its arguments: `segmenta segments create`. */
export function commandLine(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Runs a command's write and records it: the state before (when `load` is given), the write, the state after. */
export function cliWrite<T>(db: Queryable, command: Command, entry: Omit<AuditedWrite<T>, 'actor' | 'route' | 'method' | 'status'>, write: () => Promise<T>): Promise<T> {
  return auditedWrite(db, { ...entry, actor: cliActor(), route: commandLine(command), method: null, status: 200 }, write);
}

/** After members were added or removed by hand: the segment, the ids given and the count changed. */
export const membersAfter =
  (ids: readonly string[], field: 'added' | 'removed') =>
  ({ state, result }: { readonly state: unknown; readonly result: number }): unknown =>
    membersChangeState(state, ids, { [field]: result });
