import type { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import { sqlTimestamp } from '../segments/segments.repository.js';
import { sql } from '../../sql/sql.js';

/**
 * Settings of each analysis (RFM, renew index, lifecycle), one JSON document per name in
 * `analytics_settings`. Until a user saves some, the documented defaults apply, so nothing has
 * to be set up before the first refresh.
 */

export type AnalysisName = 'rfm' | 'renew' | 'lifecycle';

/** A problem in submitted settings: where (a dotted path) and what. */
export interface SettingsIssue {
  readonly path: string;
  readonly message: string;
}

/** ANALYTICS_SETTINGS_INVALID with every issue and a one-line summary. */
export function settingsInvalid(analysis: string, issues: readonly SettingsIssue[]): AppError {
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}` : 'no issues';
  return new AppError('ANALYTICS_SETTINGS_INVALID', { analysis, summary, issues });
}

/** Parses settings with a zod schema, reporting zod's issues as settings issues. */
export function parseSettings<S extends z.ZodType>(analysis: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw settingsInvalid(
    analysis,
    parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message })),
  );
}

/** The stored settings document, or null when the defaults apply. */
export async function readStoredSettings(db: Queryable, name: AnalysisName): Promise<unknown> {
  const [row] = await db.query<{ value: string }>(sql`SELECT value FROM analytics_settings WHERE name = ${name}`);
  return row ? (JSON.parse(row.value) as unknown) : null;
}

export async function writeSettings(db: Queryable, name: AnalysisName, value: unknown): Promise<void> {
  const text = JSON.stringify(value);
  const at = sqlTimestamp();
  await db.run(
    sql`INSERT INTO analytics_settings (name, value, updated_at) VALUES (${name}, ${text}, CAST(${at} AS TIMESTAMP))
     ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
}
