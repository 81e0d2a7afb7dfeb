import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { segmentaCli } from './support/segmenta-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'segmenta-import-cli-'));
const dbPath = join(dir, 'cli.duckdb');

/** `segmenta --db <tmp> …` as a user runs it. */
const segmenta = segmentaCli(dbPath);

describe('segmenta import', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a one-line summary, and lists bad rows with exit code 1 when nothing was imported', async () => {
    writeFileSync(join(dir, 'partners.csv'), 'id;name\np1;Ромашка\np2;Лютик\n');
    const ok = await segmenta('import', 'partners', join(dir, 'partners.csv'));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Imported partners from .*partners\.csv: 2 rows, 2 inserted, 0 updated, 0 unchanged, 0 skipped in [\d.]+ s \([\d,]+ rows\/s\)\n$/);

    writeFileSync(join(dir, 'sales.jsonl'), '{"id":"s1","document":"D1","date":"2024-01-01","partner":"p1","product":"g1","quantity":1,"revenue":"abc"}\n');
    writeFileSync(join(dir, 'products.csv'), 'id,name\ng1,Гвозди\n');
    await segmenta('import', 'products', join(dir, 'products.csv'));
    const bad = await segmenta('import', 'sales', join(dir, 'sales.jsonl'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('line 1, column revenue: "abc" is not a number');
    expect(bad.stderr).toContain('--skip-bad');
    const skipped = await segmenta('import', 'sales', join(dir, 'sales.jsonl'), '--skip-bad');
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain('1 rows, 0 inserted, 0 updated, 0 unchanged, 1 skipped');
  });
});
