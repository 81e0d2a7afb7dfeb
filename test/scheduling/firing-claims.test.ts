import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FiringClaims, firingSlot } from '../../src/scheduling/firing-claims.js';
import type { Database } from '../../src/storage/database.js';
import { ENGINES } from '../engines.js';

const SEGMENT_CLAIMS = { table: 'segment_schedule_claims', keyColumn: 'segment_id' };

describe('firing slots', () => {
  it('puts every moment of an interval in one slot, the same in every process', () => {
    const slot = (at: string) => firingSlot('every 1200 seconds', new Date(at)).toISOString();
    expect(slot('2026-01-01T10:07:13.250Z')).toBe('2026-01-01T10:00:00.000Z');
    expect(slot('2026-01-01T10:19:59.999Z')).toBe('2026-01-01T10:00:00.000Z');
    expect(slot('2026-01-01T10:20:00.000Z')).toBe('2026-01-01T10:20:00.000Z');
  });

  it('puts a cron firing in its second', () => {
    expect(firingSlot('0 3 * * *', new Date('2026-01-01T03:00:00.730Z')).toISOString()).toBe('2026-01-01T03:00:00.000Z');
  });
});

describe.each(ENGINES)('firing claims on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => db.close());

  it('gives each firing to one of the processes that fire it', async () => {
    const [a, b] = [new FiringClaims<string>(db, SEGMENT_CLAIMS), new FiringClaims<string>(db, SEGMENT_CLAIMS)];
    const now = new Date('2026-01-01T10:07:13Z');
    const won = await Promise.all([a.claim('birthday', 'every 1200 seconds', now), b.claim('birthday', 'every 1200 seconds', now)]);
    expect(won.filter(Boolean)).toHaveLength(1);
    // Later in the same interval: the same firing, claimed already.
    expect(await b.claim('birthday', 'every 1200 seconds', new Date('2026-01-01T10:19:00Z'))).toBe(false);
    // The next interval, and another key in this one, are firings of their own.
    expect(await b.claim('birthday', 'every 1200 seconds', new Date('2026-01-01T10:20:00Z'))).toBe(true);
    expect(await b.claim('people', 'every 1200 seconds', now)).toBe(true);
    const rows = await db.query<{ segment_id: string; slot: string }>("SELECT segment_id, slot FROM segment_schedule_claims WHERE segment_id IN ('birthday', 'people') ORDER BY segment_id, slot");
    expect(rows.map((r) => r.segment_id)).toEqual(['birthday', 'birthday', 'people']);
  });

  it('keeps each table its own claims', async () => {
    const scores = new FiringClaims<'rfm' | 'renew'>(db, { table: 'score_schedule_claims', keyColumn: 'score_set' });
    const segments = new FiringClaims<string>(db, SEGMENT_CLAIMS);
    const now = new Date('2026-02-01T03:00:00Z');
    expect(await segments.claim('rfm', '0 3 * * *', now)).toBe(true);
    expect(await scores.claim('rfm', '0 3 * * *', now)).toBe(true);
    expect(await scores.claim('rfm', '0 3 * * *', now)).toBe(false);
  });

  it('refuses a table name that is not a plain SQL name', () => {
    expect(() => new FiringClaims(db, { table: 'claims; DROP TABLE segments', keyColumn: 'id' })).toThrow(/not an SQL name/);
  });
});
