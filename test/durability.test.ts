import { readFileSync, writeFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../src/api/error-handler.js';
import { describeDoctor, runDoctor, duplicateMemberships, historyMismatches } from '../src/domain/health/doctor.js';
import { refreshSegments } from '../src/domain/segments/batch-refresh.js';
import { checkPartnersOnCreate } from '../src/domain/segments/check-on-create.js';
import { rebuildSegment } from '../src/domain/segments/rebuild.js';
import { addMembers, removeMembers } from '../src/domain/segments/manual-members.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import { createServices } from '../src/app/services.js';
import { backupDatabase, restoreDatabase } from '../src/storage/backup.js';
import { whenDatabaseInvalidated } from '../src/storage/database-failure.js';
import { openDatabase } from '../src/storage/open-database.js';
import type { Queryable } from '../src/sql/queryable.js';
import { ENGINES, PGLITE } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'segmenta-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, competitors: [] as string[], archived: false };
const REWRITTEN = ['segment_members', 'segment_history', 'segment_runs', 'score_runs', 'partner_scores'];

describe.each(ENGINES)('storage that survives a crash on $name', (engine) => {
  it('keeps no index on the tables every refresh rewrites where indexes are not crash-safe', async () => {
    const db = await engine.create();
    try {
      if (db.dialect.indexesOnRewrittenTables) {
        const rows = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM pg_indexes WHERE tablename = 'segment_members'");
        expect(Number(rows[0]!.n)).toBeGreaterThan(0);
      } else {
        const list = REWRITTEN.map((t) => `'${t}'`).join(', ');
        expect(await db.query(`SELECT table_name, index_name FROM duckdb_indexes() WHERE table_name IN (${list})`)).toEqual([]);
        expect(await db.query(`SELECT table_name, constraint_type FROM duckdb_constraints() WHERE table_name IN (${list}) AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')`)).toEqual([]);
      }
    } finally {
      await db.close();
    }
  });

  it('never stores a member twice: refreshes, rebuilds, manual adds and check on create keep (segment, member) unique', async () => {
    const db = await engine.create();
    try {
      await loadSmallCompany(db);
      for (const s of [
        { ...base, id: 'perm-co', name: 'Perm companies', method: 'periodic' as const, checkOnCreate: true, rule: { attr: 'legalForm', op: 'eq', value: 'company' } },
        { ...base, id: 'buyers', name: 'Buyers', method: 'periodic' as const, checkOnCreate: true, rule: { measure: 'sales.revenue', op: 'gt', value: 5000 } },
        { ...base, id: 'hand', name: 'By hand', method: 'manual' as const, checkOnCreate: false, rule: null },
      ])
        await createServices(db).segments.create(s);
      for (let i = 0; i < 2; i++) await refreshSegments(db, ['perm-co', 'buyers'], { trigger: 'cli', asOf: '2025-06-30' });
      await rebuildSegment(db, await getSegment(db, 'perm-co'), 'cli', { asOf: '2025-06-30' });
      await db.transaction((tx) => checkPartnersOnCreate(tx, ['p1', 'p3', 'p5']));
      await addMembers(db, await getSegment(db, 'hand'), ['p1', 'p2', 'p2']);
      await addMembers(db, await getSegment(db, 'hand'), ['p1', 'p3']);
      await removeMembers(db, await getSegment(db, 'hand'), ['p2']);
      await addMembers(db, await getSegment(db, 'hand'), ['p2']);
      await refreshSegments(db, ['perm-co', 'buyers'], { trigger: 'cli', asOf: '2024-02-01' });
      expect(await duplicateMemberships(db)).toBe(0);
      expect(await historyMismatches(db)).toEqual([]);
      expect((await db.query('SELECT member_id FROM segment_members WHERE segment_id = $1 ORDER BY member_id', ['hand'])).map((r) => r.member_id)).toEqual(['p1', 'p2', 'p3']);
    } finally {
      await db.close();
    }
  });

  it('doctor finds members without history, duplicates and interrupted runs, and --repair fixes them without touching compositions', async () => {
    const db = await engine.create();
    try {
      await loadSmallCompany(db);
      await createServices(db).segments.create({ ...base, id: 'co', name: 'Companies', method: 'periodic', checkOnCreate: false, rule: { attr: 'legalForm', op: 'eq', value: 'company' } });
      await rebuildSegment(db, await getSegment(db, 'co'), 'cli', { asOf: '2025-06-30' });
      expect((await runDoctor(db)).healthy).toBe(true);
      // A torn swap as issue 14 saw it: a member inserted without its history, and a duplicate.
      await db.run("INSERT INTO segment_members (segment_id, member_id, added_at) VALUES ('co', 'p2', CURRENT_TIMESTAMP)");
      if (!db.dialect.indexesOnRewrittenTables) await db.run("INSERT INTO segment_members (segment_id, member_id, added_at) VALUES ('co', 'p1', CURRENT_TIMESTAMP)");
      await db.run("INSERT INTO segment_runs (segment_id, trigger, started_at, status) VALUES ('co', 'cli', CURRENT_TIMESTAMP, 'running')");
      const before = await db.query('SELECT DISTINCT member_id FROM segment_members ORDER BY member_id');
      const report = await runDoctor(db);
      expect(report.healthy).toBe(false);
      expect(report.historyMismatches).toEqual([{ segmentId: 'co', membersWithoutHistory: 1, historyWithoutMember: 0 }]);
      expect(report.duplicateMemberships).toBe(db.dialect.indexesOnRewrittenTables ? 0 : 1);
      expect(report.runningRuns.map((r) => r.name)).toEqual(['co']);
      const repaired = await runDoctor(db, { repair: true });
      expect(repaired.healthy).toBe(true);
      expect(await db.query('SELECT DISTINCT member_id FROM segment_members ORDER BY member_id')).toEqual(before);
      expect(await duplicateMemberships(db)).toBe(0);
    } finally {
      await db.close();
    }
  });
});

describe('recovery of a DuckDB file', () => {
  it('moves a write-ahead log that cannot be replayed aside and opens the last checkpoint, saying so', async () => {
    const path = join(dir, 'wal.duckdb');
    let db = await openDatabase({ path, url: '' });
    await loadSmallCompany(db);
    await db.checkpoint();
    // Later work stays in the log: no checkpoint, not even when closing.
    await db.run('PRAGMA disable_checkpoint_on_shutdown');
    await db.run("SET checkpoint_threshold = '1GB'");
    for (let i = 0; i < 20; i++)
      await db.run(
        `INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, deleted) VALUES ('late${i}', 'Late ${i} ${'x'.repeat(200)}', TRUE, FALSE, FALSE, FALSE, FALSE)`,
      );
    await db.close();
    const wal = readFileSync(`${path}.wal`);
    expect(wal.length).toBeGreaterThan(1000);
    // Bytes flipped inside entries: their checksums no longer match (the fixture of issue 23).
    for (const at of [0.25, 0.5]) for (let k = 0; k < 64; k++) wal[Math.floor(wal.length * at) + k]! ^= 0xff;
    writeFileSync(`${path}.wal`, wal);

    const warnings: string[] = [];
    db = await openDatabase({ path, url: '', warn: (m) => warnings.push(m) });
    try {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/could not replay its write-ahead log.*moved aside to .*wal\.unreplayable-.*not deleted/);
      expect(existsSync(`${path}.wal`)).toBe(false);
      const moved = readdirSync(dir).filter((f) => f.startsWith('wal.duckdb.wal.unreplayable-'));
      expect(moved).toHaveLength(1);
      expect((await db.query('SELECT id FROM partners ORDER BY id')).map((r) => r.id)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
      const report = await runDoctor(db);
      expect(report.walsMovedAside.map((w) => w.file)).toEqual([join(dir, moved[0]!)]);
    } finally {
      await db.close();
    }
    // The next open is ordinary.
    const again = await openDatabase({ path, url: '', warn: (m) => warnings.push(m) });
    await again.close();
    expect(warnings).toHaveLength(1);
  });

  /** The count of a partner's sale lines through sales_partner_idx (an equality) and by a scan (a FILTER reads every line). */
  const linesOf = async (db: Queryable, partner: string) => {
    const [byIndex] = await db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM sales WHERE partner_id = $1', [partner]);
    const [byScan] = await db.query<{ n: number }>('SELECT (count(*) FILTER (WHERE partner_id = $1))::INTEGER AS n FROM sales', [partner]);
    return { byIndex: byIndex!.n, byScan: byScan!.n };
  };

  /** A small company whose last 6 sale lines for p1 were committed and are only in the log (the process died before a checkpoint). Returns p1's lines before them. */
  const linesLeftInLog = async (path: string): Promise<number> => {
    const db = await openDatabase({ path, url: '' });
    await loadSmallCompany(db);
    await db.checkpoint();
    const before = (await linesOf(db, 'p1')).byScan;
    await db.run('PRAGMA disable_checkpoint_on_shutdown');
    await db.run("SET checkpoint_threshold = '1GB'");
    await db.run(
      "INSERT INTO sales SELECT 'late-' || i, document, date, partner_id, product_id, quantity, revenue, cost, manager_id FROM sales, range(6) t(i) WHERE id = (SELECT min(id) FROM sales WHERE partner_id = 'p1')",
    );
    await db.close();
    expect(existsSync(`${path}.wal`)).toBe(true);
    return before;
  };

  it('keeps the partner index of sale lines whole when a log left by a crash is replayed, then the file closed', async () => {
    const path = join(dir, 'replayed.duckdb');
    const before = await linesLeftInLog(path);
    expect(before).toBeGreaterThan(0);
    // The next process replays the log, reads, and closes (DuckDB checkpoints on close).
    let db = await openDatabase({ path, url: '' });
    expect((await db.query('SELECT count(*)::INTEGER AS n FROM partners'))[0]!.n).toBe(5);
    await db.close();
    // Every later open finds the replayed lines through the index, and a delete by partner removes them all.
    db = await openDatabase({ path, url: '' });
    try {
      expect(await linesOf(db, 'p1')).toEqual({ byIndex: before + 6, byScan: before + 6 });
      await db.run("DELETE FROM sales WHERE partner_id = 'p1'");
      expect(await linesOf(db, 'p1')).toEqual({ byIndex: 0, byScan: 0 });
      expect((await runDoctor(db)).staleIndexes).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('doctor finds a partner index that misses rows (written so by an earlier version) and --repair builds it again', async () => {
    const path = join(dir, 'stale-index.duckdb');
    const before = await linesLeftInLog(path);
    // What Segmenta did before it checkpointed a replayed log on open: DuckDB's own open and close.
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run('SELECT count(*) FROM partners');
    connection.closeSync();
    instance.closeSync();
    const db = await openDatabase({ path, url: '' });
    try {
      expect(await linesOf(db, 'p1')).toEqual({ byIndex: before, byScan: before + 6 });
      const found = await runDoctor(db);
      expect(found.healthy).toBe(false);
      expect(found.staleIndexes).toEqual([expect.objectContaining({ table: 'sales', index: 'sales_partner_idx', keysMissingRows: 1 })]);
      expect(describeDoctor(found).join('\n')).toMatch(/Index sales_partner_idx on sales misses rows: 1 of \d+ keys/);
      const repaired = await runDoctor(db, { repair: true });
      expect(repaired.repaired).toContain('rebuilt 1 indexes that missed rows: sales_partner_idx');
      expect(repaired.staleIndexes).toEqual([]);
      expect(repaired.healthy).toBe(true);
      expect(await linesOf(db, 'p1')).toEqual({ byIndex: before + 6, byScan: before + 6 });
    } finally {
      await db.close();
    }
  });
});

describe('backup and restore', () => {
  it('copies a database in use into timestamped files, keeps the newest, and restores one (refusing a filled database without --force)', async () => {
    const path = join(dir, 'live.duckdb');
    const folder = join(dir, 'backups');
    const db = await openDatabase({ path, url: '' });
    await loadSmallCompany(db);
    await createServices(db).segments.create({ ...base, id: 'co', name: 'Companies', method: 'periodic', checkOnCreate: false, rule: { attr: 'legalForm', op: 'eq', value: 'company' } });
    const run = await rebuildSegment(db, await getSegment(db, 'co'), 'cli', { asOf: '2025-06-30' });
    const files: string[] = [];
    for (let i = 0; i < 3; i++) files.push((await backupDatabase(db, `${folder}/`, { keep: 2, now: new Date(Date.UTC(2025, 5, 30, 2, i)) })).file);
    await db.close();
    expect(readdirSync(folder).sort()).toEqual(['segmenta-20250630T020100Z.duckdb', 'segmenta-20250630T020200Z.duckdb']);

    const target = join(dir, 'restored.duckdb');
    await restoreDatabase(files[2]!, target);
    const restored = await openDatabase({ path: target, url: '' });
    try {
      expect((await restored.query("SELECT member_id FROM segment_members WHERE segment_id = 'co' ORDER BY member_id")).map((r) => r.member_id)).toEqual(['p1', 'p3', 'p5']);
      // Sequences come along: the next run gets a new id.
      const next = await rebuildSegment(restored, await getSegment(restored, 'co'), 'cli', { asOf: '2025-06-30' });
      expect(next.runId).toBeGreaterThan(run.runId);
    } finally {
      await restored.close();
    }
    await expect(restoreDatabase(files[1]!, target)).rejects.toMatchObject({ code: 'RESTORE_TARGET_NOT_EMPTY' });
    const forced = await restoreDatabase(files[1]!, target, { force: true });
    expect(forced.replacedMovedTo && existsSync(forced.replacedMovedTo)).toBe(true);
    await expect(restoreDatabase(join(dir, 'nothing.duckdb'), target)).rejects.toMatchObject({ code: 'BACKUP_INVALID' });
  });

  it('says in plain words that a damaged file does not open, names the newest backup, and restores it over the damaged file with --force', async () => {
    const path = join(dir, 'damaged.duckdb');
    const folder = join(dir, 'damaged-backups');
    const db = await openDatabase({ path, url: '' });
    await loadSmallCompany(db);
    const { file: backup } = await backupDatabase(db, `${folder}/`);
    await db.close();
    // Bytes of the first block flipped: its checksum no longer matches (as a write torn by a crash leaves it).
    const bytes = readFileSync(path);
    for (let k = 0; k < 16; k++) bytes[12288 + 2000 + k]! ^= 0xff;
    writeFileSync(path, bytes);

    const previous = process.env.SEGMENTA_BACKUP_DIR;
    process.env.SEGMENTA_BACKUP_DIR = join(dir, 'no-backups-here');
    try {
      await expect(openDatabase({ path, url: '' })).rejects.toMatchObject({
        code: 'DATABASE_DAMAGED',
        message: expect.stringMatching(/^The database file .*damaged\.duckdb is damaged and cannot be opened \(Corrupt database file: .*\); it was left as it is\. No backup was found/),
      });
      process.env.SEGMENTA_BACKUP_DIR = folder;
      await expect(openDatabase({ path, url: '' })).rejects.toMatchObject({ code: 'DATABASE_DAMAGED', details: { backup } });
    } finally {
      if (previous === undefined) delete process.env.SEGMENTA_BACKUP_DIR;
      else process.env.SEGMENTA_BACKUP_DIR = previous;
    }
    await expect(restoreDatabase(backup, path)).rejects.toMatchObject({ code: 'RESTORE_TARGET_NOT_EMPTY', message: expect.stringContaining('it does not open: damaged') });
    const { replacedMovedTo } = await restoreDatabase(backup, path, { force: true });
    expect(readFileSync(replacedMovedTo!).equals(bytes)).toBe(true);
    const restored = await openDatabase({ path, url: '' });
    try {
      expect((await restored.query('SELECT count(*)::INTEGER AS n FROM partners'))[0]!.n).toBe(5);
    } finally {
      await restored.close();
    }
  });

  it('says to use pg_dump on PostgreSQL', async () => {
    const db = await PGLITE.create();
    try {
      await expect(backupDatabase(db, join(dir, 'pg/'))).rejects.toMatchObject({ code: 'BACKUP_NOT_SUPPORTED' });
    } finally {
      await db.close();
    }
  });
});

describe('a database invalidated at run time', () => {
  it('is answered 503 with a plain message, and the server is told to exit', async () => {
    const app = Fastify();
    app.setErrorHandler(errorHandler);
    app.get('/boom', async () => {
      throw new Error('FATAL Error: Failed to delete all rows from index. Only deleted 0 out of 1 rows');
    });
    const heard: string[] = [];
    const stop = whenDatabaseInvalidated((e) => heard.push(e.message));
    try {
      const response = await app.inject({ method: 'GET', url: '/boom' });
      expect(response.statusCode).toBe(503);
      expect(response.json().error.code).toBe('DATABASE_UNAVAILABLE');
      expect(response.body).not.toMatch(/index|rows/);
      expect(heard).toHaveLength(1);
    } finally {
      stop();
      await app.close();
    }
  });
});
