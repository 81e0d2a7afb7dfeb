import type { Queryable, Row } from '../../sql/queryable.js';
import type { ReadPart } from '../../sql/read-parts.js';
import { sql, type Sql } from '../../sql/sql.js';
import { compositionVersion } from './outbox.js';
import type { Database, WriteCount } from '../../storage/database.js';

/**
 * An in-process copy of the compositions one-partner checks read (issue 20), where this
 * process alone writes (DuckDB, PGlite), kept by the server (keepMembershipsInMemory): DuckDB keeps no index on segment_members (migration
 * 7), so reading one partner's memberships scans every membership of the segments read — most
 * of a check's time at 1M partners.
 *
 * Each segment is held with its composition version (segment_changes: every change of a
 * stored composition writes the segment's next version in its own transaction), read in the
 * same statement as its members (and its creation time: a segment removed and made again
 * under its id starts anew). A check reads these fingerprints of the segments it needs (one
 * small query, none while no statement has written since they last matched) and takes from
 * the copy those whose fingerprint still matches: the composition the database holds. A
 * segment the copy lacks or holds at another version is read by key for this check and read
 * whole again in the background. Only writers that record a version with every change of a
 * composition (compositions.ts through outbox.ts) may change segment_members.
 */

interface HeldSegment {
  /** Null: the segment did not exist when read (never current). */
  readonly fingerprint: string | null;
  readonly members: ReadonlySet<string>;
}

/** Joins member ids in one text per segment (an id holding it is read row by row). */
const SEPARATOR = '\u001f';
/** After a background read fails, the next one waits this long. */
const RETRY_MS = 1_000;

export class MembershipCopy {
  private readonly held = new Map<string, HeldSegment>();
  /** The write count when every segment of `validFor` last matched its version. */
  private validAt = -1;
  private validFor: readonly string[] = [];
  private loading: Promise<void> | null = null;
  /** Segments being read in the background. */
  private readonly pending = new Set<string>();
  private retryAt = 0;
  private stopped = false;
  private fromCopy = 0;
  private byKey = 0;

  constructor(
    private readonly db: Database,
    /** The writes that may have touched what the copy holds (COMPOSITION_TABLES). */
    private readonly writes: WriteCount,
  ) {}

  /**
   * The members among `memberIds` of each of `segmentIds`, as `q` sees them: from the copy
   * where it holds the segment's current version, by key from `q` for the others. `read`: the
   * segments' fingerprints, when the caller read them in its own statement (`fingerprintsPart`),
   * and the write count before that statement.
   */
  async memberships(
    q: Queryable,
    segmentIds: readonly string[],
    memberIds: readonly string[],
    read?: { readonly fingerprints: readonly Row[]; readonly writes: number },
  ): Promise<{ segmentId: string; memberId: string }[]> {
    if (segmentIds.length === 0 || memberIds.length === 0) return [];
    const current = await this.currentSegments(
      q,
      segmentIds,
      read && { fingerprints: new Map(read.fingerprints.map((r) => [String(r.id), r.fingerprint === null ? null : String(r.fingerprint)])), writes: read.writes },
    );
    const found: { segmentId: string; memberId: string }[] = [];
    const stale: string[] = [];
    for (const segmentId of segmentIds) {
      const held = current.has(segmentId) ? this.held.get(segmentId) : undefined;
      if (!held) {
        stale.push(segmentId);
        continue;
      }
      for (const memberId of memberIds) if (held.members.has(memberId)) found.push({ segmentId, memberId });
    }
    this.fromCopy += segmentIds.length - stale.length;
    this.byKey += stale.length;
    if (stale.length) {
      found.push(...(await readByKey(q, stale, memberIds)));
      if (q === this.db && Date.now() >= this.retryAt) void this.load(stale);
    }
    return found;
  }

  /**
   * The part of a caller's statement (read-parts.ts) that reads these segments' fingerprints,
   * or null when nothing has written since they last matched the copy.
   */
  fingerprintsPart(q: Queryable, segmentIds: readonly string[]): ReadPart | null {
    if (segmentIds.length === 0 || this.stillCurrent(q, segmentIds)) return null;
    return {
      name: 'fingerprints',
      from: sql`segments s`,
      where: sql`s.id IN (${sql.list([...segmentIds])})`,
      columns: [
        { name: 'id', expression: 's.id', type: 'text' },
        { name: 'fingerprint', expression: fingerprintOf(q, 's'), type: 'text' },
      ],
    };
  }

  /** The write count, for `memberships`' `read`. */
  get writeCount(): number {
    return this.writes.value;
  }

  /** Reads every segment the copy lacks or holds at an old version, now: for a warm start. */
  async ready(segmentIds: readonly string[]): Promise<void> {
    await this.loading;
    const current = await this.currentSegments(this.db, segmentIds);
    await this.load(segmentIds.filter((id) => !current.has(id)));
  }

  private stillCurrent(q: Queryable, segmentIds: readonly string[]): boolean {
    return q === this.db && this.validAt === this.writes.value && sameIds(this.validFor, segmentIds);
  }

  /** Segments held at the version `q` sees. */
  private async currentSegments(q: Queryable, segmentIds: readonly string[], read?: { fingerprints: Map<string, string | null>; writes: number }): Promise<Set<string>> {
    if (segmentIds.length === 0) return new Set();
    // While nothing has written since the same segments last matched, they still do.
    if (this.stillCurrent(q, segmentIds)) return new Set(segmentIds);
    const writes = read?.writes ?? this.writes.value;
    const now = read?.fingerprints ?? (await readFingerprints(q, segmentIds));
    const current = new Set(
      segmentIds.filter((id) => {
        const held = this.held.get(id)?.fingerprint;
        return held !== undefined && held !== null && held === now.get(id);
      }),
    );
    if (q === this.db && current.size === segmentIds.length && this.writes.value === writes) {
      this.validAt = writes;
      this.validFor = [...segmentIds];
    }
    return current;
  }

  private load(segmentIds: readonly string[]): Promise<void> {
    const ids = segmentIds.filter((id) => !this.pending.has(id));
    if (this.stopped || ids.length === 0) return this.loading ?? Promise.resolve();
    for (const id of ids) this.pending.add(id);
    const previous = this.loading ?? Promise.resolve();
    const next = previous
      .then(async () => {
        for (const id of ids) {
          if (this.stopped) return;
          this.held.set(id, await readSegment(this.db, id));
          this.pending.delete(id);
        }
      })
      .catch(() => {
        // The check reads by key meanwhile; the next one that finds a segment stale tries again.
        this.retryAt = Date.now() + RETRY_MS;
        for (const id of ids) this.pending.delete(id);
      })
      .finally(() => {
        if (this.loading === next) this.loading = null;
      });
    this.loading = next;
    return next;
  }

  /** Segment reads answered from the copy and by key, since the start. */
  stats(): { fromCopy: number; byKey: number; segments: number } {
    return { fromCopy: this.fromCopy, byKey: this.byKey, segments: this.held.size };
  }

  /** No more reads: the database is closing. Waits for a read in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loading;
  }
}

const sameIds = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * What a held composition is checked against: the segment's creation time (a segment removed
 * and made again under its id starts anew) and its composition version.
 */
const fingerprintOf = (q: Queryable, alias: string): string => `${q.dialect.cast(`${alias}.created_at`, 'text')} || ':' || ${q.dialect.cast(compositionVersion(sql.raw(`${alias}.id`)).text, 'text')}`;

/** The fingerprint of one segment, as a scalar subquery. */
const fingerprint = (q: Queryable, segmentId: string): Sql => sql`(SELECT ${sql.raw(fingerprintOf(q, 'f'))} FROM segments f WHERE f.id = ${segmentId})`;

async function readFingerprints(q: Queryable, segmentIds: readonly string[]): Promise<Map<string, string | null>> {
  const rows = await q.query<{ id: string; fingerprint: string | null }>(
    sql`SELECT s.id, ${sql.raw(fingerprintOf(q, 's'))} AS fingerprint FROM segments s WHERE s.id IN (${sql.list([...segmentIds])})`,
  );
  return new Map(rows.map((r) => [r.id, r.fingerprint]));
}

/** A segment's members with its fingerprint, in one statement (they agree). */
async function readSegment(db: Queryable, segmentId: string): Promise<HeldSegment> {
  const [row] = await db.query<{ ids: string | null; n: number; fingerprint: string | null }>(
    sql`SELECT string_agg(member_id, chr(${sql.raw(String(SEPARATOR.charCodeAt(0)))})) AS ids, COUNT(*) AS n, ${fingerprint(db, segmentId)} AS fingerprint
        FROM segment_members WHERE segment_id = ${segmentId}`,
  );
  const ids = row?.ids ? row.ids.split(SEPARATOR) : [];
  if (ids.length === Number(row?.n ?? 0)) return { fingerprint: row?.fingerprint ?? null, members: new Set(ids) };
  // An id holding the separator: row by row, the fingerprint read beside each row.
  const rows = await db.query<{ id: string; fingerprint: string | null }>(
    sql`SELECT member_id AS id, ${fingerprint(db, segmentId)} AS fingerprint FROM segment_members WHERE segment_id = ${segmentId}`,
  );
  return { fingerprint: rows[0]?.fingerprint ?? null, members: new Set(rows.map((r) => r.id)) };
}

/** The memberships of these members in these segments, read by key. */
export async function readByKey(q: Queryable, segmentIds: readonly string[], memberIds: readonly string[]): Promise<{ segmentId: string; memberId: string }[]> {
  if (segmentIds.length === 0 || memberIds.length === 0) return [];
  const rows = await q.query<{ segment_id: string; member_id: string }>(
    sql`SELECT segment_id, member_id FROM segment_members WHERE segment_id IN (${sql.list([...segmentIds])}) AND member_id IN (${sql.list([...memberIds])})`,
  );
  return rows.map((r) => ({ segmentId: r.segment_id, memberId: r.member_id }));
}

const copies = new WeakMap<Queryable, MembershipCopy>();

/** What a held composition and its fingerprint are read from: a write to another table leaves the copy current. */
const COMPOSITION_TABLES = ['segments', 'segment_members', 'segment_changes'];

/**
 * Keeps the compositions one-partner checks read in memory from now on (the server does;
 * one-shot CLI commands do not). Returns null where other processes may write (PostgreSQL,
 * which reads memberships by its index).
 */
export function keepMembershipsInMemory(db: Database): MembershipCopy | null {
  if (!db.localWrites) return null;
  let copy = copies.get(db);
  if (!copy) copies.set(db, (copy = new MembershipCopy(db, db.localWrites.of(COMPOSITION_TABLES))));
  return copy;
}

/** The copy kept for this database (not for a transaction or session on it), or null. */
export const membershipCopy = (q: Queryable): MembershipCopy | null => copies.get(q) ?? null;
