/**
 * The writes an in-process copy counts (issue 20): a copy of some tables is checked again only
 * after a write that may have touched them. A partner inserted leaves the copy of the
 * compositions current; a write naming a composition table, a transaction's end, or a statement
 * whose shape does not say which table it writes advance it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/storage/database.js';
import { WriteCounter } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

describe('WriteCounter.of', () => {
  it('counts the writes of the tables, and every write whose table it cannot tell', async () => {
    const writes = new WriteCounter();
    const segments = writes.of(['segments', 'segment_members']);
    await writes.after(Promise.resolve(), "INSERT INTO partners (id) VALUES ('p')");
    await writes.after(Promise.resolve(), "UPDATE partners SET name = 'x' WHERE id = 'p'");
    expect(segments.value).toBe(0);
    expect(writes.value).toBe(2);
    await writes.after(Promise.resolve(), "DELETE FROM segment_members WHERE member_id = 'p'");
    expect(segments.value).toBe(1);
    // Reading a counted table to write another one is not a write of it.
    await writes.after(Promise.resolve(), 'INSERT INTO partner_changes SELECT member_id FROM segment_members');
    await writes.after(Promise.resolve(), 'CREATE TEMP TABLE refresh_hits AS SELECT * FROM segments');
    await writes.after(Promise.resolve(), 'DROP TABLE IF EXISTS refresh_hits');
    await writes.after(Promise.resolve(), 'SELECT pg_advisory_xact_lock(hashtext($1))');
    expect(segments.value).toBe(1);
    // The table written, however it is spelled.
    for (const text of ['insert into "Segments" VALUES (1)', 'UPDATE main.segment_members SET member_id = 1', 'DROP TABLE segments', 'CREATE TEMPORARY TABLE IF NOT EXISTS segment_members (x INT)']) {
      await writes.after(Promise.resolve(), text);
    }
    expect(segments.value).toBe(5);
    // Shapes that do not say which table they write, and unknown text: counted.
    for (const text of ['WITH d AS (DELETE FROM partners RETURNING id) SELECT 1', 'COMMIT', 'ALTER TABLE partners ADD COLUMN x INT', '-- x\nINSERT INTO partners VALUES (1)', undefined]) {
      await writes.after(Promise.resolve(), text);
    }
    expect(segments.value).toBe(10);
    // A failed write counts too.
    await writes.after(Promise.reject(new Error('no')), "INSERT INTO segments (id) VALUES ('s')").catch(() => undefined);
    expect(segments.value).toBe(11);
    // Asked again for the same tables: the same count. "segments" is not "segment_members".
    expect(writes.of(['segment_members', 'segments']).value).toBe(11);
    const onlySegments = writes.of(['segments']);
    await writes.after(Promise.resolve(), "INSERT INTO segment_members (segment_id) VALUES ('s')");
    expect(onlySegments.value).toBe(0);
  });

  it('counts the end of a transaction for the tables its statements wrote, or for every table after one it could not tell', async () => {
    const writes = new WriteCounter();
    const partners = writes.of(['partners']);
    const segments = writes.of(['segments']);
    const tx = writes.transaction();
    await tx.after(Promise.resolve(), "INSERT INTO segments (id) VALUES ('s')");
    await tx.afterQuery('SELECT * FROM partners', Promise.resolve());
    await tx.ended(Promise.resolve());
    expect([partners.value, segments.value, writes.value]).toEqual([0, 2, 2]);
    const unknown = writes.transaction();
    await unknown.after(Promise.resolve(), 'ALTER TABLE segments ADD COLUMN y INT');
    await unknown.ended(Promise.reject(new Error('rolled back'))).catch(() => undefined);
    expect([partners.value, segments.value]).toEqual([2, 4]);
  });
});

describe.each(ENGINES.filter((e) => e.name !== 'postgres'))('writes counted by table on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => {
    await db.close();
  });

  it('a partner inserted leaves the composition tables count alone; a membership written or a transaction ended does not', async () => {
    const compositions = db.localWrites!.of(['segments', 'segment_members', 'segment_changes']);
    const at = compositions.value;
    await db.run("INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, deleted) VALUES ('w1', 'w1', TRUE, FALSE, FALSE, FALSE, FALSE)");
    await db.appendRows('partner_properties', ['partner_id', 'name', 'value_text', 'value_number', 'value_date', 'value_boolean'], [['w1', 'p', 'x', null, null, null]]);
    await db.query("SELECT id FROM partners WHERE id = 'w1'");
    expect(compositions.value).toBe(at);
    await db.run("INSERT INTO segment_members (segment_id, member_id) VALUES ('s', 'w1')");
    expect(compositions.value).toBe(at + 1);
    // A transaction that wrote only partners leaves them alone; one that wrote a membership does not.
    await db.transaction(async (tx) => {
      await tx.run("UPDATE partners SET name = 'w' WHERE id = 'w1'");
    });
    expect(compositions.value).toBe(at + 1);
    await db.transaction(async (tx) => {
      await tx.run("DELETE FROM segment_members WHERE member_id = 'w1'");
    });
    expect(compositions.value).toBe(at + 3);
  });

  it('a session counts its transactions by what they wrote, through the session or the transaction', async () => {
    const partners = db.localWrites!.of(['partners']);
    const compositions = db.localWrites!.of(['segment_members']);
    const [p, c] = [partners.value, compositions.value];
    await db.session(async (session) => {
      await session.run('CREATE TEMP TABLE picked AS SELECT id FROM partners');
      await session.transaction(async (tx) => {
        // On DuckDB the session is the transaction's connection; PGlite's one connection takes only tx.
        await (engine.name === 'duckdb' ? session : tx).run("INSERT INTO segment_members (segment_id, member_id) SELECT 's2', id FROM picked");
        await tx.run('DROP TABLE picked');
      });
    });
    expect(partners.value).toBe(p);
    expect(compositions.value).toBe(c + 2);
    // The copy this serves sees the write right after: a membership read again.
    expect((await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM segment_members WHERE segment_id = 's2'"))[0]!.n).toBe(1);
  });
});
