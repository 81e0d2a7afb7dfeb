/**
 * The segments of the seeds, on every engine, with results worked out by hand — and the
 * reference evaluator must agree with the same numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuleCatalog, type RuleCatalog } from '../../src/rules/catalog.js';
import { referenceMembers } from '../../src/rules/reference/evaluate.js';
import type { RuleParameters } from '../../src/rules/transform/fold-parameters.js';
import { selectMembers } from '../../src/sql/compile/compile-rule.js';
import { explainMember } from '../../src/sql/compile/explain.js';
import type { Database } from '../../src/storage/database.js';
import { ENGINES } from '../engines.js';
import { loadWorld } from '../support/load-world.js';
import { AS_OF, URAL_TRADE } from './fixtures/ural-trade.js';

/** Seed 002: one rule, a segment per cell of the cumulative-discount table. */
const CUMULATIVE_PURCHASES = {
  measure: 'sales.revenue',
  period: { last: { months: { param: 'months' } } },
  where: { productSegment: { param: 'productSegment' } },
  op: 'gt',
  value: { param: 'amount' },
};

describe.each(ENGINES)('seed scenarios on $name', (engine) => {
  let db: Database;
  let catalog: RuleCatalog;
  beforeAll(async () => {
    db = await engine.create();
    await loadWorld(db, URAL_TRADE);
    catalog = await loadRuleCatalog(db);
  });
  afterAll(async () => db?.close());

  const members = async (rule: unknown, asOf = AS_OF, parameters: RuleParameters = {}): Promise<string[]> => {
    const found = await selectMembers(db, rule, { catalog, kind: 'partner', asOf, parameters });
    expect(referenceMembers(rule, URAL_TRADE, { kind: 'partner', asOf, parameters }), 'the reference evaluator').toEqual(found);
    return found;
  };

  it('seed 001: region "Perm" with everything below it, not marked for deletion', async () => {
    const rule = {
      all: [
        { attr: 'region', op: 'inHierarchy', value: 'perm' },
        { attr: 'deleted', op: 'eq', value: false },
      ],
    };
    // perm-2 is marked for deletion; perm-3 has no mark at all, which is not a mark.
    expect(await members(rule)).toEqual(['anna', 'perm-1', 'perm-3']);
    expect(await members({ attr: 'region', op: 'notInHierarchy', value: 'perm' })).toEqual(['boris', 'edge-1', 'kazan-1', 'leap', 'msk-1', 'vera', 'zavod']);
  });

  it('seed 001: no interactions for 180 days', async () => {
    // perm-3's survey of 2024-11-21 is 181 days back; its call of 2025-01-10 is recent.
    expect(await members({ measure: 'interactions.count', period: { last: { days: 180 } }, op: 'eq', value: 0 })).toEqual([
      'anna',
      'boris',
      'edge-1',
      'kazan-1',
      'leap',
      'msk-1',
      'perm-2',
      'vera',
      'zavod',
    ]);
    // Days since the last interaction: partners never contacted have no value, so only kazan-1 (200 days).
    expect(await members({ measure: 'interactions.daysSinceLast', op: 'gte', value: 180 })).toEqual(['kazan-1']);
    // Never contacted: everyone but perm-1, perm-3 and kazan-1.
    expect(await members({ measure: 'interactions.daysSinceLast', op: 'notFilled' })).toHaveLength(URAL_TRADE.partners.length - 3);
  });

  it('seed 001: turnover for the current quarter over 10,000', async () => {
    const turnover = (op: string) => ({ measure: 'sales.revenue', period: { current: 'quarter' }, op, value: 10000 });
    // edge-1 has exactly 10,000; msk-1 has 9,000 less a 500 return (a sale after asOf does not count); kazan-1 bought last quarter.
    expect(await members(turnover('gt'))).toEqual(['perm-1']);
    expect(await members(turnover('gte'))).toEqual(['edge-1', 'perm-1']);
    expect(await members({ measure: 'sales.revenue', period: { previous: 'quarter' }, op: 'gt', value: 10000 })).toEqual(['kazan-1']);
  });

  it('seed 001: settlements — receivables, overdue receivables, payables', async () => {
    expect(await members({ measure: 'settlements.receivable', op: 'gt', value: 0 })).toEqual(['kazan-1', 'perm-1', 'perm-3']);
    // kazan-1's debt is not due yet; perm-3's payment settled its oldest debt and part of the next.
    expect(await members({ measure: 'settlements.overdueReceivable', op: 'gt', value: 0 })).toEqual(['perm-1', 'perm-3']);
    expect(await members({ measure: 'settlements.overdueReceivable', op: 'eq', value: 300 })).toEqual(['perm-3']);
    expect(await members({ measure: 'settlements.maxDaysOverdue', op: 'eq', value: 50 })).toEqual(['perm-1']);
    expect(await members({ measure: 'settlements.maxDaysOverdue', op: 'eq', value: 10 })).toEqual(['perm-3']);
    expect(await members({ measure: 'settlements.payable', op: 'eq', value: 700 })).toEqual(['msk-1']);
    // At the end of March perm-1 still owed all 5,000, not yet overdue (due 2025-03-31).
    expect(await members({ measure: 'settlements.receivable', period: { previous: 'month' }, op: 'eq', value: 5000 })).toEqual([]);
    expect(await members({ measure: 'settlements.receivable', period: { to: '2025-03-31' }, op: 'eq', value: 5000 })).toEqual(['perm-1']);
    // On 2025-04-05 perm-1's debt was 5 days overdue; perm-3's new debt of 2025-04-01 was not due yet.
    expect(await members({ measure: 'settlements.overdueReceivable', period: { to: '2025-04-05' }, op: 'eq', value: 5000 })).toEqual(['perm-1']);
    expect(await members({ measure: 'settlements.maxDaysOverdue', period: { to: '2025-04-05' }, op: 'eq', value: 5 })).toEqual(['perm-1']);
    expect(await members({ measure: 'settlements.overdueReceivable', period: { to: '2025-04-05' }, op: 'gt', value: 0 })).toEqual(['perm-1']);
  });

  it('seed 001: private persons not marked for deletion whose birthday is today', async () => {
    const birthday = (days: number) => ({
      all: [
        { attr: 'legalForm', op: 'eq', value: 'person' },
        { attr: 'deleted', op: 'ne', value: true },
        { attr: 'birthDate', op: 'anniversaryWithin', value: days },
      ],
    });
    expect(await members(birthday(0))).toEqual(['anna']);
    expect(await members(birthday(1))).toEqual(['anna', 'boris']);
  });

  it('February 29 birthdays fall on February 28 in common years', async () => {
    const leap = (days: number) => ({
      all: [
        { attr: 'id', op: 'eq', value: 'leap' },
        { attr: 'birthDate', op: 'anniversaryWithin', value: days },
      ],
    });
    expect(await members(leap(0), '2025-02-28')).toEqual(['leap']);
    expect(await members(leap(0), '2025-03-01')).toEqual([]);
    expect(await members(leap(0), '2024-02-28')).toEqual([]);
    expect(await members(leap(0), '2024-02-29')).toEqual(['leap']);
    expect(await members(leap(1), '2023-02-27')).toEqual(['leap']);
    expect(await members(leap(59), '2024-12-31')).toEqual(['leap']);
    expect(await members(leap(58), '2024-12-31')).toEqual([]);
    expect(await members(leap(59), '2027-12-31')).toEqual([]);
    expect(await members(leap(60), '2027-12-31')).toEqual(['leap']);
  });

  it('seed 002: cumulative purchases of a product segment — one rule, a segment per cell', async () => {
    const cell = (months: number, productSegment: string, amount: number) => members(CUMULATIVE_PURCHASES, AS_OF, { months, productSegment, amount });
    // 24 months back from 2025-05-20 starts on 2023-05-21: kazan-1's 20,000 of 2023-05-19 is out, its 3,000 of 2023-05-21 in.
    expect(await cell(24, 'segment1', 10000)).toEqual(['kazan-1', 'perm-3']);
    expect(await cell(12, 'segment1', 10000)).toEqual([]);
    expect(await cell(12, 'segment1', 5000)).toEqual(['edge-1', 'kazan-1', 'msk-1', 'perm-1']);
    // "tools" is a dynamic product segment: its rule is compiled inline.
    expect(await cell(24, 'tools', 10000)).toEqual(['kazan-1']);
  });

  it('deals without a creation date count for all time but not in a period', async () => {
    expect(await members({ measure: 'deals.lostCount', op: 'eq', value: 1 })).toEqual(['perm-1']);
    expect(await members({ measure: 'deals.lostCount', period: { to: '2030-01-01' }, op: 'eq', value: 1 })).toEqual([]);
    expect(await members({ measure: 'deals.wonAmount', period: { current: 'year' }, op: 'eq', value: 50000 })).toEqual(['perm-1']);
  });

  it('explains a partner: each condition with its actual value', async () => {
    const explanation = await explainMember(db, CUMULATIVE_PURCHASES, {
      catalog,
      kind: 'partner',
      asOf: AS_OF,
      parameters: { months: 24, productSegment: 'segment1', amount: 10000 },
      memberId: 'perm-3',
    });
    expect(explanation).toMatchObject({
      memberId: 'perm-3',
      matched: true,
      rule: {
        kind: 'measure',
        path: '$',
        value: 10500.5,
        period: { from: '2023-05-21', to: AS_OF },
        matched: true,
        condition: { measure: 'sales.revenue', period: { last: { months: 24 } }, where: { productSegment: 'segment1' }, op: 'gt', value: 10000 },
      },
    });
    const perm = await explainMember(
      db,
      {
        all: [
          { attr: 'region', op: 'inHierarchy', value: 'perm' },
          { attr: 'deleted', op: 'eq', value: false },
          { attr: 'roles', op: 'contains', value: 'supplier' },
        ],
      },
      { catalog, kind: 'partner', asOf: AS_OF, memberId: 'perm-2' },
    );
    expect(perm?.matched).toBe(false);
    expect(perm?.rule).toMatchObject({
      kind: 'all',
      matched: false,
      children: [
        { path: '$.all[0]', value: 'perm-dz', matched: true },
        { path: '$.all[1]', value: true, matched: false },
        { path: '$.all[2]', value: ['customer'], matched: false },
      ],
    });
    expect(await explainMember(db, { all: [] }, { catalog, kind: 'partner', asOf: AS_OF, memberId: 'nobody' })).toBeNull();
  });
});
