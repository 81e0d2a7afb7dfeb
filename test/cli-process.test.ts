/**
 * The `segmenta` executable in processes of its own (the other CLI tests run the same program in
 * the test's process): its help, its exit codes, and --db winning over DATABASE_URL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSegmenta } from './support/segmenta-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'segmenta-cli-process-'));
const dbPath = join(dir, 'cli.duckdb');

describe('segmenta in its own process', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its help with exit code 0', async () => {
    const help = await spawnSegmenta(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: segmenta \[options\] \[command\]/);
    expect(help.stdout).toMatch(/\n {2}import \[options\] <entity> <file>/);
  });

  it('imports into the --db file although DATABASE_URL names a server, and exits 1 when nothing was imported', async () => {
    // A server that does not exist: connecting to it would fail the command.
    const env = { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nowhere' };
    writeFileSync(join(dir, 'partners.csv'), 'id;name\np1;Ромашка\np2;Лютик\n');
    const ok = await spawnSegmenta(['--db', dbPath, 'import', 'partners', join(dir, 'partners.csv')], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^Imported partners from .*partners\.csv: 2 rows, 2 inserted/);

    writeFileSync(join(dir, 'bad.csv'), 'id;name;legalForm\np3;Бета;nonsense\n');
    const bad = await spawnSegmenta(['--db', dbPath, 'import', 'partners', join(dir, 'bad.csv')], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Nothing was imported: 1 bad row(s)');
  });

  it("exits 1 on an unknown option, with commander's message and no stack", async () => {
    const wrong = await spawnSegmenta(['import', '--no-such-option']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("error: unknown option '--no-such-option'");
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 when it cannot start (its port is taken), instead of hanging on its schedules without listening', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const env = { ...process.env, SEGMENTA_NO_DEMO: '1', SEGMENTA_SECRET_KEY: '' };
      // A process that kept running would be killed at 50 s and fail here with a null code.
      const serve = await spawnSegmenta(['--db', join(dir, 'serve.duckdb'), 'serve', '--port', String(port)], env, 50_000);
      expect(serve.code, serve.stderr).toBe(1);
      expect(serve.stderr).toContain('EADDRINUSE');
      expect(serve.stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });
});
