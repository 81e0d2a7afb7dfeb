import { describe, expect, it } from 'vitest';
import { builderPathOf, incompleteConditions, plainQuery, queryToRule, queryToRuleWithPaths, ruleToQuery, type BuilderGroup, type RuleJson } from './rule-query';

/**
 * Each case: a rule in our JSON and the builder query written out by hand. Both directions are
 * checked against the hand-written other side, and the round trip gives back the same JSON.
 */
const CASES: [name: string, rule: RuleJson, query: BuilderGroup][] = [
  ['empty all (everyone)', { all: [] }, { combinator: 'and', rules: [] }],
  ['empty any (no one)', { any: [] }, { combinator: 'or', rules: [] }],
  ['attribute, one value', { attr: 'region', op: 'eq', value: 'perm' }, { combinator: 'and', bare: true, rules: [{ field: 'attr:region', operator: 'eq', value: 'perm' }] }],
  [
    'attribute, every operand shape',
    {
      all: [
        { attr: 'registeredAt', op: 'between', value: ['2020-01-01', '2021-12-31'] },
        { attr: 'roles', op: 'in', value: ['customer', 'supplier'] },
        { attr: 'region', op: 'inHierarchy', value: ['ural', 'msk'] },
        { attr: 'name', op: 'contains', value: 'ромаш' },
        { attr: 'birthDate', op: 'anniversaryWithin', value: 7 },
        { attr: 'email', op: 'filled' },
        { attr: 'properties.Сайт', op: 'notFilled' },
        { attr: 'deleted', op: 'eq', value: false },
        { attr: 'properties.Сотрудников', op: 'gte', value: 100 },
      ],
    },
    {
      combinator: 'and',
      rules: [
        { field: 'attr:registeredAt', operator: 'between', value: ['2020-01-01', '2021-12-31'] },
        { field: 'attr:roles', operator: 'in', value: ['customer', 'supplier'] },
        { field: 'attr:region', operator: 'inHierarchy', value: ['ural', 'msk'] },
        { field: 'attr:name', operator: 'contains', value: 'ромаш' },
        { field: 'attr:birthDate', operator: 'anniversaryWithin', value: 7 },
        { field: 'attr:email', operator: 'filled', value: '' },
        { field: 'attr:properties.Сайт', operator: 'notFilled', value: '' },
        { field: 'attr:deleted', operator: 'eq', value: false },
        { field: 'attr:properties.Сотрудников', operator: 'gte', value: 100 },
      ],
    },
  ],
  [
    'measure with period and where',
    { measure: 'sales.revenue', period: { last: { months: 12 } }, where: { productGroup: ['tools'], manager: 'm1' }, op: 'gt', value: 10000 },
    {
      combinator: 'and',
      bare: true,
      rules: [{ field: 'measure:sales.revenue', operator: 'gt', value: 10000, period: { last: { months: 12 } }, where: { productGroup: ['tools'], manager: 'm1' } }],
    },
  ],
  [
    'measures without period or where, every period form, notFilled',
    {
      any: [
        { measure: 'interactions.daysSinceLast', op: 'gte', value: 180 },
        { measure: 'sales.daysSinceLast', op: 'notFilled' },
        { measure: 'sales.documents', period: { current: 'quarter' }, op: 'between', value: [2, 5] },
        { measure: 'sales.quantity', period: { previous: 'year' }, op: 'lt', value: 3 },
        { measure: 'sales.cost', period: { from: '2024-01-01', to: '2024-12-31' }, op: 'ne', value: 0 },
        { measure: 'deals.count', period: { last: { days: 30 } }, where: { outcome: 'won' }, op: 'in', value: [1, 2] },
        { measure: 'registration.days', op: 'gt', value: 365 },
      ],
    },
    {
      combinator: 'or',
      rules: [
        { field: 'measure:interactions.daysSinceLast', operator: 'gte', value: 180 },
        { field: 'measure:sales.daysSinceLast', operator: 'notFilled', value: '' },
        { field: 'measure:sales.documents', operator: 'between', value: [2, 5], period: { current: 'quarter' } },
        { field: 'measure:sales.quantity', operator: 'lt', value: 3, period: { previous: 'year' } },
        { field: 'measure:sales.cost', operator: 'ne', value: 0, period: { from: '2024-01-01', to: '2024-12-31' } },
        { field: 'measure:deals.count', operator: 'in', value: [1, 2], period: { last: { days: 30 } }, where: { outcome: 'won' } },
        { field: 'measure:registration.days', operator: 'gt', value: 365 },
      ],
    },
  ],
  [
    'parameters in values, periods and where',
    {
      all: [
        { measure: 'sales.revenue', period: { last: { months: { param: 'months' } } }, where: { productSegment: { param: 'productSegment' } }, op: 'gt', value: { param: 'amount' } },
        { measure: 'sales.grossProfit', period: { param: 'period' }, op: 'gte', value: 0 },
        { attr: 'region', op: 'inHierarchy', value: { param: 'region' } },
      ],
    },
    {
      combinator: 'and',
      rules: [
        {
          field: 'measure:sales.revenue',
          operator: 'gt',
          value: { param: 'amount' },
          period: { last: { months: { param: 'months' } } },
          where: { productSegment: { param: 'productSegment' } },
        },
        { field: 'measure:sales.grossProfit', operator: 'gte', value: 0, period: { param: 'period' } },
        { field: 'attr:region', operator: 'inHierarchy', value: { param: 'region' } },
      ],
    },
  ],
  ['score', { score: 'rfm.r', op: 'gte', value: 4 }, { combinator: 'and', bare: true, rules: [{ field: 'score:rfm.r', operator: 'gte', value: 4 }] }],
  ['score without a value', { all: [{ score: 'rfm.m', op: 'notFilled' }] }, { combinator: 'and', rules: [{ field: 'score:rfm.m', operator: 'notFilled', value: '' }] }],
  ['segment reference', { inSegment: 'vip' }, { combinator: 'and', bare: true, rules: [{ field: 'segment', operator: 'inSegment', value: 'vip' }] }],
  ['not of a condition', { not: { attr: 'deleted', op: 'eq', value: true } }, { combinator: 'and', not: true, bare: true, rules: [{ field: 'attr:deleted', operator: 'eq', value: true }] }],
  [
    'not of all of one condition (not simplified away)',
    { not: { all: [{ attr: 'deleted', op: 'eq', value: true }] } },
    { combinator: 'and', not: true, rules: [{ field: 'attr:deleted', operator: 'eq', value: true }] },
  ],
  [
    'not of any',
    { not: { any: [{ inSegment: 'a' }, { inSegment: 'b' }] } },
    {
      combinator: 'or',
      not: true,
      rules: [
        { field: 'segment', operator: 'inSegment', value: 'a' },
        { field: 'segment', operator: 'inSegment', value: 'b' },
      ],
    },
  ],
  [
    'not of not',
    { not: { not: { inSegment: 'a' } } },
    { combinator: 'and', not: true, bare: true, rules: [{ combinator: 'and', not: true, bare: true, rules: [{ field: 'segment', operator: 'inSegment', value: 'a' }] }] },
  ],
  [
    'nested groups: all of any of not',
    {
      all: [
        { attr: 'deleted', op: 'eq', value: false },
        {
          any: [
            { attr: 'region', op: 'inHierarchy', value: 'ural' },
            { all: [{ measure: 'sales.revenue', period: { last: { days: 365 } }, op: 'gt', value: 100000 }, { not: { inSegment: 'blacklist' } }] },
          ],
        },
      ],
    },
    {
      combinator: 'and',
      rules: [
        { field: 'attr:deleted', operator: 'eq', value: false },
        {
          combinator: 'or',
          rules: [
            { field: 'attr:region', operator: 'inHierarchy', value: 'ural' },
            {
              combinator: 'and',
              rules: [
                { field: 'measure:sales.revenue', operator: 'gt', value: 100000, period: { last: { days: 365 } } },
                { combinator: 'and', not: true, bare: true, rules: [{ field: 'segment', operator: 'inSegment', value: 'blacklist' }] },
              ],
            },
          ],
        },
      ],
    },
  ],
];

describe('rule JSON ⇄ query builder', () => {
  it.each(CASES)('%s: rule → query', (_, rule, query) => {
    expect(ruleToQuery(rule)).toEqual(query);
  });

  it.each(CASES)('%s: query → rule', (_, rule, query) => {
    expect(queryToRule(query)).toEqual(rule);
  });

  it.each(CASES)('%s: round trip gives the same JSON, key order included', (_, rule) => {
    expect(JSON.stringify(queryToRule(ruleToQuery(rule)))).toBe(JSON.stringify(rule));
  });

  it('keeps nothing the builder adds (ids, paths)', () => {
    const query: BuilderGroup = {
      id: 'g1',
      path: [],
      combinator: 'and',
      rules: [{ id: 'r1', path: [0], field: 'attr:region', operator: 'eq', value: 'perm' }],
    };
    expect(queryToRule(query)).toEqual({ all: [{ attr: 'region', op: 'eq', value: 'perm' }] });
    expect(plainQuery(query)).toEqual({ combinator: 'and', rules: [{ field: 'attr:region', operator: 'eq', value: 'perm' }] });
  });

  it('reads a bare group that gained a sibling as all / any of its children', () => {
    const query: BuilderGroup = {
      combinator: 'or',
      bare: true,
      rules: [
        { field: 'segment', operator: 'inSegment', value: 'a' },
        { field: 'segment', operator: 'inSegment', value: 'b' },
      ],
    };
    expect(queryToRule(query)).toEqual({ any: [{ inSegment: 'a' }, { inSegment: 'b' }] });
  });

  it('reads a missing rule as an empty all', () => {
    expect(ruleToQuery(null)).toEqual({ combinator: 'and', rules: [] });
  });

  it('finds the builder item an issue path points into', () => {
    const { paths } = queryToRuleWithPaths(ruleToQuery(CASES.at(-1)![1]));
    expect(builderPathOf('$.all[1].any[1].all[0].value', paths)).toEqual([1, 1, 0]);
    expect(builderPathOf('$.all[1].any[1].all[1].not.inSegment', paths)).toEqual([1, 1, 1, 0]);
    expect(builderPathOf('$.all[1].any', paths)).toEqual([1]);
    expect(builderPathOf('$', paths)).toEqual([]);
    const bare = queryToRuleWithPaths(ruleToQuery({ attr: 'region', op: 'eq', value: 1 })).paths;
    expect(builderPathOf('$.value', bare)).toEqual([0]);
  });
});

describe('unfinished conditions (issue 21)', () => {
  it('finds conditions without a value: an empty list, a cleared number, one end of a range, no segment', () => {
    const query: BuilderGroup = {
      combinator: 'and',
      rules: [
        { field: 'attr:deleted', operator: 'eq', value: false },
        { field: 'attr:region', operator: 'inHierarchy', value: [] },
        { field: 'measure:sales.revenue', operator: 'gt', value: null },
        { field: 'attr:email', operator: 'filled', value: '' },
        {
          combinator: 'or',
          rules: [
            { field: 'attr:registeredAt', operator: 'between', value: ['2025-01-01', ''] },
            { field: 'segment', operator: 'inSegment', value: '' },
          ],
        },
        { field: 'measure:sales.revenue', operator: 'gt', value: 0 },
      ],
    };
    expect(incompleteConditions(query)).toEqual([[1], [2], [4, 0], [4, 1]]);
  });
});
