import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import { DuckDBDatabase } from '../src/storage/duckdb-database.js';
import { migrate } from '../src/storage/migrate.js';
import type { Database } from '../src/storage/database.js';

const INDEX = '<!doctype html><title>Segmenta</title><div id="root"></div>';

describe('serving the web UI', () => {
  let db: Database;
  let dir: string;
  let app: FastifyInstance;
  let bare: FastifyInstance;

  beforeAll(async () => {
    db = await DuckDBDatabase.open(':memory:');
    await migrate(db);
    dir = mkdtempSync(join(tmpdir(), 'segmenta-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'app-1a2b3c.js'), 'console.log("app")');
    app = await buildTestApp({ db }, { webRoot: dir });
    bare = await buildTestApp({ db }, { webRoot: join(dir, 'not-built') });
  });
  afterAll(async () => {
    await app.close();
    await bare.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for the app paths the browser router knows', async () => {
    for (const url of ['/', '/partners', '/partners/p%201?q=x', '/segments/new']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toBe(INDEX);
    }
  });

  it('serves bundled files with a long cache, and a JSON 404 for a missing one', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/app-1a2b3c.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const missing = await app.inject({ method: 'GET', url: '/assets/gone-000.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
  });

  it('keeps the API and its JSON 404 apart from the app', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/health' })).json().status).toBe('ok');
    for (const url of ['/api/nothing-here', '/api']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    const post = await app.inject({ method: 'POST', url: '/partners' });
    expect(post.statusCode).toBe(404);
    expect(post.json().error.code).toBe('NOT_FOUND');
  });

  it('says plainly when the UI is not built, and the API still works', async () => {
    const res = await bare.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('The web interface is not built');
    expect(res.body).toContain('npm run build');
    expect((await bare.inject({ method: 'GET', url: '/partners' })).statusCode).toBe(503);
    expect((await bare.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    expect((await bare.inject({ method: 'GET', url: '/api/nothing-here' })).json().error.code).toBe('NOT_FOUND');
  });
});
