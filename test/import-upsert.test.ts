import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ImportListener } from '../src/import/import-listeners.js';
import { changedIds } from '../src/import/upsert.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { clearData, importFailure, importText, PARTNERS_CSV, PRODUCTS_CSV, rowsOf } from './import-helpers.js';

/** Every chunk changedIds yields for the ids given, with the chunk size given. */
async function chunksOf(db: Database, ids: readonly string[], chunk: number): Promise<string[][]> {
  return db.transaction(async (tx) => {
    const table = `changed_ids_test_${Math.random().toString(16).slice(2, 10)}`;
    await tx.run(`CREATE ${tx.dialect.stagingTable} ${table} (id ${tx.dialect.columnType('text')})`);
    if (ids.length)
      await tx.appendRows(
        table,
        ['id'],
        ids.map((id) => [id]),
      );
    const chunks: string[][] = [];
    for await (const ids of changedIds(tx, table, chunk)) chunks.push(ids);
    // The numbered copy is dropped with the pages read.
    const left = await tx.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
    await tx.run(`DROP TABLE ${table}`);
    expect(left[0]!.n).toBe(ids.length);
    const numbered = await tx.query<{ n: number }>('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = $1', [`${table}_numbered`]);
    expect(Number(numbered[0]!.n)).toBe(0);
    return chunks;
  });
}

describe.each(ENGINES)('import writes and reports changes on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await clearData(db);
    await db.run('DELETE FROM partner_changes');
  });

  it('pages changed ids in id order, in chunks, whatever their order in the table', async () => {
    const ids = ['s07', 's03', 's10', 's01', 's05', 's09', 's02', 's08', 's04', 's06'];
    expect(await chunksOf(db, ids, 3)).toEqual([['s01', 's02', 's03'], ['s04', 's05', 's06'], ['s07', 's08', 's09'], ['s10']]);
    // A last page exactly full ends the paging too, and one chunk holds a small import whole.
    expect(await chunksOf(db, ids, 5)).toEqual([
      ['s01', 's02', 's03', 's04', 's05'],
      ['s06', 's07', 's08', 's09', 's10'],
    ]);
    expect(await chunksOf(db, ids, 10_000)).toEqual([[...ids].sort()]);
    expect(await chunksOf(db, [], 3)).toEqual([]);
  });

  it('a first load into an empty table inserts every row, marks their partners and tells listeners every id', async () => {
    const seen: string[][] = [];
    const onImported: ImportListener = (_tx, event) => {
      seen.push([...event.changedIds]);
    };
    await importText(db, PARTNERS_CSV, { entity: 'partners' });
    await importText(db, PRODUCTS_CSV, { entity: 'products' });
    await db.run('DELETE FROM partner_changes');
    const csv = 'id,document,date,partner,product,quantity,revenue\ns2,D1,2024-02-01,p2,g1,1,10\ns1,D1,2024-02-01,p1,g2,2,20\ns2,D2,2024-02-02,p1,g1,3,30\n';
    const report = await importText(db, csv, { entity: 'sales', onImported });
    expect(report).toMatchObject({ rows: 3, inserted: 2, updated: 0, unchanged: 0, duplicates: 1 });
    expect(seen).toEqual([['s1', 's2']]);
    // The last row of an id wins on a first load as on any other.
    expect(await rowsOf(db, 'sales', 'id, document, partner_id, quantity')).toEqual([
      { id: 's1', document: 'D1', partner_id: 'p1', quantity: 2 },
      { id: 's2', document: 'D2', partner_id: 'p1', quantity: 3 },
    ]);
    expect((await rowsOf(db, 'partner_changes', 'DISTINCT partner_id')).map((r) => r.partner_id)).toEqual(['p1']);

    // The next import into the now filled table writes only what changed.
    seen.length = 0;
    await db.run('DELETE FROM partner_changes');
    const next = 'id,document,date,partner,product,quantity,revenue\ns1,D1,2024-02-01,p1,g2,2,20\ns2,D2,2024-02-02,p2,g1,3,30\ns3,D3,2024-02-03,p2,g2,1,5\n';
    expect(await importText(db, next, { entity: 'sales', onImported })).toMatchObject({ inserted: 1, updated: 1, unchanged: 1 });
    expect(seen).toEqual([['s2', 's3']]);
    // s2 moved from p1 to p2: both partners are marked, as the row was and as it is.
    expect((await rowsOf(db, 'partner_changes', 'DISTINCT partner_id')).map((r) => r.partner_id)).toEqual(['p1', 'p2']);
  });

  it('counts duplicate ids exactly and keeps the last row of each', async () => {
    await importText(db, PARTNERS_CSV, { entity: 'partners' });
    await importText(db, PRODUCTS_CSV, { entity: 'products' });
    const line = (id: string, quantity: number) => `${id},D,2024-02-01,p1,g1,${quantity},1\n`;
    const csv = `id,document,date,partner,product,quantity,revenue\n${line('a', 1)}${line('b', 2)}${line('a', 3)}${line('c', 4)}${line('a', 5)}${line('b', 6)}${line('d', 7)}`;
    expect(await importText(db, csv, { entity: 'sales' })).toMatchObject({ rows: 7, inserted: 4, duplicates: 3 });
    expect(await rowsOf(db, 'sales', 'id, quantity')).toEqual([
      { id: 'a', quantity: 5 },
      { id: 'b', quantity: 6 },
      { id: 'c', quantity: 4 },
      { id: 'd', quantity: 7 },
    ]);
    const many = Array.from({ length: 3000 }, (_, i) => line(`x${i}`, i)).join('');
    expect(await importText(db, `id,document,date,partner,product,quantity,revenue\n${many}`, { entity: 'sales' })).toMatchObject({ rows: 3000, inserted: 3000, duplicates: 0 });
  });

  it('a first load of partners stores their properties and hierarchy parents from the same file', async () => {
    await importText(db, 'id;name;parent\nr1;Север;\nr2;Мурманск;r1\n', { entity: 'regions' });
    const report = await importText(db, 'id;name;region;properties.inn\np1;Ромашка;r2;7701\np2;Лютик;r1;\n', { entity: 'partners' });
    expect(report).toMatchObject({ inserted: 2, updated: 0 });
    expect(await rowsOf(db, 'partners', 'id, region_id')).toEqual([
      { id: 'p1', region_id: 'r2' },
      { id: 'p2', region_id: 'r1' },
    ]);
    expect(await rowsOf(db, 'partner_properties', 'partner_id, name, value_number')).toEqual([{ partner_id: 'p1', name: 'inn', value_number: 7701 }]);
    expect(await rowsOf(db, 'regions_closure', 'ancestor_id, descendant_id', '1, 2')).toEqual(
      expect.arrayContaining([
        { ancestor_id: 'r1', descendant_id: 'r2' },
        { ancestor_id: 'r2', descendant_id: 'r2' },
      ]),
    );
  });

  it('references are checked the same on a first load: stored ids, ids of the same file, unknown ones', async () => {
    // A parent later in the file than its child is found; an unknown one is a bad row with its line.
    const failure = await importFailure(importText(db, 'id,name,parent\nr2,Мурманск,r1\nr1,Север,\nr3,Юг,r9\n', { entity: 'regions' }));
    expect(failure.details).toMatchObject({ errors: [{ line: 4, column: 'parent', value: 'r9', reason: 'unknown region "r9"', code: 'unknownReference' }] });
    expect(await importText(db, 'id,name,parent\nr2,Мурманск,r1\nr1,Север,\nr3,Юг,r9\n', { entity: 'regions', skipBad: true })).toMatchObject({ inserted: 2, skipped: 1 });
    expect((await rowsOf(db, 'regions', 'id')).map((r) => r.id)).toEqual(['r1', 'r2']);
  });
});
