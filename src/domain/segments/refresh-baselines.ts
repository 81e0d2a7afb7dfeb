import type { Queryable } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { Segment } from './segment.schema.js';
import { sqlTimestamp } from './segments.repository.js';

/**
 * Which stored compositions an incremental refresh may patch (issue 20): a segment evaluated
 * in full records the pass it is current from and its definition's fingerprint. An
 * incremental pass patches only segments current from the last pass under their present
 * definition; the others (a new segment, a changed rule, one archived or failed meanwhile)
 * it evaluates in full.
 */

/** A pass that consumed the dirty set: incremental, or full over every periodic segment. */
export type PassMode = 'incremental' | 'full';

/** What makes a composition: a change of any of these calls for a full evaluation. */
export const fingerprintOf = (segment: Pick<Segment, 'kind' | 'method' | 'rule' | 'sql' | 'parameters'>): string =>
  JSON.stringify([segment.kind, segment.method, segment.rule ?? null, segment.sql, segment.parameters]);

/** The last pass that consumed the dirty set (0 before the first). */
export async function currentPass(q: Queryable): Promise<number> {
  const [row] = await q.query<{ pass: number | null }>('SELECT MAX(pass) AS pass FROM refresh_passes');
  return Number(row?.pass ?? 0);
}

/** Records a pass as done, in the transaction that cleared its dirty marks. */
export async function recordPass(tx: Queryable, pass: number, mode: PassMode, asOf: string, partners: number): Promise<void> {
  await tx.run(sql`INSERT INTO refresh_passes (pass, mode, as_of, partners, finished_at) VALUES (${pass}, ${mode}, CAST(${asOf} AS DATE), ${partners}, CAST(${sqlTimestamp()} AS TIMESTAMP))`);
}

export interface Baseline {
  readonly fingerprint: string;
  readonly pass: number;
  /** The evaluation date of its last full evaluation or patch. */
  readonly asOf: string;
}

export async function readBaselines(q: Queryable): Promise<Map<string, Baseline>> {
  const rows = await q.query<{ segment_id: string; fingerprint: string; pass: number; as_of: string }>('SELECT segment_id, fingerprint, pass, as_of FROM segment_baselines');
  return new Map(rows.map((r) => [r.segment_id, { fingerprint: r.fingerprint, pass: Number(r.pass), asOf: r.as_of }]));
}

/** These segments are current from `pass` under their present definitions (call in the transaction of their swap). */
export async function writeBaselines(tx: Queryable, segments: readonly Segment[], pass: number, asOf: string): Promise<void> {
  for (let i = 0; i < segments.length; i += 200) {
    const chunk = segments.slice(i, i + 200);
    await tx.run(sql`DELETE FROM segment_baselines WHERE segment_id IN (${sql.list(chunk.map((s) => s.id))})`);
    await tx.run(sql`INSERT INTO segment_baselines (segment_id, fingerprint, pass, as_of) VALUES ${sql.join(chunk.map((s) => sql`(${s.id}, ${fingerprintOf(s)}, ${pass}, CAST(${asOf} AS DATE))`))}`);
  }
}

/**
 * Whether an incremental pass after `pass` on `asOf` may patch this segment's stored
 * composition: current from that pass under its definition, and — a rule moving with the date
 * (`sameDay`) — evaluated on that day.
 */
export const mayPatch = (segment: Segment, baseline: Baseline | undefined, pass: number, asOf: string, sameDay: boolean): boolean =>
  baseline !== undefined && baseline.pass === pass && baseline.fingerprint === fingerprintOf(segment) && (!sameDay || baseline.asOf === asOf);
