/**
 * Incremental refresh (issue 20) on random worlds, random periodic segments and random change
 * sets imported through the importer: after an incremental pass (and the daily pass for the
 * rules that move with the date), every stored composition is what a full batch refresh gives
 * and what evaluating each partner alone gives. DuckDB and PGlite (and PostgreSQL when
 * DATABASE_URL is set). The seed is printed; SEGMENTA_PROPERTY_SEED replays a run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshSegments } from '../src/domain/segments/batch-refresh.js';
import { addMembers } from '../src/domain/segments/manual-members.js';
import { pendingChanges } from '../src/domain/segments/partner-changes.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import { importData } from '../src/import/importer.js';
import { addDays } from '../src/rules/calendar.js';
import { loadRuleCatalog } from '../src/rules/catalog.js';
import { checkRule } from '../src/rules/check-rule.js';
import { compareIds } from '../src/sql/compile/compile-rule.js';
import { selectCheckedMembers, type NamedRule } from '../src/sql/compile/rule-set.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { storeTemplateSegments } from './support/template-segments.js';
import { loadWorld } from './support/load-world.js';
import { finishWorld } from './support/resolve-picks.js';
import { conditionArb, ruleArb, ruleTemplateArb, worldRulesArb } from './support/rule-arbitrary.js';
import { REGION_IDS, worldArb } from './support/world-arbitrary.js';

const SEED = Number(process.env.SEGMENTA_PROPERTY_SEED ?? 20261207);
const WORLDS = Number(process.env.SEGMENTA_PROPERTY_WORLDS ?? 6);
const SEGMENTS_PER_WORLD = 12;

/** One change set: new and moved facts, partners changed, a manual membership added. */
interface ChangeSet {
  readonly newSales: readonly { partner: number; product: number; day: number; cents: number; document: number }[];
  readonly movedSales: readonly { sale: number; partner: number; cents: number }[];
  readonly interactions: readonly { partner: number; day: number }[];
  readonly settlements: readonly { partner: number; day: number; cents: number }[];
  readonly deals: readonly { partner: number; day: number; cents: number; won: boolean }[];
  readonly regions: readonly { partner: number; region: number }[];
  readonly manual: readonly number[];
}

const changeSetArb: fc.Arbitrary<ChangeSet> = fc.record({
  newSales: fc.array(fc.record({ partner: fc.nat(), product: fc.nat(), day: fc.integer({ min: -400, max: 10 }), cents: fc.integer({ min: -5000, max: 900000 }), document: fc.nat(20) }), {
    maxLength: 8,
  }),
  movedSales: fc.array(fc.record({ sale: fc.nat(), partner: fc.nat(), cents: fc.integer({ min: 0, max: 900000 }) }), { maxLength: 4 }),
  interactions: fc.array(fc.record({ partner: fc.nat(), day: fc.integer({ min: -200, max: 5 }) }), { maxLength: 4 }),
  settlements: fc.array(fc.record({ partner: fc.nat(), day: fc.integer({ min: -200, max: 5 }), cents: fc.integer({ min: -300000, max: 500000 }) }), { maxLength: 4 }),
  deals: fc.array(fc.record({ partner: fc.nat(), day: fc.integer({ min: -300, max: 5 }), cents: fc.integer({ min: 0, max: 5000000 }), won: fc.boolean() }), { maxLength: 3 }),
  regions: fc.array(fc.record({ partner: fc.nat(), region: fc.nat() }), { maxLength: 3 }),
  manual: fc.array(fc.nat(), { maxLength: 2 }),
});

const scenarioArb = worldArb(worldRulesArb).chain((generated) =>
  fc
    .record({
      templates: fc.array(ruleTemplateArb('partner', generated.asOf, ruleArb('partner', generated.asOf, conditionArb('partner', generated.asOf))), {
        minLength: SEGMENTS_PER_WORLD,
        maxLength: SEGMENTS_PER_WORLD,
      }),
      changes: fc.array(changeSetArb, { minLength: 1, maxLength: 2 }),
    })
    .map((more) => ({ ...generated, ...more })),
);

const jsonl = (records: readonly Record<string, unknown>[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe.each(ENGINES)('incremental refresh on $name equals a full refresh and single-partner checks', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => db?.close());

  const stored = async (ids: readonly string[]): Promise<Map<string, string[]>> => {
    const rows = await db.query<{ segment_id: string; member_id: string }>('SELECT segment_id, member_id FROM segment_members');
    const result = new Map(ids.map((id) => [id, [] as string[]]));
    for (const r of rows) result.get(r.segment_id)?.push(r.member_id);
    for (const list of result.values()) list.sort(compareIds);
    return result;
  };

  it(`agrees on ${WORLDS} random worlds × ${SEGMENTS_PER_WORLD} segments × random change sets`, async () => {
    console.log(`[incremental ${engine.name}] seed ${SEED} (replay with SEGMENTA_PROPERTY_SEED=${SEED})`);
    let patched = 0;
    let compared = 0;
    let dailyOnes = 0;
    let incrementalOnes = 0;
    const details = await fc.check(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const { asOf } = scenario;
        const world = finishWorld(scenario);
        for (const table of ['partner_changes', 'segment_baselines', 'refresh_passes', 'segment_history']) await db.run(`DELETE FROM ${table}`);
        await loadWorld(db, world);
        const ids = await storeTemplateSegments(db, world, scenario.templates, asOf, 'inc-');
        const periodic = [...ids, ...world.segments.filter((s) => s.method === 'periodic' && s.kind === 'partner').map((s) => s.id)];
        await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf });
        const partners = world.partners.map((p) => p.id);
        const products = world.products.map((p) => p.id);
        const at = (index: number) => partners[index % partners.length]!;
        for (const [round, change] of scenario.changes.entries()) {
          const date = (day: number) => addDays(asOf, day);
          const sales = [
            ...change.newSales.map((s, i) => ({
              id: `new-${round}-${i}`,
              document: `nd${s.document}`,
              date: date(s.day),
              partner: at(s.partner),
              product: products[s.product % products.length],
              quantity: s.cents < 0 ? -1 : 2,
              revenue: s.cents / 100,
              cost: null,
              // Managers are not in the world's tables (its facts name them without references).
              manager: null,
            })),
            ...change.movedSales
              .filter(() => world.sales.length > 0)
              .map((m) => {
                const sale = world.sales[m.sale % world.sales.length]!;
                return { ...sale, partner: at(m.partner), revenue: m.cents / 100, manager: null };
              }),
          ];
          const unique = [...new Map(sales.map((s) => [s.id, s])).values()];
          const imports: [string, Record<string, unknown>[]][] = [
            ['sales', unique],
            ['interactions', change.interactions.map((x, i) => ({ id: `ni-${round}-${i}`, partner: at(x.partner), date: date(x.day), type: 'call', direction: 'in', score: 7 }))],
            ['settlements', change.settlements.map((x, i) => ({ id: `nst-${round}-${i}`, partner: at(x.partner), date: date(x.day), amount: x.cents / 100, dueDate: date(x.day + 10) }))],
            ['deals', change.deals.map((x, i) => ({ id: `nde-${round}-${i}`, partner: at(x.partner), createdAt: date(x.day), amount: x.cents / 100, outcome: x.won ? 'won' : 'lost' }))],
            [
              'partners',
              [...new Map(change.regions.map((r) => [at(r.partner), r])).values()].map((r) => ({
                id: at(r.partner),
                name: world.partners.find((p) => p.id === at(r.partner))!.name,
                region: REGION_IDS[r.region % REGION_IDS.length],
              })),
            ],
          ];
          for (const [entity, records] of imports) {
            if (records.length)
              await importData(db, [jsonl(records)], { entity, format: 'jsonl' }).catch((error: unknown) => {
                throw new Error(`import of ${entity} refused: ${JSON.stringify((error as { details?: unknown }).details)}`);
              });
          }
          if (change.manual.length) await addMembers(db, await getSegment(db, 'manual-a'), change.manual.map(at));
          if (unique.length + change.regions.length > 0) expect((await pendingChanges(db, asOf)).partners).toBeGreaterThan(0);

          const beforeIncremental = await stored(periodic);
          const incremental = await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf, mode: 'incremental' });
          expect(
            incremental.segments.filter((s) => s.status !== 'ok'),
            'incremental failures',
          ).toEqual([]);
          if ((incremental.partners ?? 0) > 0) patched++;
          const inPass = periodic.filter((id) => !incremental.notInPass.includes(id));
          incrementalOnes += inPass.length;
          const afterIncremental = await stored(periodic);
          expect((await pendingChanges(db, asOf)).partners, 'the pass clears the dirty set').toBe(0);
          // Each segment's reported size, entered and left are those of its stored composition.
          for (const report of incremental.segments.filter((r) => periodic.includes(r.segmentId))) {
            const [was, now] = [beforeIncremental.get(report.segmentId)!, afterIncremental.get(report.segmentId)!];
            expect([report.size, report.entered, report.left], `counts of ${report.segmentId}, round ${round}`).toEqual([
              now.length,
              now.filter((id) => !was.includes(id)).length,
              was.filter((id) => !now.includes(id)).length,
            ]);
          }

          // Single-partner evaluation of every periodic segment (their rules read each other's rules).
          const catalog = await loadRuleCatalog(db);
          const rules: NamedRule[] = [];
          for (const id of periodic) {
            const segment = await getSegment(db, id);
            const checked = checkRule(segment.rule, { kind: 'partner', catalog, parameters: segment.parameters, segmentId: id });
            if (!checked.ok) throw new Error(`invalid rule of ${id}`);
            rules.push({ id, rule: checked.rule });
          }
          const single = new Map(periodic.map((id) => [id, [] as string[]]));
          for (const partner of partners) {
            const hits = await selectCheckedMembers(db, rules, { catalog, kind: 'partner', asOf, members: { ids: [partner] }, ruleSegments: { ids: new Set(periodic), keepStored: false } });
            for (const [id, members] of hits) single.get(id)!.push(...members);
          }
          for (const list of single.values()) list.sort(compareIds);
          const describe = async (id: string) => `${id} ${JSON.stringify((await getSegment(db, id)).rule)} at ${asOf}, round ${round}`;
          for (const id of inPass) expect(afterIncremental.get(id), `incremental = single-partner: ${await describe(id)}`).toEqual(single.get(id));

          // The daily pass (the date did not move: it changes nothing the incremental pass kept), then a full one.
          const daily = await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf, mode: 'daily' });
          expect(
            daily.segments.filter((s) => s.status !== 'ok'),
            'daily failures',
          ).toEqual([]);
          dailyOnes += daily.segments.length;
          const afterDaily = await stored(periodic);
          const full = await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf });
          const afterFull = await stored(periodic);
          for (const id of periodic) {
            expect(afterDaily.get(id), `incremental + daily = full: ${await describe(id)}`).toEqual(afterFull.get(id));
            expect(afterDaily.get(id), `incremental + daily = single-partner: ${await describe(id)}`).toEqual(single.get(id));
            compared++;
          }
          expect(full.segments.filter((s) => (s.entered ?? 0) + (s.left ?? 0) > 0).map((s) => s.segmentId)).toEqual([]);
        }
      }),
      { seed: SEED, numRuns: WORLDS, endOnFailure: process.env.SEGMENTA_PROPERTY_SHRINK !== '1' },
    );
    if (details.failed) {
      throw new Error(`seed ${SEED}, path ${details.counterexamplePath}: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
    }
    console.log(
      `[incremental ${engine.name}] ${compared} segment compositions agreed; ${patched} passes patched changed partners; ${incrementalOnes} compositions kept by incremental passes, ${dailyOnes} by daily ones`,
    );
    expect(incrementalOnes).toBeGreaterThan(WORLDS * 2);
    expect(compared).toBeGreaterThan(WORLDS * 4);
    expect(patched).toBeGreaterThan(0);
  }, 300_000);
});
