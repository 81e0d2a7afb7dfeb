import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ImportListener } from '../src/import/import-listeners.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { clearData, importFailure, importText, PARTNERS_CSV, PRODUCTS_CSV, rowsOf } from './import-helpers.js';

const SALES_COLUMNS = 'id, document, date, partner_id, product_id, quantity, revenue, cost, manager_id';

describe.each(ENGINES)('import on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await clearData(db);
    await importText(db, PARTNERS_CSV, { entity: 'partners' });
    await importText(db, PRODUCTS_CSV, { entity: 'products' });
  });

  it('imports a CSV with ; delimiter, decimal comma, BOM and 1C dates', async () => {
    const csv = '\ufeffid;document;date;partner;product;quantity;revenue;cost\ns1;РН-1;01.02.2024;p1;g1;2;1 234,50;1000\ns2;РН-1;2024-02-01;p2;g2;-1;-99,9;\n';
    const report = await importText(db, csv, { entity: 'sales' });
    expect(report).toMatchObject({ entity: 'sales', format: 'csv', rows: 2, inserted: 2, updated: 0, unchanged: 0, skipped: 0, errorCount: 0, errors: [] });
    expect(await rowsOf(db, 'sales', SALES_COLUMNS)).toEqual([
      { id: 's1', document: 'РН-1', date: '2024-02-01', partner_id: 'p1', product_id: 'g1', quantity: 2, revenue: 1234.5, cost: 1000, manager_id: null },
      { id: 's2', document: 'РН-1', date: '2024-02-01', partner_id: 'p2', product_id: 'g2', quantity: -1, revenue: -99.9, cost: null, manager_id: null },
    ]);
  });

  it('imports a JSON array, accepting SQL column names too', async () => {
    const json = JSON.stringify([
      { id: 'i1', partner_id: 'p1', date: '2024-03-01', type: 'survey', direction: 'in', score: 9 },
      { id: 'i2', partner: 'p2', date: '05.03.2024', type: 'call', direction: 'OUT', subject: 'Скидка', score: null },
    ]);
    const report = await importText(db, json, { entity: 'interactions', format: 'json' });
    expect(report).toMatchObject({ format: 'json', rows: 2, inserted: 2 });
    expect(await rowsOf(db, 'interactions', 'id, partner_id, date, type, direction, subject, score')).toEqual([
      { id: 'i1', partner_id: 'p1', date: '2024-03-01', type: 'survey', direction: 'in', subject: null, score: 9 },
      { id: 'i2', partner_id: 'p2', date: '2024-03-05', type: 'call', direction: 'out', subject: 'Скидка', score: null },
    ]);
  });

  it('imports JSON Lines', async () => {
    const jsonl = '{"id":"d1","partner":"p1","amount":1500.5,"outcome":"won","createdAt":"2024-01-10"}\n\n{"id":"d2","partner":"p2","amount":"200,00","outcome":"lost","lostReason":"дорого"}\n';
    const report = await importText(db, jsonl, { entity: 'deals', format: 'jsonl' });
    expect(report).toMatchObject({ format: 'jsonl', rows: 2, inserted: 2 });
    expect(await rowsOf(db, 'deals', 'id, amount, outcome, created_at, lost_reason')).toEqual([
      { id: 'd1', amount: 1500.5, outcome: 'won', created_at: '2024-01-10', lost_reason: null },
      { id: 'd2', amount: 200, outcome: 'lost', created_at: null, lost_reason: 'дорого' },
    ]);
  });

  const withBadRow = 'id;document;date;partner;product;quantity;revenue\ns1;D1;2024-01-01;p1;g1;1;100\ns2;D1;2024-01-01;p1;g1;1;abc\ns3;D2;2024-01-02;p2;g2;2;200\n';

  it('imports nothing from a file with a bad row, naming its line, column, value and reason', async () => {
    const failure = await importFailure(importText(db, withBadRow, { entity: 'sales' }));
    expect(failure.code).toBe('IMPORT_BAD_ROWS');
    expect(failure.details).toMatchObject({ badRows: 1, errors: [{ line: 3, column: 'revenue', value: 'abc', reason: '"abc" is not a number' }] });
    expect(await rowsOf(db, 'sales')).toEqual([]);
  });

  it('with skipBad imports the good rows and lists the bad one', async () => {
    const report = await importText(db, withBadRow, { entity: 'sales', skipBad: true });
    expect(report).toMatchObject({ rows: 3, inserted: 2, skipped: 1, errorCount: 1, errors: [{ line: 3, column: 'revenue' }] });
    expect((await rowsOf(db, 'sales', 'id')).map((r) => r.id)).toEqual(['s1', 's3']);
  });

  it('changes nothing when the same file is imported again', async () => {
    const csv = 'id;document;date;partner;product;quantity;revenue;cost;manager\ns1;D1;2024-01-01;p1;g1;1,5;100,25;80;m1\ns2;D1;2024-01-01;p2;g2;3;300;;\n';
    await importText(db, 'id,name\nm1,Иванова\n', { entity: 'managers' });
    await importText(db, csv, { entity: 'sales' });
    const before = await rowsOf(db, 'sales');
    const again = await importText(db, csv, { entity: 'sales' });
    expect(again).toMatchObject({ rows: 2, inserted: 0, updated: 0, unchanged: 2 });
    expect(await rowsOf(db, 'sales')).toEqual(before);
    expect(await importText(db, PARTNERS_CSV, { entity: 'partners' })).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
  });

  it('updates a changed row by id and leaves the others', async () => {
    await importText(db, 'id;document;date;partner;product;quantity;revenue\ns1;D1;2024-01-01;p1;g1;1;100\ns2;D1;2024-01-01;p1;g1;2;200\n', { entity: 'sales' });
    const report = await importText(db, 'id;document;date;partner;product;quantity;revenue\ns1;D1;2024-01-01;p1;g1;1;100\ns2;D1;2024-01-01;p2;g1;2;250\n', { entity: 'sales' });
    expect(report).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });
    expect(await rowsOf(db, 'sales', 'id, partner_id, revenue')).toEqual([
      { id: 's1', partner_id: 'p1', revenue: 100 },
      { id: 's2', partner_id: 'p2', revenue: 250 },
    ]);
  });

  it('keeps the columns a file does not give, and takes the last of rows with the same id', async () => {
    await importText(db, 'id;name;email;phone\np1;Ромашка;a@x.ru;+7 1\n', { entity: 'partners' });
    const report = await importText(db, 'id;name;email\np1;Ромашка;old@x.ru\np1;Ромашка;b@x.ru\n', { entity: 'partners' });
    expect(report).toMatchObject({ rows: 2, duplicates: 1, updated: 1 });
    expect(await db.query("SELECT email, phone, role_customer FROM partners WHERE id = 'p1'")).toEqual([{ email: 'b@x.ru', phone: '+7 1', role_customer: true }]);
  });

  it('refuses a reference to nothing, unless skipping bad rows', async () => {
    const csv = 'id;document;date;partner;product;quantity;revenue\ns1;D1;2024-01-01;p1;g1;1;100\ns2;D1;2024-01-01;p9;g1;1;100\n';
    const failure = await importFailure(importText(db, csv, { entity: 'sales' }));
    expect(failure.details).toMatchObject({ badRows: 1, errors: [{ line: 3, column: 'partner', value: 'p9', reason: 'unknown partner "p9"' }] });
    expect(await rowsOf(db, 'sales')).toEqual([]);
    expect(await importText(db, csv, { entity: 'sales', skipBad: true })).toMatchObject({ inserted: 1, skipped: 1 });
  });

  it('refuses unknown columns for the whole file, listing the known ones', async () => {
    const failure = await importFailure(importText(db, 'id;name;colour\np3;X;red\n', { entity: 'partners' }));
    expect(failure.code).toBe('IMPORT_UNKNOWN_COLUMN');
    expect(failure.message).toContain('"colour"');
    expect(failure.message).toContain('legalForm');
    expect(await rowsOf(db, 'partners', 'id')).toEqual([{ id: 'p1' }, { id: 'p2' }]);
    const missing = await importFailure(importText(db, 'id;document;date\ns1;D1;2024-01-01\n', { entity: 'sales' }));
    expect(missing).toMatchObject({ code: 'IMPORT_MISSING_COLUMNS', details: { columns: ['partner', 'product', 'quantity', 'revenue'] } });
  });

  it('reports every problem of a row: required fields, allowed values, bounds', async () => {
    const json = '[{"id": "i1", "partner": "p1", "date": "2024-01-01", "type": "survey", "score": 11, "direction": "sideways"}, {"id": "i2", "type": "call", "date": "вчера"}]';
    const failure = await importFailure(importText(db, json, { entity: 'interactions', format: 'json' }));
    expect(failure.details).toMatchObject({
      badRows: 2,
      errors: [
        { line: 1, element: 0, column: 'score', value: '11', reason: '11 is above the maximum 10' },
        { line: 1, element: 0, column: 'direction', value: 'sideways', reason: '"sideways" is not one of: in, out' },
        { line: 1, element: 1, column: 'date', value: 'вчера', reason: '"вчера" is not a date (write YYYY-MM-DD or DD.MM.YYYY)' },
        { line: 1, element: 1, column: 'partner', value: null, reason: 'partner is missing; every interaction needs one' },
      ],
    });
  });

  it('builds the hierarchy closure, with parents later in the file', async () => {
    const report = await importText(db, 'id;name;parent\nperm;Пермь;pfo\npfo;ПФО;ru\nru;Россия;\n', { entity: 'regions' });
    expect(report).toMatchObject({ inserted: 3 });
    expect(await db.query("SELECT descendant_id, depth FROM regions_closure WHERE ancestor_id = 'ru' ORDER BY depth")).toEqual([
      { descendant_id: 'ru', depth: 0 },
      { descendant_id: 'pfo', depth: 1 },
      { descendant_id: 'perm', depth: 2 },
    ]);
  });

  it('refuses parent cycles, in the file or through stored rows, naming the rows', async () => {
    await importText(db, 'id;name;parent\na;A;\nb;B;a\n', { entity: 'productGroups' });
    const failure = await importFailure(importText(db, 'id;name;parent\nc;C;\na;A;b\n', { entity: 'productGroups' }));
    expect(failure.details).toMatchObject({ badRows: 1, errors: [{ line: 3, column: 'parent', value: 'b', reason: '"a" would be its own ancestor: a → b → a' }] });
    const inFile = await importFailure(importText(db, 'id;name;parent_id\nx;X;y\ny;Y;x\nz;Z;z\n', { entity: 'productGroups' }));
    expect((inFile.details.errors as { line: number; column: string }[]).map((e) => [e.line, e.column])).toEqual([
      [2, 'parent_id'],
      [3, 'parent_id'],
      [4, 'parent_id'],
    ]);
    expect(await rowsOf(db, 'product_groups', 'id, parent_id')).toEqual([
      { id: 'a', parent_id: null },
      { id: 'b', parent_id: 'a' },
    ]);
    // Skipping the cycle strands its child w, which goes too.
    const skipped = await importText(db, 'id;name;parent\nx;X;y\ny;Y;x\nw;W;x\nv;V;a\n', { entity: 'productGroups', skipBad: true });
    expect(skipped).toMatchObject({ inserted: 1, skipped: 3 });
    expect(await db.query("SELECT ancestor_id FROM product_groups_closure WHERE descendant_id = 'v' ORDER BY depth")).toEqual([{ ancestor_id: 'v' }, { ancestor_id: 'a' }]);
  });

  it('stores roles and typed properties, inferring new property types', async () => {
    const csv =
      'id;name;roles;legalForm;birthDate;deleted;properties.employees;properties.vip;properties.inn\np3;Лютик;customer,competitor;company;;нет;12;да;0590\np4;Петров;;person;15.05.1980;1;;;\n';
    const report = await importText(db, csv, { entity: 'partners' });
    expect(report.newProperties).toEqual([
      { name: 'employees', type: 'number' },
      { name: 'vip', type: 'boolean' },
      { name: 'inn', type: 'string' },
    ]);
    expect(await rowsOf(db, 'partner_properties', '*', 'partner_id, name')).toEqual([
      { partner_id: 'p3', name: 'employees', value_text: null, value_number: 12, value_date: null, value_boolean: null },
      { partner_id: 'p3', name: 'inn', value_text: '0590', value_number: null, value_date: null, value_boolean: null },
      { partner_id: 'p3', name: 'vip', value_text: null, value_number: null, value_date: null, value_boolean: true },
    ]);
    expect(await db.query("SELECT role_customer, role_supplier, role_competitor, role_other, birth_date, deleted FROM partners WHERE id IN ('p3', 'p4') ORDER BY id")).toEqual([
      { role_customer: true, role_supplier: false, role_competitor: true, role_other: false, birth_date: null, deleted: false },
      { role_customer: false, role_supplier: false, role_competitor: false, role_other: false, birth_date: '1980-05-15', deleted: true },
    ]);
    // A value that does not fit the stored type is a bad row; an empty one removes the property.
    const bad = await importFailure(importText(db, 'id;name;properties.employees\np3;Лютик;много\n', { entity: 'partners' }));
    expect(bad.details).toMatchObject({ errors: [{ line: 2, column: 'properties.employees', reason: 'property "employees" holds numbers; "много" is not a number' }] });
    expect(await importText(db, 'id;name;properties.employees\np3;Лютик;\n', { entity: 'partners' })).toMatchObject({ updated: 1 });
    expect((await rowsOf(db, 'partner_properties', 'name')).map((r) => r.name)).toEqual(['inn', 'vip']);
  });

  it('tells import listeners the new and changed ids, not the unchanged ones', async () => {
    const seen: { entity: string; ids: readonly string[]; names: number }[] = [];
    const onImported: ImportListener = async (tx, event) => {
      // Runs inside the import's transaction: the written rows are visible.
      const [row] = await tx.query<{ n: number }>('SELECT COUNT(*) AS n FROM partners');
      seen.push({ entity: event.entity, ids: event.changedIds, names: row!.n });
    };
    await importText(db, 'id;name\np1;ООО "Ромашка"\np2;ИП Иванов (new name)\np5;Новый\n', { entity: 'partners', onImported });
    await importText(db, 'id;name\np1;ООО "Ромашка"\n', { entity: 'partners', onImported });
    expect(seen).toEqual([{ entity: 'partners', ids: ['p2', 'p5'], names: 3 }]);
  });
});
