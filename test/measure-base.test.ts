/**
 * Measures kept between passes (issue 20, src/domain/segments/measure-base.ts), on DuckDB: an
 * incremental pass over the full batch's kept measures moved by the appended sale lines gives
 * what evaluating every rule over all the facts gives — on random worlds, rules and appended
 * lines, over several passes — and each condition it needs sends the pass to the facts instead.
 * A deliberately wrong combination (documents added without the check) is caught.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../src/app/services.js';
import { refreshSegments, type RefreshReport } from '../src/domain/segments/batch-refresh.js';
import { COMBINED_MEASURES, keptMeasuresFor, planFromBase } from '../src/domain/segments/measure-base.js';
import { DIRTY_PARTNERS, snapshotChanges, stageChangedPartners } from '../src/domain/segments/partner-changes.js';
import { currentPass } from '../src/domain/segments/refresh-baselines.js';
import { listSegments } from '../src/domain/segments/segments.repository.js';
import { importData } from '../src/import/importer.js';
import { loadRuleCatalog } from '../src/rules/catalog.js';
import { checkRule } from '../src/rules/check-rule.js';
import { compareIds } from '../src/sql/compile/compile-rule.js';
import { createTemporaryTable, planBatch, selectBatchMembers, type NamedRule } from '../src/sql/compile/rule-set.js';
import type { Database } from '../src/storage/database.js';
import { DuckDBDatabase } from '../src/storage/duckdb-database.js';
import { migrate } from '../src/storage/migrate.js';
import { addDays } from '../src/rules/calendar.js';
import { storeTemplateSegments } from './support/template-segments.js';
import { loadWorld } from './support/load-world.js';
import { finishWorld } from './support/resolve-picks.js';
import { conditionArb, ruleArb, ruleTemplateArb, worldRulesArb } from './support/rule-arbitrary.js';
import { worldArb } from './support/world-arbitrary.js';

const SEED = Number(process.env.SEGMENTA_PROPERTY_SEED ?? 20261208);
const WORLDS = Number(process.env.SEGMENTA_PROPERTY_WORLDS ?? 8);
const SEGMENTS_PER_WORLD = 12;

const AS_OF = '2025-06-15';

async function openDuckDB(): Promise<Database> {
  const db = await DuckDBDatabase.open(':memory:');
  await migrate(db);
  return db;
}

/** Every stored composition of these segments, ids sorted. */
async function stored(db: Database, ids: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await db.query<{ segment_id: string; member_id: string }>('SELECT segment_id, member_id FROM segment_members');
  const result = new Map(ids.map((id) => [id, [] as string[]]));
  for (const r of rows) result.get(r.segment_id)?.push(r.member_id);
  for (const list of result.values()) list.sort(compareIds);
  return result;
}

/** The oracle: every periodic partner segment's rule evaluated over all the facts (a batch plan, nothing stored). */
async function periodicRules(db: Database) {
  const catalog = await loadRuleCatalog(db);
  const segments = (await listSegments(db, { method: 'periodic', archived: false })).filter((s) => s.kind === 'partner' && s.rule);
  const rules: NamedRule[] = [];
  for (const s of segments) {
    const checked = checkRule(s.rule, { kind: 'partner', catalog, parameters: s.parameters, segmentId: s.id });
    if (!checked.ok) throw new Error(`invalid rule of ${s.id}`);
    rules.push({ id: s.id, rule: checked.rule });
  }
  return { catalog, rules };
}

/**
 * The measures of the changed partners as the delta path combines them (base + deltas + the
 * appended lines) against the batch's measures over all the facts, value by value: rows that
 * differ (null when the delta path would not be taken). Reads only; the pass then runs as usual.
 */
async function combinedAgainstFacts(db: Database, asOf: string): Promise<Record<string, unknown>[] | null> {
  const { catalog, rules } = await periodicRules(db);
  return db.session(async (session) => {
    const snapshot = await snapshotChanges(session, asOf);
    const base = snapshot.appendedOnly ? await keptMeasuresFor(session, await currentPass(session), asOf) : null;
    if (!base || (await stageChangedPartners(session, snapshot)) === 0) return null;
    const ruleSegments = { ids: new Set(rules.map((r) => r.id)), keepStored: false };
    const planned = await planFromBase(session, rules, base, { catalog, asOf, ruleSegments, within: DIRTY_PARTNERS });
    if (!planned) return null;
    const facts = planBatch(rules, { dialect: session.dialect, catalog, kind: 'partner', asOf, ruleSegments, table: 'x' });
    await createTemporaryTable(session, 'facts_measures', facts.measures);
    const columns = ['id', ...facts.measureColumns.flatMap((c) => c.names)].join(', ');
    const dirty = `WHERE id IN (SELECT partner_id FROM ${DIRTY_PARTNERS})`;
    const differ = await session.query(
      `(SELECT 'kept' AS side, ${columns} FROM ${COMBINED_MEASURES} EXCEPT ALL SELECT 'kept', ${columns} FROM facts_measures ${dirty}) ` +
        `UNION ALL (SELECT 'facts', ${columns} FROM facts_measures ${dirty} EXCEPT ALL SELECT 'facts', ${columns} FROM ${COMBINED_MEASURES})`,
    );
    for (const t of ['facts_measures', COMBINED_MEASURES, 'refresh_new_lines', 'refresh_lines_measures', DIRTY_PARTNERS]) await session.run(`DROP TABLE IF EXISTS ${t}`);
    return differ;
  });
}

async function evaluatedInFull(db: Database, asOf: string): Promise<Map<string, string[]>> {
  const catalog = await loadRuleCatalog(db);
  const segments = (await listSegments(db, { method: 'periodic', archived: false })).filter((s) => s.kind === 'partner' && s.rule);
  const rules: NamedRule[] = [];
  for (const s of segments) {
    const checked = checkRule(s.rule, { kind: 'partner', catalog, parameters: s.parameters, segmentId: s.id });
    if (!checked.ok) throw new Error(`invalid rule of ${s.id}`);
    rules.push({ id: s.id, rule: checked.rule });
  }
  return db.session((session) => selectBatchMembers(session, rules, { catalog, kind: 'partner', asOf, ruleSegments: { ids: new Set(rules.map((r) => r.id)), keepStored: false } }));
}

describe('measures kept between passes on DuckDB, case by case', () => {
  let db: Database;
  const base = { kind: 'partner' as const, method: 'periodic' as const, description: '', parameters: {}, schedule: null, checkOnCreate: false, competitors: [], archived: false };
  let line = 100;
  /** Appended lines: partner, document, date, revenue (new ids). */
  const append = (...lines: readonly [string, string, string, number][]) =>
    importData(
      db,
      [`id,document,date,partner,product,quantity,revenue\n${lines.map(([partner, document, date, revenue]) => `s${line++},${document},${date},${partner},g1,1,${revenue}`).join('\n')}\n`],
      {
        entity: 'sales',
        format: 'csv',
      },
    );
  const full = async (asOf = AS_OF) => agrees(await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf }), asOf);
  const incremental = async (asOf = AS_OF) => {
    const report = await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf, mode: 'incremental' });
    await agrees(report, asOf);
    return report.measuresKept;
  };
  const agrees = async (report: RefreshReport, asOf: string) => {
    expect(report.segments.filter((s) => s.status !== 'ok')).toEqual([]);
    const expected = await evaluatedInFull(db, asOf);
    const now = await stored(db, [...expected.keys()]);
    for (const id of expected.keys()) if (!report.notInPass.includes(id)) expect(now.get(id), id).toEqual(expected.get(id));
  };

  beforeAll(async () => {
    db = await openDuckDB();
    await importData(db, ['id,name\ng1,Дрель\ng2,Пила\n'], { entity: 'products', format: 'csv' });
    await importData(db, ['id,name\np1,Альфа\np2,Бета\np3,Гамма\np4,Дельта\np5,Эпсилон\np6,Дзета\n'], { entity: 'partners', format: 'csv' });
    await importData(
      db,
      [
        'id,document,date,partner,product,quantity,revenue\ns1,d1,2025-06-01,p1,g1,1,5000\ns2,d2,2024-01-10,p2,g1,1,5000\ns3,d3,2025-05-01,p2,g2,2,300\ns4,d3,2025-05-01,p2,g1,1,200\ns9,e1,2025-06-01,p4,g1,1,1000\ns10,f1,2025-06-01,p5,g1,1,1000\ns11,h1,2025-06-01,p6,g1,1,1000\n',
      ],
      {
        entity: 'sales',
        format: 'csv',
      },
    );
    await importData(db, ['id,partner,date,type,direction\ni1,p3,2025-06-01,call,in\n'], { entity: 'interactions', format: 'csv' });
    const { segments } = createServices(db);
    await segments.create({ ...base, id: 'big', name: 'Big', rule: { measure: 'sales.revenue', op: 'gte', value: 5000 } });
    await segments.create({ ...base, id: 'docs', name: 'Docs', rule: { measure: 'sales.documents', op: 'gte', value: 2 } });
    await segments.create({ ...base, id: 'check', name: 'Check', rule: { measure: 'sales.averageCheck', op: 'gte', value: 1000 } });
    await segments.create({ ...base, id: 'lapsed', name: 'Lapsed', rule: { measure: 'sales.daysSinceLast', op: 'gt', value: 30 } });
    await segments.create({ ...base, id: 'first', name: 'First', rule: { measure: 'sales.daysSinceFirst', op: 'lt', value: 100 } });
    await segments.create({
      ...base,
      id: 'called',
      name: 'Called',
      rule: {
        all: [
          { measure: 'interactions.count', op: 'gte', value: 1 },
          { measure: 'sales.revenue', op: 'gt', value: 0 },
        ],
      },
    });
  });
  afterAll(async () => {
    delete process.env.SEGMENTA_MEASURE_BASE_FAULT;
    await db?.close();
  });

  it('moves the kept measures by appended lines, pass after pass, and empties the side table', async () => {
    await full();
    expect((await db.query('SELECT * FROM measure_bases')).length).toBe(1);
    expect(await db.query('SELECT * FROM sales_appended')).toEqual([]);
    await append(['p3', 'n1', '2025-06-10', 700], ['p1', 'n2', '2025-06-11', 10], ['p2', 'n3', '2025-06-12', 1]);
    expect(await incremental()).toBe(true);
    // p2 bought again: no longer lapsed (the least of the days since the last purchase).
    expect((await stored(db, ['lapsed'])).get('lapsed')).toEqual([]);
    await append(['p3', 'n4', '2025-06-12', 4400], ['p4', 'n5', '2025-06-12', 1]);
    expect(await incremental()).toBe(true);
    expect((await stored(db, ['big'])).get('big')).toEqual(['p1', 'p2', 'p3']);
    expect(await db.query('SELECT * FROM sales_appended')).toEqual([]);
    expect(Number((await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM measure_deltas'))[0]?.n)).toBe(5);
  });

  it('reads the facts after a changed line, and until the next full batch', async () => {
    await full();
    await importData(db, ['id,document,date,partner,product,quantity,revenue\ns1,d1,2025-06-01,p1,g1,1,4000\n'], { entity: 'sales', format: 'csv' });
    await append(['p4', 'n6', '2025-06-13', 5]);
    expect(await incremental()).toBe(false);
    await append(['p4', 'n7', '2025-06-13', 5]);
    expect(await incremental(), 'the base holds no longer what the pass before consumed').toBe(false);
    await full();
    await append(['p4', 'n8', '2025-06-13', 5]);
    expect(await incremental()).toBe(true);
  });

  it('reads the facts on another evaluation date', async () => {
    await full();
    await append(['p1', 'n9', '2025-06-14', 5]);
    expect(await incremental('2025-06-16')).toBe(false);
  });

  it('reads the facts when a definition changed since the base, or a segment is new', async () => {
    await full();
    await createServices(db).segments.update('big', { rule: { measure: 'sales.revenue', op: 'gte', value: 4500 } });
    await append(['p4', 'n10', '2025-06-14', 3600]);
    expect(await incremental()).toBe(false);
    await full();
    await createServices(db).segments.create({ ...base, id: 'new-one', name: 'New', rule: { measure: 'sales.quantity', op: 'gte', value: 3 } });
    await append(['p4', 'n11', '2025-06-14', 1]);
    expect(await incremental()).toBe(false);
  });

  it('reads the facts when a rule reads a measure the base lacks', async () => {
    await full();
    // A full batch of two segments keeps only their measures.
    await agrees(await refreshSegments(db, ['big', 'docs'], { trigger: 'cli', asOf: AS_OF }), AS_OF);
    await append(['p2', 'n12', '2025-06-14', 1]);
    expect(await incremental()).toBe(false);
  });

  it('reads the facts when everyone is marked', async () => {
    await full();
    await importData(db, ['id,name\ng1,Дрель ударная\n'], { entity: 'products', format: 'csv' });
    await append(['p2', 'n13', '2025-06-14', 1]);
    expect(await incremental()).toBe(false);
  });

  it('reads the facts when an appended line shares a document with a stored one; added unchecked, the documents are wrong', async () => {
    await full();
    // p5's document f1 again: one document of 1,500, not two of 750.
    await append(['p5', 'f1', '2025-06-14', 500]);
    expect(await incremental()).toBe(false);
    expect((await stored(db, ['check'])).get('check')).toContain('p5');

    await full();
    process.env.SEGMENTA_MEASURE_BASE_FAULT = 'documents-unchecked';
    try {
      await append(['p6', 'h1', '2025-06-14', 500]);
      const report = await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf: AS_OF, mode: 'incremental' });
      expect(report.measuresKept).toBe(true);
      const expected = await evaluatedInFull(db, AS_OF);
      const now = await stored(db, ['check', 'docs']);
      expect(expected.get('check')).toContain('p6');
      expect(now.get('check'), 'the wrong combination counts h1 twice').not.toContain('p6');
      expect(now.get('docs')).toContain('p6');
      expect(expected.get('docs')).not.toContain('p6');
    } finally {
      delete process.env.SEGMENTA_MEASURE_BASE_FAULT;
    }
    await full();
  });

  it('keeps no base when a value does not fit 64 bits', async () => {
    await append(['p3', 'n14', '2025-06-14', 99999999999999], ['p3', 'n15', '2025-06-14', 99999999999999]);
    await full();
    expect(await db.query('SELECT * FROM measure_bases')).toEqual([]);
    await append(['p1', 'n16', '2025-06-14', 1]);
    expect(await incremental()).toBe(false);
  });
});

/** Appended sale lines: a partner and product by index, a day around asOf, a document new or (rarely) one the partner has. */
const appendedArb = fc.array(
  fc.record({
    partner: fc.nat(5),
    product: fc.nat(),
    day: fc.integer({ min: -400, max: 10 }),
    cents: fc.integer({ min: -5000, max: 900000 }),
    document: fc.oneof({ weight: 5, arbitrary: fc.nat(6).map((n) => ({ fresh: n })) }, { weight: 1, arbitrary: fc.nat().map((n) => ({ stored: n })) }),
  }),
  { minLength: 1, maxLength: 12 },
);

const scenarioArb = worldArb(worldRulesArb).chain((generated) =>
  fc
    .record({
      templates: fc.array(ruleTemplateArb('partner', generated.asOf, ruleArb('partner', generated.asOf, conditionArb('partner', generated.asOf))), {
        minLength: SEGMENTS_PER_WORLD,
        maxLength: SEGMENTS_PER_WORLD,
      }),
      rounds: fc.array(appendedArb, { minLength: 1, maxLength: 3 }),
    })
    .map((more) => ({ ...generated, ...more })),
);

const jsonl = (records: readonly Record<string, unknown>[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('measures kept between passes on DuckDB, random worlds', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDuckDB();
  });
  afterAll(async () => db?.close());

  it(`equal a full evaluation on ${WORLDS} random worlds × ${SEGMENTS_PER_WORLD} segments × appended lines, pass after pass`, async () => {
    console.log(`[measure base] seed ${SEED} (replay with SEGMENTA_PROPERTY_SEED=${SEED})`);
    let kept = 0;
    let passes = 0;
    let compared = 0;
    let valued = 0;
    const details = await fc.check(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const { asOf } = scenario;
        const world = finishWorld(scenario);
        for (const table of ['partner_changes', 'segment_baselines', 'refresh_passes', 'segment_history', 'measure_bases', 'sales_appended']) await db.run(`DELETE FROM ${table}`);
        await loadWorld(db, world);
        await storeTemplateSegments(db, world, scenario.templates, asOf, 'kept-');
        const full = await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf });
        expect(full.segments.filter((s) => s.status !== 'ok')).toEqual([]);
        const partners = world.partners.map((p) => p.id);
        const products = world.products.map((p) => p.id);
        for (const [round, lines] of scenario.rounds.entries()) {
          const records = lines.map((line, i) => {
            const partner = partners[line.partner % partners.length]!;
            const own = world.sales.filter((s) => s.partner === partner);
            const document = 'stored' in line.document && own.length ? own[line.document.stored % own.length]!.document : `nd-${round}-${'fresh' in line.document ? line.document.fresh : i}`;
            return {
              id: `new-${round}-${i}`,
              document,
              date: addDays(asOf, line.day),
              partner,
              product: products[line.product % products.length],
              quantity: line.cents < 0 ? -1 : 2,
              revenue: line.cents / 100,
              cost: line.cents % 3 === 0 ? null : line.cents / 300,
              manager: null,
            };
          });
          await importData(db, [jsonl(records)], { entity: 'sales', format: 'jsonl' });
          const differ = await combinedAgainstFacts(db, asOf);
          if (differ) valued++;
          expect(differ ?? [], `measures kept + appended against the facts at ${asOf}, round ${round}`).toEqual([]);
          const pass = await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf, mode: 'incremental' });
          expect(pass.segments.filter((s) => s.status !== 'ok')).toEqual([]);
          passes++;
          if (pass.measuresKept) kept++;
          const expected = await evaluatedInFull(db, asOf);
          const now = await stored(db, [...expected.keys()]);
          for (const id of expected.keys()) {
            if (pass.notInPass.includes(id)) continue;
            const segment = await db.query<{ rule: string }>('SELECT rule FROM segments WHERE id = $1', [id]);
            expect(now.get(id), `${id} ${segment[0]?.rule} at ${asOf}, round ${round}, kept ${pass.measuresKept}`).toEqual(expected.get(id));
            compared++;
          }
        }
      }),
      { seed: SEED, numRuns: WORLDS, endOnFailure: process.env.SEGMENTA_PROPERTY_SHRINK !== '1' },
    );
    if (details.failed) {
      throw new Error(`seed ${SEED}, path ${details.counterexamplePath}: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
    }
    console.log(`[measure base] ${passes} passes, ${kept} over kept measures (${valued} compared value by value); ${compared} compositions agreed`);
    expect(kept).toBeGreaterThan(passes / 4);
    expect(valued).toBeGreaterThan(0);
  }, 300_000);
});
