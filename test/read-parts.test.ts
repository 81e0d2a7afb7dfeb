/**
 * Point reads of several tables in one statement (src/sql/read-parts.ts): each part's rows come
 * back under its own column names with the values a statement of its own gives — typed slots
 * shared by parts of different shapes, a part that finds nothing, a parameter used by every
 * part — on every engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partsStatement, readParts, type ReadPart } from '../src/sql/read-parts.js';
import { sql } from '../src/sql/sql.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

describe.each(ENGINES)('reads in one statement on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
    const t = (type: Parameters<Database['dialect']['columnType']>[0]) => db.dialect.columnType(type);
    await db.run(`CREATE TABLE rp_one (k ${t('text')}, a ${t('text')}, b ${t('text')}, d ${t('date')}, n ${t('decimal')}, f ${t('boolean')})`);
    await db.run(`CREATE TABLE rp_two (k ${t('text')}, x ${t('decimal')}, y ${t('decimal')}, i ${t('integer')}, s ${t('text')}, ts ${t('timestamp')})`);
    await db.run(`INSERT INTO rp_one VALUES ('p', 'a1', NULL, '2026-01-31', 12.5, TRUE), ('p', 'a2', 'b2', NULL, -0.0001, FALSE), ('q', 'a3', 'b3', '2025-02-01', 1, NULL)`);
    await db.run(`INSERT INTO rp_two VALUES ('p', 3.25, NULL, 7, 's1', '2026-03-04 05:06:07'), ('q', 1, 2, NULL, NULL, NULL)`);
    // Texts and numbers a row carried as JSON must come back as they are (DuckDB's rowAsJson).
    await db.run(`INSERT INTO rp_one VALUES ('r', 'say "hi" \\ ☃ {"x": 1}', '', '1999-12-31', 99999999999999.9999, TRUE), ('r', 'null', 'true', '2000-02-29', -12345678.0009, FALSE)`);
    await db.run(`INSERT INTO rp_two VALUES ('r', -0.0001, 0, -2147483647, '[1, 2]', '2026-03-04 05:06:07.123456')`);
  });
  afterAll(async () => db?.close());

  /** A column read as it is, of its type. */
  const col = (name: string, type: ReadPart['columns'][number]['type']) => ({ name, expression: name, type });
  const parts = (key: string): ReadPart[] => {
    const k = sql.param(key);
    return [
      { name: 'one', from: sql.raw('rp_one'), where: sql`k = ${k}`, columns: [col('a', 'text'), col('b', 'text'), col('d', 'date'), col('n', 'decimal'), col('f', 'boolean')] },
      { name: 'two', from: sql.raw('rp_two'), where: sql`k = ${k}`, columns: [col('y', 'decimal'), col('x', 'decimal'), col('i', 'integer'), col('s', 'text'), col('ts', 'timestamp')] },
      { name: 'none', from: sql.raw('rp_two'), where: sql`k = ${k} AND x > 1000`, columns: [col('x', 'decimal')] },
    ];
  };

  /** What each part's own statement gives. */
  const oneByOne = async (key: string) =>
    new Map(
      await Promise.all(
        parts(key).map(async (part) => [part.name, await db.query(sql`SELECT ${sql.raw(part.columns.map((c) => c.expression).join(', '))} FROM ${part.from} WHERE ${part.where}`)] as const),
      ),
    );
  const sorted = (rows: readonly Record<string, unknown>[] | undefined) => [...(rows ?? [])].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));

  it.each(['p', 'q', 'r', 'nobody'])('gives each part what its own statement gives (key %s)', async (key) => {
    const together = await readParts(db, parts(key));
    const alone = await oneByOne(key);
    expect([...together.keys()]).toEqual(['one', 'two', 'none']);
    for (const [name, rows] of alone) expect(sorted(together.get(name)), name).toEqual(sorted(rows));
  });

  it('reads the values with their types, in one statement with one parameter', async () => {
    const { statement } = partsStatement(db, parts('p'));
    expect(statement.params).toEqual(['p']);
    expect(statement.text.match(/UNION ALL/g)).toHaveLength(2);
    const together = await readParts(db, parts('p'));
    expect(sorted(together.get('one'))).toEqual(
      sorted([
        { a: 'a1', b: null, d: '2026-01-31', n: 12.5, f: true },
        { a: 'a2', b: 'b2', d: null, n: -0.0001, f: false },
      ]),
    );
    expect(together.get('two')).toEqual([{ y: null, x: 3.25, i: 7, s: 's1', ts: '2026-03-04T05:06:07.000Z' }]);
    expect(together.get('none')).toEqual([]);
  });

  it('reads nothing for no parts', async () => {
    expect(await readParts(db, [])).toEqual(new Map());
  });
});

// Only where a PostgreSQL server runs (CI, or DATABASE_URL): PGlite runs statements as they are.
describe.each(ENGINES.filter((e) => e.name === 'postgres'))('prepared statements on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
    await db.run('CREATE TABLE rp_one (k TEXT, a TEXT)');
    await db.run("INSERT INTO rp_one VALUES ('p', 'a1'), ('p', 'a2'), ('q', 'a3')");
  });
  afterAll(async () => db?.close());
  const col = (name: string, type: ReadPart['columns'][number]['type']) => ({ name, expression: name, type });

  it('prepares the statement by name on the connection, unless SEGMENTA_PG_PREPARED_STATEMENTS=off', async () => {
    await db.session(async (session) => {
      const prepared = async () => Number((await session.query<{ n: number }>("SELECT COUNT(*) AS n FROM pg_prepared_statements WHERE name LIKE 'segmenta\\_%'"))[0]!.n);
      // A text this connection has not seen (the tag is in the text, not a parameter).
      const fresh = (tag: string): ReadPart[] => [{ name: tag, from: sql.raw('rp_one'), where: sql`k = ${sql.param('p')} AND a <> ${sql.raw(`'${tag}'`)}`, columns: [col('a', 'text')] }];
      const read = async (tag: string) => ((await readParts(session, fresh(tag))).get(tag) ?? []).map((r) => r.a).sort();
      const before = await prepared();
      expect(await read(`on-${Date.now()}`)).toEqual(['a1', 'a2']);
      expect(await prepared()).toBe(before + 1);
      process.env.SEGMENTA_PG_PREPARED_STATEMENTS = 'off';
      try {
        expect(await read(`off-${Date.now()}`)).toEqual(['a1', 'a2']);
        expect(await prepared()).toBe(before + 1);
      } finally {
        delete process.env.SEGMENTA_PG_PREPARED_STATEMENTS;
      }
    });
  });
});
