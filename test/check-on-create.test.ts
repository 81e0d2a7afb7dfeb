/**
 * Check on create against all segments at once (issue 7): one partner is checked against every
 * periodic check-on-create segment reading only its own facts, with the same answer as the full
 * evaluation; a segment reading another sees a partner that was just found to match it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshSegments } from '../src/domain/segments/batch-refresh.js';
import { checkPartnerAgainstSegments, checkPartnersOnCreate, preparePartnerChecks } from '../src/domain/segments/check-on-create.js';
import { keepMembershipsInMemory } from '../src/domain/segments/membership-copy.js';
import { createServices } from '../src/app/services.js';
import type { SegmentInput } from '../src/domain/segments/segment.schema.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';

const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, competitors: [], archived: false, method: 'periodic' as const };

const SEGMENTS: SegmentInput[] = [
  {
    ...base,
    id: 'perm-co',
    name: 'Компании Перми',
    checkOnCreate: true,
    rule: {
      all: [
        { attr: 'region', op: 'inHierarchy', value: 'perm' },
        { attr: 'legalForm', op: 'eq', value: 'company' },
      ],
    },
  },
  { ...base, id: 'buyers', name: 'Купили больше чем на 5000', checkOnCreate: true, rule: { measure: 'sales.revenue', op: 'gt', value: 5000 } },
  { ...base, id: 'perm-buyers', name: 'Пермские покупатели', checkOnCreate: true, rule: { all: [{ inSegment: 'buyers' }, { attr: 'region', op: 'inHierarchy', value: 'perm' }] } },
  { ...base, id: 'unchecked', name: 'Без проверки', checkOnCreate: false, rule: { attr: 'region', op: 'inHierarchy', value: 'perm' } },
];
const CHECKED = ['buyers', 'perm-buyers', 'perm-co'];

describe.each(ENGINES)('check on create on $name', (engine) => {
  let db: Database;
  const members = async (id: string) => (await db.query<{ id: string }>('SELECT member_id AS id FROM segment_members WHERE segment_id = $1 ORDER BY member_id', [id])).map((r) => r.id);

  beforeAll(async () => {
    db = await engine.create();
    await loadSmallCompany(db);
    for (const segment of SEGMENTS) await createServices(db).segments.create(segment);
  });
  afterAll(async () => db.close());

  it('finds for each partner, from its own facts, the segments the full evaluation puts it in', async () => {
    await refreshSegments(db, 'all-periodic', { trigger: 'cli' });
    const full = new Map<string, string[]>();
    for (const id of CHECKED) full.set(id, await members(id));
    // By hand: p1 (Perm company, 18 000 bought), p3 (Moscow, 27 000 net of a return).
    expect(Object.fromEntries(full)).toEqual({ buyers: ['p1', 'p3'], 'perm-buyers': ['p1'], 'perm-co': ['p1'] });
    for (const partner of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      const expected = CHECKED.filter((id) => full.get(id)!.includes(partner));
      expect(await checkPartnerAgainstSegments(db, partner), partner).toEqual(expected);
    }
    expect(await checkPartnerAgainstSegments(db, 'nobody')).toEqual([]);
  });

  it('sees segments created, changed and deleted since the last check (PostgreSQL: the version read with the rows)', async () => {
    const segments = createServices(db).segments;
    // Checks compiled and run at this version first: the next one tries it again.
    expect(await checkPartnerAgainstSegments(db, 'p2')).toEqual([]);
    expect(await checkPartnerAgainstSegments(db, 'p2')).toEqual([]);
    await segments.create({ ...base, id: 'everyone', name: 'Все', checkOnCreate: true, rule: { attr: 'roles', op: 'contains', value: 'customer' } });
    expect(await checkPartnerAgainstSegments(db, 'p2')).toEqual(['everyone']);
    await segments.update('everyone', { rule: { attr: 'roles', op: 'contains', value: 'competitor' } });
    expect(await checkPartnerAgainstSegments(db, 'p2')).toEqual([]);
    await segments.update('everyone', { rule: { attr: 'roles', op: 'contains', value: 'customer' } });
    expect(await checkPartnerAgainstSegments(db, 'p2')).toEqual(['everyone']);
    await segments.delete('everyone');
    expect(await checkPartnerAgainstSegments(db, 'p2')).toEqual([]);
  });

  it('counts a new partner in a segment it was just found to match, for the segments that read it', async () => {
    await db.run(
      `INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, region_id, deleted) VALUES ('p9', 'ООО Новое', TRUE, FALSE, FALSE, FALSE, 'company', 'perm-d', FALSE)`,
    );
    await db.appendRows(
      'sales',
      ['id', 'document', 'date', 'partner_id', 'product_id', 'quantity', 'revenue', 'cost', 'manager_id'],
      [['s9', 'D9', '2025-06-01', 'p9', 'g1', '1', '6000', '4000', 'm1']],
    );
    // perm-buyers reads buyers, where p9 is not stored yet.
    expect(await checkPartnerAgainstSegments(db, 'p9')).toEqual(['buyers', 'perm-buyers', 'perm-co']);
    expect(await members('perm-buyers')).toEqual(['p1']);
    const added = await checkPartnersOnCreate(db, ['p9', 'p2']);
    expect(added.map((a) => [a.segmentId, a.added]).sort()).toEqual([
      ['buyers', ['p9']],
      ['perm-buyers', ['p9']],
      ['perm-co', ['p9']],
    ]);
    // perm-buyers comes after buyers, which it reads.
    expect(added.at(-1)?.segmentId).toBe('perm-buyers');
    expect(await members('perm-buyers')).toEqual(['p1', 'p9']);
    const history = await db.query("SELECT segment_id, event, run_id FROM segment_history WHERE member_id = 'p9' ORDER BY segment_id");
    expect(history).toEqual(CHECKED.map((segment_id) => ({ segment_id, event: 'entered', run_id: null })));
    // Checked again: nothing more to add.
    expect(await checkPartnersOnCreate(db, ['p9'])).toEqual([]);
  });

  it('checks a large import of partners in one pass', async () => {
    const lines = ['id;name;legalForm;region;roles'];
    for (let i = 0; i < 1500; i++) lines.push(`n${String(i).padStart(4, '0')};ООО Новое ${i};${i % 3 === 0 ? 'person' : 'company'};${i % 2 ? 'perm' : 'msk'};customer`);
    const report = await createServices(db).importData([`${lines.join('\n')}\n`], { entity: 'partners', format: 'csv' });
    expect(report).toMatchObject({ inserted: 1500 });
    // Companies in Perm: odd i not divisible by 3 — 500 of them.
    const added = (await members('perm-co')).filter((id) => id.startsWith('n'));
    expect(added).toHaveLength(500);
    expect(added[0]).toBe('n0001');
    expect(added).not.toContain('n0003');
    expect(await members('unchecked')).toEqual(['p1', 'p2', 'p4']);
  });
});

describe.each(ENGINES)('one partner checked with the directories held in memory on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
    await loadSmallCompany(db);
    for (const segment of SEGMENTS) await createServices(db).segments.create(segment);
    await refreshSegments(db, 'all-periodic', { trigger: 'cli' });
    // As the server does; on PostgreSQL nothing is held and every check reads by key.
    keepMembershipsInMemory(db);
    await preparePartnerChecks(db);
  });
  afterAll(async () => db.close());

  it('sees a partner inserted since the last check, and a hierarchy changed since', async () => {
    expect(await checkPartnerAgainstSegments(db, 'p1')).toEqual(['buyers', 'perm-buyers', 'perm-co']);
    // A partner inserted after that check: its own rows are always read.
    await db.run(
      `INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, region_id, deleted) VALUES ('p8', 'ООО Восьмое', TRUE, FALSE, FALSE, FALSE, 'company', 'perm-d', FALSE)`,
    );
    expect(await checkPartnerAgainstSegments(db, 'p8')).toEqual(['perm-co']);
    // Its district leaves Perm: the ancestors of its region change.
    const [link] = await db.query<{ depth: number }>("SELECT depth FROM regions_closure WHERE descendant_id = 'perm-d' AND ancestor_id = 'perm'");
    expect(link).toBeDefined();
    await db.run("DELETE FROM regions_closure WHERE descendant_id = 'perm-d' AND ancestor_id = 'perm'");
    expect(await checkPartnerAgainstSegments(db, 'p8')).toEqual([]);
    await db.run(`INSERT INTO regions_closure (ancestor_id, descendant_id, depth) VALUES ('perm', 'perm-d', ${Number(link!.depth)})`);
    expect(await checkPartnerAgainstSegments(db, 'p8')).toEqual(['perm-co']);
  });
});
