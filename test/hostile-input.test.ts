/**
 * The hostile-input suite: every operation of the OpenAPI document is sent bad bodies, bad
 * encodings, deep nesting, huge values, bad path and query parameters and aborted uploads. No
 * answer may be a 5xx or carry a stack trace; every error has the shape {error: {code, message}};
 * the server still answers /api/health afterwards. DuckDB only: the walk is about the HTTP layer.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly bodyTypes: readonly string[];
  readonly queryNames: readonly string[];
}

const duckdb = ENGINES.find((e) => e.name === 'duckdb')!;

/** 10,000 arrays inside each other, as text (JSON.stringify would recurse as deep). */
const DEEP_ARRAYS = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const HUGE = 'x'.repeat(2_000_000);
/** Not UTF-8: cp1251 "ООО", a lone continuation byte, an overlong "/" and a lone surrogate. */
const NOT_UTF8 = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xce, 0xce, 0xce, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from('"}')]);

const BAD_PATH_VALUES = ['..%2F..%2F..%2Fetc%2Fpasswd', '..', '%2e%2e%2f%2e%2e', 'x'.repeat(100_000), 'a%00b', '%00', '%', '%E0%A4%A', "1'%20OR%20'1'%3D'1"];

const BAD_QUERY_VALUES = ['%', '%00', '-1', '1e308', 'NaN', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(100_000), '%FF%FE', '[]', '{"a":1}'];

/** Operations taking a raw file: they are streamed and hardened separately (import engineer). */
const isImport = (op: Operation) => op.path.startsWith('/api/import/');

function badBodies(op: Operation): { name: string; payload: string | Buffer; contentType?: string }[] {
  const json = (name: string, value: string) => ({ name, payload: value, contentType: 'application/json' });
  const bodies: { name: string; payload: string | Buffer; contentType?: string }[] = [
    json('an array', '[]'),
    json('a string', '"text"'),
    json('a number', '123'),
    json('null', 'null'),
    json('an empty object', '{}'),
    json('an unknown field', '{"hostileExtraField":1}'),
    json('wrong field types', '{"id":123,"name":true,"rule":"x","ids":"p1","lines":{},"schedule":5,"asOf":[]}'),
    json('huge strings', JSON.stringify({ id: HUGE, name: HUGE, q: HUGE })),
    json('deep nesting', `{"rule":${DEEP_ARRAYS},"segments":${DEEP_ARRAYS}}`),
    json('deep nesting at the top', DEEP_ARRAYS),
    json('broken JSON', '{"name": '),
    json('an empty body', ''),
    json('__proto__', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'),
    { name: 'a wrong content type', payload: '{"name":"x"}', contentType: 'application/x-www-form-urlencoded' },
    { name: 'text/plain', payload: 'hello', contentType: 'text/plain' },
    { name: 'no content type', payload: '{"name":"x"}' },
  ];
  // Import routes too: a body that is not UTF-8 once stopped the process (issue 14, defect 1).
  bodies.push({ name: 'invalid UTF-8 bytes', payload: NOT_UTF8, contentType: isImport(op) ? 'text/csv' : 'application/json' });
  return bodies;
}

/** An answer a hostile request may get: not a 5xx, no stack, our error shape. */
function expectSafe(res: LightMyRequestResponse, what: string): void {
  expect(res.statusCode, `${what}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  expect(res.body, what).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|RangeError|TypeError/);
  if (res.statusCode >= 400) {
    const body = res.json<{ error?: { code?: unknown; message?: unknown } }>();
    expect(typeof body.error?.code, `${what}: ${res.body.slice(0, 300)}`).toBe('string');
    expect(typeof body.error?.message, what).toBe('string');
  }
}

describe('hostile input on duckdb', () => {
  let db: Database;
  let app: FastifyInstance;
  let operations: Operation[];
  beforeAll(async () => {
    db = await duckdb.create();
    app = await buildTestApp({ db });
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> }; parameters?: { in: string; name: string }[] }>>;
    }>();
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        bodyTypes: Object.keys(op.requestBody?.content ?? {}),
        queryNames: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      })),
    );
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const health = async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
  };
  const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);

  it('walks over a hundred operations', () => {
    expect(operations.length).toBeGreaterThan(100);
  });

  it('answers bad path parameters without a 5xx or a stack', async () => {
    for (const op of operations.filter((o) => o.path.includes('{'))) {
      for (const value of BAD_PATH_VALUES) {
        const res = await app.inject({ method: op.method as 'GET', url: fill(op.path, value), ...(op.bodyTypes.includes('application/json') ? { payload: {} } : {}) });
        expectSafe(res, `${op.method} ${op.path} with ${value.slice(0, 40)}`);
      }
    }
    await health();
  });

  it('answers bad query parameters without a 5xx or a stack', async () => {
    for (const op of operations.filter((o) => o.queryNames.length && !isImport(o))) {
      for (const value of BAD_QUERY_VALUES) {
        const query = op.queryNames.map((name) => `${name}=${value}`).join('&');
        const res = await app.inject({ method: op.method as 'GET', url: `${fill(op.path, 'hostile')}?${query}` });
        expectSafe(res, `${op.method} ${op.path}?${query.slice(0, 60)}`);
      }
      // A parameter given twice becomes a list.
      const twice = op.queryNames.map((name) => `${name}=1&${name}=2`).join('&');
      expectSafe(await app.inject({ method: op.method as 'GET', url: `${fill(op.path, 'hostile')}?${twice}` }), `${op.method} ${op.path}?${twice}`);
    }
    await health();
  });

  it('answers bad bodies without a 5xx or a stack', async () => {
    for (const op of operations.filter((o) => o.method !== 'GET' && o.method !== 'DELETE')) {
      for (const body of badBodies(op)) {
        const res = await app.inject({
          method: op.method as 'POST',
          // An import names a real entity, so that the body itself is read.
          url: fill(op.path, isImport(op) ? 'partners' : 'hostile'),
          payload: body.payload,
          headers: body.contentType ? { 'content-type': body.contentType } : {},
        });
        expectSafe(res, `${op.method} ${op.path} with ${body.name}`);
      }
    }
    await health();
  }, 60_000);

  it('refuses a field a body does not name, on every JSON operation', async () => {
    const refusedWithoutNaming: string[] = [];
    for (const op of operations.filter((o) => o.bodyTypes.includes('application/json') && !isImport(o))) {
      const res = await app.inject({ method: op.method as 'POST', url: fill(op.path, 'hostile'), payload: { hostileExtraField: 1 } });
      expect(res.statusCode, `${op.method} ${op.path}: ${res.body.slice(0, 300)}`).toBe(400);
      const error = res.json<{ error: { code: string; message: string } }>().error;
      expect(error.code, `${op.method} ${op.path}`).toBe('VALIDATION_FAILED');
      if (!error.message.includes('hostileExtraField')) refusedWithoutNaming.push(`${op.method} ${op.path}: ${error.message}`);
    }
    expect(refusedWithoutNaming).toEqual([]);
  });

  it('answers deep nesting with BODY_TOO_DEEP, naming where', async () => {
    const rule = `{"kind":"partner","rule":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    for (const [method, url] of [
      ['POST', '/api/segments/preview'],
      ['POST', '/api/segments'],
      ['PATCH', '/api/segments/s1'],
      ['PUT', '/api/analytics/matrices/m1'],
      ['PUT', '/api/analytics/lifecycle/settings'],
    ] as const) {
      const res = await app.inject({ method, url, payload: rule, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode, `${method} ${url}: ${res.body.slice(0, 200)}`).toBe(400);
      const error = res.json().error;
      expect(error.code).toBe('BODY_TOO_DEEP');
      expect(error.details.path).toMatch(/^body\.rule\[0\]\[0\]/);
    }
    // 60 levels are fine for the parser: the rule's own validation answers.
    const shallow = `{"rule":${'['.repeat(60)}${']'.repeat(60)}}`;
    const res = await app.inject({ method: 'POST', url: '/api/segments/preview', payload: shallow, headers: { 'content-type': 'application/json' } });
    expect(res.json().error.code).not.toBe('BODY_TOO_DEEP');
  });

  it('refuses JSON bodies over 10 MB with PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ kind: 'partner', rule: { and: [] }, pad: 'x'.repeat(11 * 1024 * 1024) });
    const res = await app.inject({ method: 'POST', url: '/api/segments/preview', payload: big, headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than 10 MB' });
  });

  it('answers a bad URL and a 100,000-character id in the error shape with BAD_URL', async () => {
    for (const url of ['/api/segments/%', `/api/partners/${'x'.repeat(100_000)}`]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, `${url.slice(0, 40)}: ${res.body.slice(0, 200)}`).toBe(400);
      expect(res.json().error.code).toBe('BAD_URL');
      expect(res.body.length).toBeLessThan(1000);
    }
  });

  it('survives uploads aborted half way on every JSON operation', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    // Import uploads too: one aborted right away once stopped the process (issue 14, defect 2).
    for (const op of operations.filter((o) => o.bodyTypes.includes('application/json') || isImport(o))) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          const [url, type] = isImport(op) ? [fill(op.path, 'partners'), 'text/csv'] : [fill(op.path, 'hostile'), 'application/json'];
          socket.write(`${op.method} ${url} HTTP/1.1\r\nhost: x\r\ncontent-type: ${type}\r\ncontent-length: 10000000\r\n\r\n{"name":"`);
          setTimeout(() => socket.destroy(), 5);
        });
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
    }
    await health();
  });
});

describe('path traversal against the served web UI', () => {
  let db: Database;
  let app: FastifyInstance;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'segmenta-web-'));
    writeFileSync(join(root, 'index.html'), '<html>app</html>');
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'assets', 'app.js'), 'app()');
    db = await duckdb.create();
    app = await buildTestApp({ db }, { webRoot: root });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses with PATH_FORBIDDEN or BAD_URL, never VALIDATION_FAILED, and never serves a file outside', async () => {
    const cases = [
      ['/assets/..%5c..%5c..%5cetc%5cpasswd', 403, 'PATH_FORBIDDEN'],
      ['/assets/app.js%00.html', 400, 'BAD_URL'],
    ] as const;
    for (const [url, status, code] of cases) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(status);
      expect(res.json().error.code).toBe(code);
    }
    for (const url of ['/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd', '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeLessThan(500);
      expect(res.body, url).not.toContain('root:');
    }
  });
});
