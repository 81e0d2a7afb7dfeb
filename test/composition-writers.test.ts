/**
 * Two writers of one composition at once (issue 23): on DuckDB no unique index keeps
 * (segment, member) unique any more (migration 7), so the writers must not interleave —
 * simultaneous manual additions, and a check on create whose transaction began before a batch
 * refresh committed, must still store each member once, with history that agrees.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices } from '../src/app/services.js';
import { duplicateMemberships, historyMismatches } from '../src/domain/health/doctor.js';
import { refreshSegments } from '../src/domain/segments/batch-refresh.js';
import { checkPartnersOnCreate } from '../src/domain/segments/check-on-create.js';
import { addMembers, removeMembers } from '../src/domain/segments/manual-members.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';

const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, competitors: [] as string[], archived: false };
const SEGMENTS = [
  { ...base, id: 'companies', name: 'Companies', method: 'periodic' as const, checkOnCreate: true, rule: { attr: 'legalForm', op: 'eq', value: 'company' } },
  { ...base, id: 'buyers', name: 'Buyers', method: 'periodic' as const, checkOnCreate: true, rule: { measure: 'sales.revenue', op: 'gt', value: 5000 } },
  { ...base, id: 'hand', name: 'By hand', method: 'manual' as const, checkOnCreate: false, rule: null },
];

describe.each(ENGINES)('writers of one composition at once on $name', (engine) => {
  let db: Database;
  const members = async (id: string) => (await db.query<{ id: string }>('SELECT member_id AS id FROM segment_members WHERE segment_id = $1 ORDER BY member_id', [id])).map((r) => r.id);
  const entered = async (id: string) => Number((await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM segment_history WHERE segment_id = $1 AND event = 'entered'", [id]))[0]!.n);

  beforeEach(async () => {
    db = await engine.create();
    await loadSmallCompany(db);
    for (const s of SEGMENTS) await createServices(db).segments.create(s);
  });
  afterEach(() => db.close());

  it('stores each member once when 20 manual additions of overlapping ids run at once', async () => {
    const hand = await getSegment(db, 'hand');
    const ids = ['p1', 'p2', 'p3', 'p4', 'p5'];
    const added = await Promise.all(Array.from({ length: 20 }, (_, i) => addMembers(db, hand, [ids[i % 5]!, ids[(i + 1) % 5]!, ids[(i + 3) % 5]!])));
    expect(added.reduce((a, b) => a + b, 0)).toBe(5);
    expect(await members('hand')).toEqual(ids);
    expect(await entered('hand')).toBe(5);
    await Promise.all([removeMembers(db, hand, ['p1', 'p2']), removeMembers(db, hand, ['p2', 'p3']), addMembers(db, hand, ['p1', 'p2'])]);
    expect(await duplicateMemberships(db)).toBe(0);
    expect(await historyMismatches(db)).toEqual([]);
  });

  // DuckDB only: PostgreSQL keeps (segment, member) unique by its index, and PGlite's one
  // connection cannot hold a transaction open while a refresh writes beside it.
  if (engine.name === 'duckdb')
    it('stores a partner once when its check on create began before a batch refresh committed, or committed after it began', async () => {
      const partners = ['p1', 'p2', 'p3', 'p4', 'p5'];
      // Began before the refresh: its snapshot has none of the members the refresh stores.
      const early = db.transaction(async (tx) => {
        await tx.query('SELECT COUNT(*) AS n FROM segment_members');
        await refreshing;
        return checkPartnersOnCreate(tx, partners, undefined, db);
      });
      const refreshing = refreshSegments(db, ['companies', 'buyers'], { trigger: 'cli', asOf: '2025-06-30' });
      await Promise.all([early, refreshing]);
      const companies = await members('companies');
      expect(companies.length).toBeGreaterThan(0);
      expect(await duplicateMemberships(db)).toBe(0);

      // Added first, and the refresh starts while that transaction is still open.
      await db.run('DELETE FROM segment_members');
      await db.run('DELETE FROM segment_history');
      let late: Promise<unknown> = Promise.resolve();
      await db.transaction(async (tx) => {
        await checkPartnersOnCreate(tx, partners, undefined, db);
        late = refreshSegments(db, ['companies', 'buyers'], { trigger: 'cli', asOf: '2025-06-30' });
        await new Promise((resolve) => setTimeout(resolve, 200));
      });
      await late;
      expect(await members('companies')).toEqual(companies);
      expect(await duplicateMemberships(db)).toBe(0);
      expect(await historyMismatches(db)).toEqual([]);
      expect(await entered('companies')).toBe(companies.length);
    });
});
