/**
 * The compiled SQL of every engine against the reference evaluator, on random worlds and
 * random rules: DuckDB = PGlite (= PostgreSQL when DATABASE_URL is set) = the oracle.
 * The seed is printed; SEGMENTA_PROPERTY_SEED replays a run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/rules/calendar.js';
import { loadRuleCatalog } from '../../src/rules/catalog.js';
import { checkRule } from '../../src/rules/check-rule.js';
import { catalogOfWorld, ReferenceEvaluator } from '../../src/rules/reference/evaluate.js';
import { isCondition } from '../../src/rules/ast/rule-node.js';
import { parseRule } from '../../src/rules/parse/parse-rule.js';
import { compileCheckedRule, compareIds } from '../../src/sql/compile/compile-rule.js';
import { explainMember, type ExplainedCondition, type ExplainedNode } from '../../src/sql/compile/explain.js';
import { selectBatchMembers, selectCheckedMembers, type NamedRule } from '../../src/sql/compile/rule-set.js';
import type { Database } from '../../src/storage/database.js';
import { ENGINES } from '../engines.js';
import { loadWorld } from '../support/load-world.js';
import { finishWorld, instantiate } from '../support/resolve-picks.js';
import { conditionArb, ruleArb, ruleTemplateArb, worldRulesArb, type RuleTemplate } from '../support/rule-arbitrary.js';
import { TEST_SCORES, worldArb } from '../support/world-arbitrary.js';

const SEED = Number(process.env.SEGMENTA_PROPERTY_SEED ?? 20251123);
const WORLDS = Number(process.env.SEGMENTA_PROPERTY_WORLDS ?? 25);
const RULES_PER_WORLD = 40;
/** Rules per world whose explain (for one partner) is checked against the reference too. */
const EXPLAINS_PER_WORLD = 8;
/** Partners per world checked against all its rules at once (member checks), one by one and together. */
const CHECKED_PER_WORLD = 3;

function conditionsOf(node: ExplainedNode): ExplainedCondition[] {
  return 'children' in node ? node.children.flatMap(conditionsOf) : [node];
}

interface RuleCase {
  readonly kind: 'partner' | 'product';
  readonly template: RuleTemplate;
  readonly shift: number;
}

const caseArb = (asOf: string): fc.Arbitrary<RuleCase> =>
  fc
    .tuple(
      fc.constantFrom('partner', 'partner', 'partner', 'partner', 'partner', 'partner', 'partner', 'partner', 'partner', 'product'),
      fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -400, max: 40 }) }),
    )
    .chain(([kind, shift]) => ruleTemplateArb(kind, asOf, ruleArb(kind, asOf, conditionArb(kind, asOf))).map((template) => ({ kind, template, shift })));

const scenarioArb = worldArb(worldRulesArb).chain((generated) =>
  fc.array(caseArb(generated.asOf), { minLength: RULES_PER_WORLD, maxLength: RULES_PER_WORLD }).map((cases) => ({ ...generated, cases })),
);

// The engines side by side, each on its own database: DuckDB's queries run on its own threads
// and PostgreSQL's in the server, so one engine's work overlaps the other's.
describe.concurrent.each(ENGINES)('rules on $name equal the reference evaluator', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => db?.close());

  it(`agrees on ${WORLDS} random worlds × ${RULES_PER_WORLD} random rules`, async () => {
    console.log(`[differential ${engine.name}] seed ${SEED} (replay with SEGMENTA_PROPERTY_SEED=${SEED})`);
    let cases = 0;
    let explained = 0;
    let runs = -1;
    let nonEmpty = 0;
    let batched = 0;
    let batches = 0;
    let checked = 0;
    let ruleSegmentCases = 0;
    const details = await fc.check(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        runs++;
        const { asOf, cases: ruleCases } = scenario;
        const world = finishWorld(scenario);
        await loadWorld(db, world);
        const catalog = await loadRuleCatalog(db, TEST_SCORES);
        expect(catalog.segments.size).toBe(world.segments.length);
        const worldCatalog = catalogOfWorld(world, TEST_SCORES);
        // Every rule once more, evaluated with the others of its kind and date as one batch.
        const sets = new Map<string, { kind: 'partner' | 'product'; at: string; rules: NamedRule[]; expected: Map<string, string[]> }>();
        for (const [index, c] of ruleCases.entries()) {
          const at = addDays(asOf, c.shift);
          const { rule, parameters } = instantiate(c.template, world, c.kind, at);
          const checked = checkRule(rule, { kind: c.kind, catalog: worldCatalog, parameters });
          if (!checked.ok) throw new Error(`generated an invalid rule ${JSON.stringify(rule)}: ${JSON.stringify(checked.issues)}`);
          const expected = new ReferenceEvaluator(world, at, TEST_SCORES).members(checked.rule, c.kind);
          const { sql, params } = compileCheckedRule(checked.rule, { dialect: db.dialect, catalog, kind: c.kind, asOf: at });
          const rows = await db.query<{ id: string }>(sql, params).catch((error: unknown) => {
            throw new Error(`${engine.name} fails at asOf ${at} on ${JSON.stringify(rule)} ${JSON.stringify(parameters)}: ${String(error)}\nsql: ${sql}`);
          });
          const actual = rows.map((r) => r.id).sort(compareIds);
          const set = sets.get(`${c.kind} ${at}`) ?? { kind: c.kind, at, rules: [] as NamedRule[], expected: new Map<string, string[]>() };
          sets.set(`${c.kind} ${at}`, set);
          set.rules.push({ id: `r${index}`, rule: checked.rule });
          set.expected.set(`r${index}`, actual);
          if (JSON.stringify(actual) !== JSON.stringify(expected)) {
            throw new Error(
              `${engine.name} differs from the reference at asOf ${at}\nrule: ${JSON.stringify(rule)}\nparameters: ${JSON.stringify(parameters)}\n` +
                `engine:    ${JSON.stringify(actual)}\nreference: ${JSON.stringify(expected)}\nsql: ${sql}\nparams: ${JSON.stringify(params)}`,
            );
          }
          if (explained < EXPLAINS_PER_WORLD * (runs + 1) && c.kind === 'partner') {
            const member = world.partners[cases % world.partners.length]!;
            const explanation = await explainMember(db, rule, { catalog, kind: 'partner', asOf: at, parameters, memberId: member.id });
            expect(explanation?.matched, `explain of ${member.id} on ${JSON.stringify(rule)}`).toBe(actual.includes(member.id));
            const reference = new ReferenceEvaluator(world, at, TEST_SCORES);
            for (const condition of conditionsOf(explanation!.rule)) {
              const parsed = parseRule(condition.condition);
              if (!parsed.ok || !isCondition(parsed.rule)) throw new Error(`explain printed ${JSON.stringify(condition.condition)}`);
              const expectedValue = reference.conditionValue(parsed.rule, member, 'partner');
              const where = `explain value of ${member.id} at ${condition.path} of ${JSON.stringify(rule)} at ${at}`;
              if (typeof expectedValue === 'number' && typeof condition.value === 'number') {
                expect(condition.value, where).toBeCloseTo(expectedValue, 6);
              } else if (Array.isArray(condition.value) && Array.isArray(expectedValue)) {
                expect([...condition.value].sort(), where).toEqual([...expectedValue].sort());
              } else {
                expect(condition.value, where).toEqual(expectedValue);
              }
            }
            explained++;
          }
          cases++;
          if (expected.length > 0 && expected.length < world[c.kind === 'partner' ? 'partners' : 'products'].length) nonEmpty++;
        }
        for (const set of sets.values()) {
          const describeSet = () => `${set.kind} rules at ${set.at}: ${JSON.stringify(set.rules.map((r) => r.id))}`;
          const batch = await db.session((session) => selectBatchMembers(session, set.rules, { catalog, kind: set.kind, asOf: set.at }));
          for (const { id } of set.rules) {
            expect(batch.get(id), `batch member ids of ${id} among ${describeSet()}`).toEqual(set.expected.get(id));
            batched++;
          }
          batches++;
          if (set.kind !== 'partner') continue;
          // The stored segment "periodic-b" refreshed in the same batch (its composition is its
          // rule) or checked on create (its stored list, or its rule): the reference reads a
          // world whose stored list is that.
          const periodic = checkRule(world.segments.find((x) => x.id === 'periodic-b')!.rule, { kind: 'partner', catalog: worldCatalog });
          if (!periodic.ok) throw new Error('periodic-b has an invalid rule');
          const byRule = new ReferenceEvaluator(world, set.at, TEST_SCORES).members(periodic.rule, 'partner');
          const stored = world.segmentMembers.filter((m) => m.segmentId === 'periodic-b').map((m) => m.memberId);
          for (const keepStored of [false, true]) {
            const list = keepStored ? [...new Set([...stored, ...byRule])] : byRule;
            const refreshed = { ...world, segmentMembers: [...world.segmentMembers.filter((m) => m.segmentId !== 'periodic-b'), ...list.map((memberId) => ({ segmentId: 'periodic-b', memberId }))] };
            const reference = new ReferenceEvaluator(refreshed, set.at, TEST_SCORES);
            const ruleSegments = { ids: new Set(['periodic-b']), keepStored };
            const together = await db.session((session) => selectBatchMembers(session, set.rules, { catalog, kind: 'partner', asOf: set.at, ruleSegments }));
            const probe = [world.partners[runs % world.partners.length]!.id];
            const checkedOne = await selectCheckedMembers(db, set.rules, { catalog, kind: 'partner', asOf: set.at, members: { ids: probe }, ruleSegments });
            for (const { id, rule } of set.rules) {
              const want = reference.members(rule, 'partner');
              const where = `${id} with periodic-b by its rule (keepStored ${keepStored}) among ${describeSet()}`;
              if (keepStored) expect(checkedOne.get(id), `member check of ${probe[0]}: ${where}`).toEqual(want.filter((m) => probe.includes(m)));
              else expect(together.get(id), `batch: ${where}`).toEqual(want);
              ruleSegmentCases++;
            }
          }
          // Member checks read only the checked partners' facts; they must agree with the full evaluation.
          const pool = world.partners.map((p) => p.id);
          const picked = [0, 1, 2].slice(0, CHECKED_PER_WORLD).map((k) => pool[(runs * 7 + k * 5) % pool.length]!);
          const probes = [...picked.map((id) => [id]), [...picked, 'no-such-partner']];
          for (const ids of probes) {
            const hits = await selectCheckedMembers(db, set.rules, { catalog, kind: 'partner', asOf: set.at, members: { ids } });
            for (const { id } of set.rules) {
              const want = set.expected.get(id)!.filter((member) => ids.includes(member));
              expect(hits.get(id), `member check of ${JSON.stringify(ids)} for ${id} among ${describeSet()}`).toEqual(want);
            }
            checked++;
          }
        }
      }),
      { seed: SEED, numRuns: WORLDS, endOnFailure: process.env.SEGMENTA_PROPERTY_SHRINK !== '1' },
    );
    // The counterexample (a whole world) is too long to read; the error names the rule.
    if (details.failed) {
      throw new Error(`seed ${SEED}, path ${details.counterexamplePath}: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
    }
    console.log(
      `[differential ${engine.name}] ${cases} rule cases agreed (${nonEmpty} selected some but not all members); ${explained} explains agreed; ` +
        `${batched} rule cases evaluated again in ${batches} batches agreed; ${checked} member checks agreed; ` +
        `${ruleSegmentCases} cases with a stored segment read by its rule agreed`,
    );
    expect(cases).toBeGreaterThanOrEqual(WORLDS * RULES_PER_WORLD);
    expect(batched).toBe(cases);
    // A thousand rule cases, each compiled and run several ways: 20–45 s alone, longer beside other files.
  }, 240_000);
});
