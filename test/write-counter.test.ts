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
  it('counts the writes that name the tables, and every write whose table it cannot tell', async () => {
    const writes = new WriteCounter();
    const segments = writes.of(['segments', 'segment_members']);
    await writes.after(Promise.resolve(), "INSERT INTO partners (id) VALUES ('p')");
    await writes.after(Promise.resolve(), "UPDATE partners SET name = 'x' WHERE id = 'p'");
    expect(segments.value).toBe(0);
    expect(writes.value).toBe(2);
    await writes.after(Promise.resolve(), "DELETE FROM segment_members WHERE member_id = 'p'");
    expect(segments.value).toBe(1);
    // Names a counted table elsewhere in its text: counted.
    await writes.after(Promise.resolve(), 'INSERT INTO partner_changes SELECT member_id FROM segment_members');
    expect(segments.value).toBe(2);
    // Shapes that do not say which table they write, and unknown text: counted.
    for (const text of ['WITH d AS (DELETE FROM partners RETURNING id) SELECT 1', 'COMMIT', 'DROP TABLE partners', '-- x\nINSERT INTO partners VALUES (1)', undefined]) {
      await writes.after(Promise.resolve(), text);
    }
    expect(segments.value).toBe(7);
    // A failed write counts too.
    await writes.after(Promise.reject(new Error('no')), "INSERT INTO segments (id) VALUES ('s')").catch(() => undefined);
    expect(segments.value).toBe(8);
    // Asked again for the same tables: the same count. "segments" is not "segment_members".
    expect(writes.of(['segment_members', 'segments']).value).toBe(8);
    const onlySegments = writes.of(['segments']);
    await writes.after(Promise.resolve(), "INSERT INTO segment_members (segment_id) VALUES ('s')");
    expect(onlySegments.value).toBe(0);
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
    await db.transaction(async (tx) => {
      await tx.run("UPDATE partners SET name = 'w' WHERE id = 'w1'");
    });
    expect(compositions.value).toBeGreaterThan(at + 1);
  });
});
