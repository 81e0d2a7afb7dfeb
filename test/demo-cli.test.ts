import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { segmentaCli } from './support/segmenta-cli.js';
import { createServices } from '../src/app/services.js';
import { loadDemoOnFirstStart } from '../src/demo/first-start.js';
import { DuckDBDatabase } from '../src/storage/duckdb-database.js';
import { migrate } from '../src/storage/migrate.js';

const dir = mkdtempSync(join(tmpdir(), 'segmenta-demo-cli-'));
const dbPath = join(dir, 'demo.duckdb');

/** `segmenta --db <tmp> …` as a user runs it. */
const segmenta = segmentaCli(dbPath);

describe('segmenta demo', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the demo company and its segments, refuses a second load, and replaces it with --force', async () => {
    const first = await segmenta('demo', '--partners', '200', '--sales', '3000', '--seed', '4');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Loaded the demo company \(seed 4, history up to \d{4}-\d{2}-\d{2}\) into duckdb:.*demo\.duckdb in [\d.]+ s:\n {2}200 partners, \d+ products, 3,000 sale lines, /);
    expect(first.stdout).toMatch(/Created \d+ demo segments \(\d+ stored ones generated\)/);

    const again = await segmenta('demo', '--partners', '100');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Error DEMO_DATABASE_NOT_EMPTY');
    expect(again.stderr).toContain('--force');

    const members = await segmenta('segments', 'members', 'birthday-today');
    expect(members.code, members.stderr).toBe(0);

    const forced = await segmenta('demo', '--partners', '50', '--sales', '500', '--force', '--no-segments');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('50 partners');
    expect(forced.stdout).not.toContain('demo segments');
    // The file itself, whatever DATABASE_URL says.
    const db = await DuckDBDatabase.open(dbPath);
    try {
      expect(await db.query('SELECT COUNT(*) AS n FROM partners')).toEqual([{ n: 50 }]);
      expect(await db.query('SELECT COUNT(*) AS n FROM sales')).toEqual([{ n: 500 }]);
    } finally {
      await db.close();
    }
  });

  it('is listed in segmenta --help', async () => {
    const help = await segmenta('--help');
    expect(help.stdout).toMatch(/\n {2}demo \[options\] +Generate a realistic demo company/);
  });
});

describe('first start of the server', () => {
  it('loads the demo company into an empty database only, unless SEGMENTA_NO_DEMO=1', async () => {
    const db = await DuckDBDatabase.open(':memory:');
    try {
      await migrate(db);
      expect(await loadDemoOnFirstStart(createServices(db).segments, { SEGMENTA_NO_DEMO: '1' })).toBeUndefined();
      expect(await db.query('SELECT COUNT(*) AS n FROM partners')).toEqual([{ n: 0 }]);
      const line = await loadDemoOnFirstStart(createServices(db).segments, {});
      expect(line).toMatch(/^Loaded the demo company into the empty database \(5,000 partners, 100,000 sale lines, \d+ segments\) in [\d.]+ s; SEGMENTA_NO_DEMO=1 starts empty$/);
      expect(await db.query("SELECT COUNT(*) AS n FROM segments WHERE id = 'birthday-today'")).toEqual([{ n: 1 }]);
      expect(await loadDemoOnFirstStart(createServices(db).segments, {})).toBeUndefined();
    } finally {
      await db.close();
    }
  });
});
