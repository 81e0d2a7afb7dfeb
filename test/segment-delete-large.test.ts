/**
 * Deleting a large segment and its history (issue 20, item 6): one statement per table by
 * segment id, no per-row index maintenance on DuckDB (migration 7 keeps no index on the
 * rewritten tables). 100k members and 200k history rows; the time is printed (the bench
 * measures 500k on a quiet machine) and bounded loosely.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../src/app/services.js';
import { manualSegment } from '../src/bench/manual-segment.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

const MEMBERS = 100_000;

describe.each(ENGINES)('deleting a large segment on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => db?.close());

  it(`deletes a segment of ${MEMBERS} members with its history in seconds`, async () => {
    const services = createServices(db);
    await services.segments.create(manualSegment('big', 'Big'));
    await services.segments.create(manualSegment('other', 'Other'));
    const ids = Array.from({ length: MEMBERS }, (_, i) => `p${String(i).padStart(7, '0')}`);
    // Without member keys where the dialect keeps them (migration 26): the appender fills every column.
    const key = db.dialect.memberKey ? [null] : [];
    await db.appendRows(
      'segment_members',
      ['segment_id', 'member_id', 'added_at', ...(key.length ? ['member_key'] : [])],
      [...ids.map((id) => ['big', id, '2025-01-01 00:00:00', ...key]), ...ids.slice(0, 1000).map((id) => ['other', id, '2025-01-01 00:00:00', ...key])],
    );
    await db.appendRows(
      'segment_history',
      ['segment_id', 'member_id', 'event', 'occurred_at', 'run_id'],
      [...ids.map((id) => ['big', id, 'entered', '2025-01-01 00:00:00', null]), ...ids.map((id) => ['big', id, 'left', '2025-02-01 00:00:00', null])],
    );
    const started = performance.now();
    await services.segments.delete('big');
    const ms = performance.now() - started;
    console.log(`[delete ${engine.name}] ${MEMBERS} members and ${2 * MEMBERS} history rows deleted in ${Math.round(ms)} ms (load ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
    const [left] = await db.query<{ members: number; history: number; other: number }>(
      "SELECT (SELECT COUNT(*) FROM segment_members WHERE segment_id = 'big') AS members, (SELECT COUNT(*) FROM segment_history WHERE segment_id = 'big') AS history, (SELECT COUNT(*) FROM segment_members WHERE segment_id = 'other') AS other",
    );
    expect({ members: Number(left!.members), history: Number(left!.history), other: Number(left!.other) }).toEqual({ members: 0, history: 0, other: 1000 });
    expect(ms).toBeLessThan(30_000);
  }, 120_000);
});
