import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/storage/open-database.js';

describe('openDatabase', () => {
  const saved = process.env.DATABASE_URL;
  const dirs: string[] = [];
  afterEach(() => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('opens the DuckDB file given with --db even when DATABASE_URL names a server', async () => {
    // A server that does not exist: connecting to it would fail the test.
    process.env.DATABASE_URL = 'postgres://nobody@127.0.0.1:1/nowhere';
    const dir = mkdtempSync(join(tmpdir(), 'segmenta-open-'));
    dirs.push(dir);
    const db = await openDatabase({ path: join(dir, 'explicit.duckdb') });
    try {
      expect(db.description).toBe(`duckdb:${join(dir, 'explicit.duckdb')}`);
      expect(await db.query('SELECT COUNT(*) AS n FROM partners')).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });

  it('follows DATABASE_URL when no file is given', async () => {
    process.env.DATABASE_URL = 'postgres://nobody@127.0.0.1:1/nowhere';
    await expect(openDatabase()).rejects.toThrow();
  });
});
