import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refreshSegments } from '../src/domain/segments/batch-refresh.js';
import { rebuildSegment } from '../src/domain/segments/rebuild.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import { createServices } from '../src/app/services.js';
import { SegmentScheduler } from '../src/domain/segments/scheduler.js';
import { openDatabase } from '../src/storage/open-database.js';
import type { Database } from '../src/storage/database.js';
import { PostgresDatabase } from '../src/storage/postgres-database.js';
import { childCommand } from './support/bundled-child.js';
import { loadSmallCompany } from './segments-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'segmenta-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** The child, bundled once for the four kills. */
let bundled: Promise<string[]> | undefined;

/** Runs the child until it reaches the failpoint, then kills it with SIGKILL. */
async function killHalfWay(target: string, segmentId: string): Promise<void> {
  const command = await (bundled ??= childCommand('test/fixtures/rebuild-child.ts', dir));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...command, target, segmentId], {
      env: { ...process.env, SEGMENTA_FAILPOINT: 'rebuild-half-done' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child never reached the failpoint: ${stderr}`));
    }, 45_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('failpoint rebuild-half-done reached')) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && stderr.includes('reached')) resolve();
      else reject(new Error(`the child ended on its own (${signal ?? _code}): ${stderr}`));
    });
  });
}

const targets: { name: string; open: () => Promise<Database>; target: string }[] = [
  { name: 'duckdb', target: join(dir, 'crash.duckdb'), open: () => openDatabase({ path: join(dir, 'crash.duckdb'), url: '' }) },
];
if (process.env.DATABASE_URL) {
  // A schema of its own, named in the URL so that the child process lands in it too.
  const schema = `crash_${process.pid}_${Date.now()}`;
  const base = process.env.DATABASE_URL;
  const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  targets.push({
    name: 'postgres',
    target: url,
    open: async () => {
      const setup = await PostgresDatabase.connect(base, { schema });
      await setup.close();
      return openDatabase({ url });
    },
  });
  afterAll(async () => {
    const admin = await PostgresDatabase.connect(base);
    await admin.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.close();
  });
}

describe.each(targets)('a rebuild killed half-way on $name', ({ open, target }) => {
  it('leaves the previous composition whole', async () => {
    let db = await open();
    const id = `crash-${Date.now()}`;
    await loadSmallCompany(db);
    await createServices(db).segments.create({
      id,
      kind: 'partner',
      name: 'Crash',
      description: '',
      method: 'periodic',
      rule: { attr: 'legalForm', op: 'eq', value: 'company' },
      parameters: {},
      schedule: null,
      checkOnCreate: false,
      competitors: [],
      archived: false,
    });
    const first = await rebuildSegment(db, await getSegment(db, id), 'cli');
    expect(first.size).toBe(3);
    const before = (await db.query<{ id: string }>('SELECT member_id AS id FROM segment_members WHERE segment_id = $1 ORDER BY member_id', [id])).map((r) => r.id);
    // Everybody becomes a person: a finished rebuild would empty the segment.
    await db.run(`UPDATE partners SET legal_form = 'person'`);
    await db.close();

    await killHalfWay(target, id);

    db = await open();
    try {
      const after = (await db.query<{ id: string }>('SELECT member_id AS id FROM segment_members WHERE segment_id = $1 ORDER BY member_id', [id])).map((r) => r.id);
      expect(after).toEqual(before);
      const history = await db.query('SELECT event FROM segment_history WHERE segment_id = $1', [id]);
      expect(history).toHaveLength(3);
      // The interrupted run is marked failed when a server starts.
      const scheduler = new SegmentScheduler(db);
      await scheduler.start();
      scheduler.stop();
      const runs = await db.query<{ status: string; error: string | null }>('SELECT status, error FROM segment_runs WHERE segment_id = $1 ORDER BY id', [id]);
      expect(runs.map((r) => r.status)).toEqual(['ok', 'failed']);
      expect(runs[1]!.error).toContain('interrupted');
      // And the next generation works.
      const next = await rebuildSegment(db, await getSegment(db, id), 'cli');
      expect(next).toMatchObject({ size: 0, left: 3 });
    } finally {
      await db.close();
    }
  });
});

describe.each(targets)('a batch refresh killed half-way on $name', ({ open, target }) => {
  it('leaves every previous composition whole, and the next batch works', async () => {
    let db = await open();
    const tag = `batch-${Date.now()}`;
    const segment = (id: string, legalForm: string) => ({
      id: `${tag}-${id}`,
      kind: 'partner' as const,
      name: id,
      description: '',
      method: 'periodic' as const,
      rule: { attr: 'legalForm', op: 'eq', value: legalForm },
      parameters: {},
      schedule: null,
      checkOnCreate: false,
      competitors: [],
      archived: false,
    });
    if ((await db.query("SELECT 1 AS x FROM partners WHERE id = 'p1'")).length === 0) await loadSmallCompany(db);
    await db.run(`UPDATE partners SET legal_form = CASE WHEN id IN ('p2', 'p4') THEN 'person' ELSE 'company' END`);
    await db.run("UPDATE segments SET archived = TRUE WHERE method = 'periodic'");
    await createServices(db).segments.create(segment('firms', 'company'));
    await createServices(db).segments.create(segment('people', 'person'));
    const ids: string[] = [`${tag}-firms`, `${tag}-people`];
    const first = await refreshSegments(db, ids, { trigger: 'cli' });
    expect(first.segments.map((s) => s.size)).toEqual([3, 2]);
    const snapshot = async () =>
      (await db.query<{ s: string; m: string }>('SELECT segment_id AS s, member_id AS m FROM segment_members WHERE segment_id IN ($1, $2) ORDER BY 1, 2', ids)).map((r) => `${r.s}:${r.m}`);
    const before = await snapshot();
    // Everybody becomes a person: a finished batch would move everyone.
    await db.run(`UPDATE partners SET legal_form = 'person'`);
    await db.close();

    await killHalfWay(target, '--all');

    db = await open();
    try {
      expect(await snapshot()).toEqual(before);
      expect(await db.query('SELECT event FROM segment_history WHERE segment_id IN ($1, $2)', ids)).toHaveLength(5);
      const scheduler = new SegmentScheduler(db);
      await scheduler.start();
      scheduler.stop();
      const runs = await db.query<{ status: string }>('SELECT status FROM segment_runs WHERE segment_id = $1 ORDER BY id', [ids[0]!]);
      expect(runs.map((r) => r.status)).toEqual(['ok', 'failed']);
      const next = await refreshSegments(db, ids, { trigger: 'cli' });
      expect(next.segments.map((s) => [s.size, s.entered, s.left])).toEqual([
        [0, 0, 3],
        [5, 3, 0],
      ]);
    } finally {
      await db.close();
    }
  });
});
