/**
 * One partner checked in process (issue 20): its rows read by key into a world of one partner
 * and the rules evaluated over it (src/domain/segments/one-partner.ts) give what the compiled
 * one-partner query gives — on random worlds with random periodic segments (some reading
 * others, stored compositions from a batch refresh), for every partner, on every engine; the
 * memberships read by key (in a transaction, and while the in-process copy is behind), then from the in-process copy of the compositions once it has
 * caught up with each world's new segments and compositions (membership-copy.ts). The seed is
 * printed; SEGMENTA_PROPERTY_SEED replays a run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshSegments } from '../src/domain/segments/batch-refresh.js';
import { dependencyOrder } from '../src/domain/segments/dependencies.js';
import { keepMembershipsInMemory, type MembershipCopy } from '../src/domain/segments/membership-copy.js';
import { matchInProcess, readPartnerWorld } from '../src/domain/segments/one-partner.js';
import { partnerReads } from '../src/domain/segments/partner-reads.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import { loadRuleCatalog } from '../src/rules/catalog.js';
import { checkRule } from '../src/rules/check-rule.js';
import { selectCheckedMembers, type NamedRule } from '../src/sql/compile/rule-set.js';
import type { Queryable } from '../src/sql/queryable.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { storeTemplateSegments } from './support/template-segments.js';
import { loadWorld } from './support/load-world.js';
import { finishWorld } from './support/resolve-picks.js';
import { conditionArb, ruleArb, ruleTemplateArb, worldRulesArb } from './support/rule-arbitrary.js';
import { worldArb } from './support/world-arbitrary.js';

const SEED = Number(process.env.SEGMENTA_PROPERTY_SEED ?? 20261207);
const WORLDS = Number(process.env.SEGMENTA_PROPERTY_WORLDS ?? 6);
const SEGMENTS_PER_WORLD = 12;

const scenarioArb = worldArb(worldRulesArb).chain((generated) =>
  fc
    .record({
      templates: fc.array(ruleTemplateArb('partner', generated.asOf, ruleArb('partner', generated.asOf, conditionArb('partner', generated.asOf))), {
        minLength: SEGMENTS_PER_WORLD,
        maxLength: SEGMENTS_PER_WORLD,
      }),
    })
    .map((more) => ({ ...generated, ...more })),
);

describe.each(ENGINES)('one partner checked in process on $name', (engine) => {
  let db: Database;
  /** Null on a server engine (PostgreSQL): other processes write there, so checks read by key. */
  let copy: MembershipCopy | null;
  beforeAll(async () => {
    db = await engine.create();
    copy = keepMembershipsInMemory(db);
  });
  afterAll(async () => db?.close());

  it(`equals the compiled check on ${WORLDS} random worlds × ${SEGMENTS_PER_WORLD} segments, every partner`, async () => {
    console.log(`[one partner ${engine.name}] seed ${SEED} (replay with SEGMENTA_PROPERTY_SEED=${SEED})`);
    let compared = 0;
    let held = 0;
    let fromCopy = 0;
    const details = await fc.check(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const { asOf } = scenario;
        const world = finishWorld(scenario);
        await db.run('DELETE FROM segment_history');
        await loadWorld(db, world);
        const ids = await storeTemplateSegments(db, world, scenario.templates, asOf, 'one-');
        // Stored compositions to read (those of the world's own segments, and these evaluated once).
        await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf });
        const catalog = await loadRuleCatalog(db);
        const segments = dependencyOrder(
          await Promise.all(
            [...ids, ...world.segments.filter((s) => s.method === 'periodic' && s.kind === 'partner' && s.sql === null && s.rule !== null && s.rule !== undefined).map((s) => s.id)].map((id) =>
              getSegment(db, id),
            ),
          ),
        );
        const rules: NamedRule[] = [];
        for (const segment of segments) {
          const checked = checkRule(segment.rule, { kind: 'partner', catalog, parameters: segment.parameters, segmentId: segment.id });
          if (!checked.ok) throw new Error(`invalid rule of ${segment.id}`);
          rules.push({ id: segment.id, rule: checked.rule });
        }
        const ruleSegments = { ids: new Set(rules.map((r) => r.id)), keepStored: true };
        const partners = [...world.partners.map((p) => p.id), 'no-such-partner'];
        const expected = new Map<string, string[]>();
        for (const partner of partners) {
          const bySql = await selectCheckedMembers(db, rules, { catalog, kind: 'partner', asOf, members: { ids: [partner] }, ruleSegments });
          expected.set(
            partner,
            rules.filter((r) => bySql.get(r.id)!.includes(partner)).map((r) => r.id),
          );
        }
        const compare = async (partner: string, q: Queryable = db) => {
          const one = await readPartnerWorld(q, partner, catalog, rules);
          const actual = one ? [...matchInProcess(one, rules, catalog, asOf)] : [];
          expect(actual, `partner ${partner} at ${asOf}: ${JSON.stringify(rules.map((r) => [r.id, r.rule]))}`).toEqual(expected.get(partner));
          compared += rules.length;
          held += expected.get(partner)!.length;
        };
        // In a transaction the copy is not used: memberships by key, in the one statement.
        await db.transaction(async (tx) => {
          for (const partner of partners) await compare(partner, tx);
        });
        // The copy still holds the last world's compositions (or none): read by key, or half caught up.
        for (const partner of partners) await compare(partner);
        // Caught up: every composition read comes from the copy.
        if (copy) {
          const segmentsRead = partnerReads(rules, catalog).segments;
          await copy.ready(segmentsRead);
          const before = copy.stats();
          for (const partner of partners) await compare(partner);
          expect(copy.stats().byKey).toBe(before.byKey);
          fromCopy += copy.stats().fromCopy - before.fromCopy;
        }
      }),
      { seed: SEED, numRuns: WORLDS, endOnFailure: process.env.SEGMENTA_PROPERTY_SHRINK !== '1' },
    );
    if (details.failed) {
      throw new Error(`seed ${SEED}, path ${details.counterexamplePath}: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
    }
    console.log(`[one partner ${engine.name}] ${compared} verdicts agreed, ${held} of them true; ${fromCopy} compositions read from the copy`);
    expect(held).toBeGreaterThan(0);
    if (copy) expect(fromCopy).toBeGreaterThan(0);
    expect(compared - held).toBeGreaterThan(0);
  }, 300_000);
});
