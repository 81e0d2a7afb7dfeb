/**
 * The values analytics and reports read for many partners at once (compileValues, the compiler's
 * valuesSelect) against the reference evaluator, on random worlds: for every partner a filter
 * rule selects, each condition's value and result are the reference's; a whole rule as a result
 * column holds for exactly the reference's members. The seed is printed;
 * SEGMENTA_PROPERTY_SEED replays a run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileValues, decodeValue } from '../src/domain/analytics/condition-values.js';
import { isCondition } from '../src/rules/ast/rule-node.js';
import { loadRuleCatalog } from '../src/rules/catalog.js';
import { checkRule } from '../src/rules/check-rule.js';
import { catalogOfWorld, ReferenceEvaluator } from '../src/rules/reference/evaluate.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadWorld } from './support/load-world.js';
import { finishWorld, instantiate } from './support/resolve-picks.js';
import { conditionArb, ruleArb, ruleTemplateArb, worldRulesArb } from './support/rule-arbitrary.js';
import { TEST_SCORES, worldArb } from './support/world-arbitrary.js';

const SEED = Number(process.env.SEGMENTA_PROPERTY_SEED ?? 20261123);
const WORLDS = 8;
const CASES = 12;

const scenarioArb = worldArb(worldRulesArb).chain((generated) =>
  fc
    .array(fc.tuple(ruleTemplateArb('partner', generated.asOf, conditionArb('partner', generated.asOf)), ruleTemplateArb('partner', generated.asOf, ruleArb('partner', generated.asOf))), {
      minLength: CASES,
      maxLength: CASES,
    })
    .map((cases) => ({ ...generated, cases })),
);

describe.each(ENGINES)('values of conditions on $name equal the reference', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => db?.close());

  it(`agrees on ${WORLDS} random worlds × ${CASES} conditions with a filter`, async () => {
    let compared = 0;
    const details = await fc.check(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const world = finishWorld(scenario);
        await loadWorld(db, world);
        const catalog = await loadRuleCatalog(db, TEST_SCORES);
        const worldCatalog = catalogOfWorld(world, TEST_SCORES);
        const asOf = scenario.asOf;
        const reference = new ReferenceEvaluator(world, asOf, TEST_SCORES);
        for (const [conditionTemplate, filterTemplate] of scenario.cases) {
          const condition = instantiate({ ...conditionTemplate, parameterize: false }, world, 'partner', asOf).rule;
          const filter = instantiate({ ...filterTemplate, parameterize: false }, world, 'partner', asOf).rule;
          const checkedCondition = checkRule(condition, { kind: 'partner', catalog: worldCatalog });
          const checkedFilter = checkRule(filter, { kind: 'partner', catalog: worldCatalog });
          if (!checkedCondition.ok || !checkedFilter.ok || !isCondition(checkedCondition.rule)) throw new Error(`generated an invalid case ${JSON.stringify([condition, filter])}`);
          const values = compileValues({ conditions: [{ json: condition, path: 'c' }], filter: { json: filter, path: 'f' }, kind: 'partner', catalog, dialect: db.dialect, asOf });
          const rows = await db.query(values.sql, values.params);
          const where = `${engine.name} at ${asOf}: ${JSON.stringify(condition)} filtered by ${JSON.stringify(filter)}`;
          expect(rows.map((r) => String(r.id)).sort(), where).toEqual([...reference.members(checkedFilter.rule, 'partner')].sort());
          const holds = new Set(reference.members(checkedCondition.rule, 'partner'));
          for (const row of rows) {
            const member = world.partners.find((p) => p.id === row.id)!;
            const expected = reference.conditionValue(checkedCondition.rule, member, 'partner');
            const actual = decodeValue(values.lefts[0]!, row, 0);
            if (typeof expected === 'number' && typeof actual === 'number') expect(actual, `${where} value of ${member.id}`).toBeCloseTo(expected, 6);
            else if (Array.isArray(expected) && Array.isArray(actual)) expect([...actual].sort(), `${where} value of ${member.id}`).toEqual([...expected].sort());
            else expect(actual, `${where} value of ${member.id}`).toEqual(expected);
            expect(row.p0 === true, `${where} result for ${member.id}`).toBe(holds.has(member.id));
            compared++;
          }
          // Restricted to a stored segment's members (reports on a segment read only their facts).
          const stored = compileValues({ conditions: [{ json: condition, path: 'c' }], storedSegment: 'periodic-b', kind: 'partner', catalog, dialect: db.dialect, asOf });
          const storedRows = await db.query(stored.sql, stored.params);
          const inSegment = checkRule({ inSegment: 'periodic-b' }, { kind: 'partner', catalog: worldCatalog });
          if (!inSegment.ok) throw new Error('periodic-b is not a segment of the world');
          expect(storedRows.map((r) => String(r.id)).sort(), `${where} in periodic-b`).toEqual([...reference.members(inSegment.rule, 'partner')].sort());
          for (const row of storedRows) {
            const member = world.partners.find((p) => p.id === row.id)!;
            const expected = reference.conditionValue(checkedCondition.rule, member, 'partner');
            const actual = decodeValue(stored.lefts[0]!, row, 0);
            if (typeof expected === 'number' && typeof actual === 'number') expect(actual, `${where} in periodic-b, ${member.id}`).toBeCloseTo(expected, 6);
            else if (Array.isArray(expected) && Array.isArray(actual)) expect([...actual].sort()).toEqual([...expected].sort());
            else expect(actual, `${where} in periodic-b, ${member.id}`).toEqual(expected);
            expect(row.p0 === true, `${where} in periodic-b, result for ${member.id}`).toBe(holds.has(member.id));
          }
          // The same rule as a result column over every partner (as the lifecycle counts read it).
          const asColumn = compileValues({ conditions: [], rules: [{ json: filter, path: 'r' }], kind: 'partner', catalog, dialect: db.dialect, asOf });
          const all = await db.query(asColumn.sql, asColumn.params);
          expect(
            all
              .filter((r) => r.q0 === true)
              .map((r) => String(r.id))
              .sort(),
            `${where} as a column`,
          ).toEqual([...reference.members(checkedFilter.rule, 'partner')].sort());
        }
      }),
      { seed: SEED, numRuns: WORLDS, endOnFailure: true },
    );
    if (details.failed) throw new Error(`seed ${SEED}: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
    console.log(`[condition values ${engine.name}] seed ${SEED}: ${compared} partner values agreed`);
    expect(compared).toBeGreaterThan(0);
  });
});
