import { AppError } from '../../errors/app-error.js';
import { sql } from '../../sql/sql.js';
import type { Queryable } from '../../sql/queryable.js';
import type { Role } from './principal.js';

/**
 * The managers a user or an API key covers (`manager_ids`, comma-separated ids of `managers`).
 * A manager must cover at least one manager, and every id must name a manager that exists;
 * an admin or an analyst covers none (they see every partner).
 */
export async function checkManagerIds(db: Queryable, role: Role, given: readonly string[] | undefined): Promise<string[]> {
  const ids = [...new Set((given ?? []).map((id) => id.trim()).filter((id) => id !== ''))];
  const refuse = (message: string) => new AppError('VALIDATION_FAILED', { summary: `managerIds: ${message}`, issues: [{ path: 'managerIds', message }] });
  if (role !== 'manager') {
    if (ids.length > 0) throw refuse(`only the manager role covers managers; ${role} sees every partner`);
    return [];
  }
  if (ids.length === 0) throw refuse('the manager role needs at least one manager id');
  if (ids.some((id) => id.includes(','))) throw refuse('a manager id cannot contain a comma');
  const known = new Set((await db.query<{ id: string }>(sql`SELECT id FROM managers WHERE id IN (${sql.list(ids)})`)).map((row) => row.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new AppError('MANAGER_UNKNOWN', { ids: unknown });
  return ids;
}

export const joinManagerIds = (ids: readonly string[]): string => ids.join(',');
export const splitManagerIds = (text: string): string[] => (text === '' ? [] : text.split(','));
