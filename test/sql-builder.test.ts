import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckdbDialect } from '../src/sql/dialects/duckdb.js';
import { postgresDialect } from '../src/sql/dialects/postgres.js';
import { inChunks } from '../src/sql/in-chunks.js';
import { sql } from '../src/sql/sql.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

describe('the sql template', () => {
  it('numbers values as $1…$n in the order they appear', () => {
    const statement = sql`SELECT id FROM partners WHERE region_id = ${'r1'} AND deleted = ${false} LIMIT ${10}`;
    expect(statement.text).toBe('SELECT id FROM partners WHERE region_id = $1 AND deleted = $2 LIMIT $3');
    expect(statement.params).toEqual(['r1', false, 10]);
  });

  it('binds values, never splices them into the text', () => {
    const evil = "x'; DROP TABLE partners; --";
    const statement = sql`SELECT * FROM partners WHERE name = ${evil} OR id IN (${sql.list([evil, '$1'])})`;
    expect(statement.text).toBe('SELECT * FROM partners WHERE name = $1 OR id IN ($2, $3)');
    expect(statement.text).not.toContain('DROP');
    expect(statement.params).toEqual([evil, evil, '$1']);
  });

  it('renumbers nested fragments after the values before them', () => {
    const inner = sql`SELECT member_id FROM segment_members WHERE segment_id = ${'s1'} AND added_at > ${'2024-01-01'}`;
    const where = sql`WHERE p.deleted = ${false}`;
    const statement = sql`SELECT ${1} AS one, p.id FROM partners p ${where} AND p.id IN (${inner}) AND p.name <> ${'x'}`;
    expect(statement.text).toBe(
      'SELECT $1 AS one, p.id FROM partners p WHERE p.deleted = $2 AND p.id IN (SELECT member_id FROM segment_members WHERE segment_id = $3 AND added_at > $4) AND p.name <> $5',
    );
    expect(statement.params).toEqual([1, false, 's1', '2024-01-01', 'x']);
    // A fragment is numbered on its own too.
    expect(inner.text).toBe('SELECT member_id FROM segment_members WHERE segment_id = $1 AND added_at > $2');
  });

  it('joins fragments and values with a separator', () => {
    const rows = [
      ['a', 1],
      ['b', 2],
    ] as const;
    const values = sql.join(rows.map(([id, n]) => sql`(${id}, ${n}, CAST(${'2024-01-01'} AS DATE))`));
    expect(sql`INSERT INTO t VALUES ${values}`.text).toBe('INSERT INTO t VALUES ($1, $2, CAST($3 AS DATE)), ($4, $5, CAST($6 AS DATE))');
    expect(sql.join([sql`a = ${1}`, sql`b = ${2}`], sql` AND `).text).toBe('a = $1 AND b = $2');
    expect(sql.join([]).text).toBe('');
  });

  it('keeps one number for a value used several times with sql.param', () => {
    const at = sql.param('2024-05-01 10:00:00');
    const statement = sql`UPDATE t SET a = CAST(${at} AS TIMESTAMP), b = ${'x'}, c = CAST(${at} AS TIMESTAMP)`;
    expect(statement.text).toBe('UPDATE t SET a = CAST($1 AS TIMESTAMP), b = $2, c = CAST($1 AS TIMESTAMP)');
    expect(statement.params).toEqual(['2024-05-01 10:00:00', 'x']);
  });

  it('takes raw text only where asked, and refuses an empty list', () => {
    const column = sql.raw('revenue');
    expect(sql`SELECT SUM(${column}) FROM sales WHERE partner_id = ${'p1'}`.text).toBe('SELECT SUM(revenue) FROM sales WHERE partner_id = $1');
    expect(sql`SELECT 1 ${sql.empty}`.text).toBe('SELECT 1 ');
    expect(() => sql.list([])).toThrow(/empty list/);
  });

  it('embeds a query that numbers its own parameters, keeping a repeated $n one parameter', () => {
    const compiled = { sql: 'SELECT id FROM partners WHERE a = $1 OR b = $2 OR c = $1', params: ['x', 'y'] };
    const statement = sql`SELECT * FROM (${sql.embed(compiled)}) q WHERE q.id > ${'p0'}`;
    expect(statement.text).toBe('SELECT * FROM (SELECT id FROM partners WHERE a = $1 OR b = $2 OR c = $1) q WHERE q.id > $3');
    expect(sql`SELECT ${0}, (${sql.embed(compiled)})`.text).toBe('SELECT $1, (SELECT id FROM partners WHERE a = $2 OR b = $3 OR c = $2)');
    expect(sql`SELECT ${0}, (${sql.embed(compiled)})`.params).toEqual([0, 'x', 'y']);
    expect(() => sql.embed({ sql: 'SELECT $2', params: ['x'] })).toThrow(/\$2/);
  });
});

describe('sql.hook', () => {
  it('passes values and fragments through a dialect hook, bound where the hook puts them', () => {
    const duck = sql`SELECT ${sql.hook((d, n) => duckdbDialect.addDays(d, n), sql.raw('s.date'), 30)} WHERE id = ${'x'}`;
    expect(duck.text).toBe('SELECT CAST(s.date + CAST($1 AS INTEGER) AS DATE) WHERE id = $2');
    expect(duck.params).toEqual([30, 'x']);
    const pg = sql`SELECT ${'a'}, ${sql.hook((p) => postgresDialect.cast(p, 'date'), "2024-01-01'; --")}`;
    expect(pg.text).toBe('SELECT $1, CAST($2 AS DATE)');
    expect(pg.params).toEqual(['a', "2024-01-01'; --"]);
  });
});

describe('inChunks', () => {
  it('calls fn on consecutive slices in order and returns their results', async () => {
    const seen: [readonly number[], number][] = [];
    const results = await inChunks([1, 2, 3, 4, 5], 2, async (chunk, start) => {
      seen.push([chunk, start]);
      return chunk.length;
    });
    expect(seen).toEqual([
      [[1, 2], 0],
      [[3, 4], 2],
      [[5], 4],
    ]);
    expect(results).toEqual([2, 2, 1]);
    expect(await inChunks([], 10, async () => 1)).toEqual([]);
    await expect(inChunks([1], 0, async () => 1)).rejects.toThrow(/positive integer/);
  });
});

describe.each(ENGINES)('sql statements on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => {
    await db.close();
  });

  it('runs statements built with sql, values bound as they are', async () => {
    const evil = "O'Brien'); DELETE FROM partners; --";
    const ids = Array.from({ length: 5 }, (_, i) => `p${i}`);
    const rows = ids.map((id, i) => sql`(${id}, ${i === 2 ? evil : `Partner ${i}`}, TRUE, FALSE, FALSE, FALSE, FALSE)`);
    await db.run(sql`INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, deleted) VALUES ${sql.join(rows)}`);
    const found = await db.query<{ id: string; name: string }>(sql`SELECT id, name FROM partners WHERE id IN (${sql.list(['p1', 'p2', 'nobody'])}) ORDER BY id`);
    expect(found).toEqual([
      { id: 'p1', name: 'Partner 1' },
      { id: 'p2', name: evil },
    ]);
    const named = sql.param(evil);
    const [count] = await db.query(sql`SELECT COUNT(*) AS n FROM partners WHERE name = ${named} OR ${named} IS NULL`);
    expect(count).toEqual({ n: 1 });
    expect(await db.query(sql`SELECT COUNT(*) AS n FROM partners`)).toEqual([{ n: 5 }]);
  });

  it('runs transactions through the shared runner: committed whole or rolled back whole', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.run(sql`DELETE FROM partners WHERE id = ${'p0'}`);
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect(await db.query(sql`SELECT id FROM partners WHERE id = ${'p0'}`)).toEqual([{ id: 'p0' }]);
    await db.session((session) => session.transaction((tx) => tx.run(sql`DELETE FROM partners WHERE id = ${'p0'}`)));
    expect(await db.query(sql`SELECT id FROM partners WHERE id = ${'p0'}`)).toEqual([]);
  });
});
