/** Validation on save: every kind of mistake is refused with the JSON path of the bad node and a clear message. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors/app-error.js';
import { createRuleCatalog, type SegmentRuleInfo } from '../../src/rules/catalog.js';
import { checkRule, type CheckRuleOptions } from '../../src/rules/check-rule.js';
import { issueMessageEn } from '../../src/rules/issues/messages.en.js';
import type { RuleIssue } from '../../src/rules/issues/rule-issue.js';
import { parseRule } from '../../src/rules/parse/parse-rule.js';
import { printRule } from '../../src/rules/print-rule.js';
import { compileRule } from '../../src/sql/compile/compile-rule.js';
import { duckdbDialect } from '../../src/sql/dialects/duckdb.js';

const segment = (id: string, kind: 'partner' | 'product', method: SegmentRuleInfo['method'], rule: unknown = null, sql: string | null = null): SegmentRuleInfo => ({
  id,
  kind,
  method,
  rule,
  sql,
  parameters: {},
});

const catalog = createRuleCatalog({
  properties: { partner: { vip: 'boolean', size: 'number', since: 'date', tier: 'string' }, product: { weight: 'number' } },
  segments: [
    segment('vip', 'partner', 'manual'),
    segment('b', 'partner', 'dynamic', { inSegment: 'a' }),
    segment('c', 'partner', 'dynamic', { all: [{ inSegment: 'b' }] }),
    segment('tea', 'product', 'manual'),
    segment('p2', 'product', 'dynamic', { inSegment: 'p1' }),
    segment('custom', 'partner', 'dynamic', null, 'SELECT id FROM partners'),
  ],
});

const options: CheckRuleOptions = { kind: 'partner', catalog };
const issues = (rule: unknown, extra: Partial<CheckRuleOptions> = {}): RuleIssue[] => {
  const checked = checkRule(rule, { ...options, ...extra });
  return checked.ok ? [] : [...checked.issues];
};
const codes = (rule: unknown, extra: Partial<CheckRuleOptions> = {}) => issues(rule, extra).map((i) => `${i.code} at ${i.path}`);

describe('checkRule', () => {
  it('accepts the rule language as written in SPEC §3', () => {
    const rule = {
      all: [
        {
          any: [
            { attr: 'region', op: 'inHierarchy', value: 'perm' },
            { attr: 'roles', op: 'contains', value: 'customer' },
          ],
        },
        { not: { attr: 'deleted', op: 'eq', value: true } },
        { measure: 'sales.revenue', period: { last: { days: 90 } }, where: { productGroup: 'tea', manager: ['m1', 'm2'] }, op: 'gt', value: 10000 },
        { measure: 'interactions.count', period: { from: '2025-01-01', to: '2025-03-31' }, where: { type: 'call', direction: 'out' }, op: 'eq', value: 0 },
        { measure: 'deals.count', period: { current: 'year' }, where: { type: 'new', outcome: 'won' }, op: 'gte', value: 1 },
        { measure: 'settlements.overdueReceivable', period: { previous: 'month' }, op: 'gt', value: 0 },
        { measure: 'registration.days', op: 'between', value: [0, 365] },
        { score: 'rfm.r', op: 'gte', value: 4 },
        { inSegment: 'vip' },
        { attr: 'properties.since', op: 'anniversaryWithin', value: 7 },
        { attr: 'email', op: 'filled' },
      ],
    };
    expect(issues(rule)).toEqual([]);
    // The AST prints back to the same JSON.
    const parsed = parseRule(rule);
    expect(parsed.ok && printRule(parsed.rule)).toEqual(rule);
  });

  it('reports the path of a bad node inside all / any / not', () => {
    const rule = { all: [{ attr: 'name', op: 'eq', value: 'x' }, { any: [{ attr: 'name', op: 'equals', value: 'x' }] }, { not: { attr: 'nme', op: 'eq', value: 'x' } }] };
    expect(issues(rule)).toEqual([{ code: 'unknown_operator', path: '$.all[1].any[0].op', op: 'equals' }]);
    // Shape problems come first; names are checked once the shape is right.
    expect(codes({ all: [{ any: [{ attr: 'name', op: 'eq', value: 'x' }] }, { not: { attr: 'nme', op: 'eq', value: 'x' } }] })).toEqual(['unknown_attribute at $.all[1].not.attr']);
  });

  it('refuses what is not a rule', () => {
    expect(codes('region = perm')).toEqual(['not_an_object at $']);
    expect(codes({})).toEqual(['unknown_node at $']);
    expect(codes({ all: [], any: [] })).toEqual(['ambiguous_node at $']);
    expect(codes({ all: {} })).toEqual(['expected_list at $.all']);
    expect(codes({ attr: 'name', op: 'eq', value: 'x', label: 'typo' })).toEqual(['unknown_key at $.label']);
    expect(codes({ attr: 'name', value: 'x' })).toEqual(['missing_field at $.op']);
    expect(codes({ attr: 5, op: 'eq', value: 'x' })).toEqual(['expected_name at $.attr']);
    expect(codes({ inSegment: '' })).toEqual(['expected_name at $.inSegment']);
    let deep: unknown = { attr: 'name', op: 'filled' };
    for (let i = 0; i < 40; i++) deep = { not: deep };
    expect(codes(deep)[0]).toMatch(/^too_deep at \$(\.not)+$/);
  });

  it('knows the attributes of partners, products and additional properties', () => {
    expect(codes({ attr: 'regoin', op: 'eq', value: 'perm' })).toEqual(['unknown_attribute at $.attr']);
    expect(codes({ attr: 'brand', op: 'eq', value: 'Acme' })).toEqual(['unknown_attribute at $.attr']);
    expect(codes({ attr: 'brand', op: 'eq', value: 'Acme' }, { kind: 'product' })).toEqual([]);
    expect(codes({ attr: 'properties.vip', op: 'eq', value: true })).toEqual([]);
    expect(codes({ attr: 'properties.weight', op: 'gt', value: 1 })).toEqual(['unknown_attribute at $.attr']);
    expect(codes({ attr: 'properties.weight', op: 'gt', value: 1 }, { kind: 'product' })).toEqual([]);
  });

  it('allows only the operators of the attribute type', () => {
    expect(issues({ attr: 'birthDate', op: 'contains', value: '05' })).toEqual([
      expect.objectContaining({ code: 'operator_not_allowed', path: '$.op', op: 'contains', subject: '"birthDate" (date)' }),
    ]);
    expect(codes({ attr: 'manager', op: 'inHierarchy', value: 'm1' })).toEqual(['operator_not_allowed at $.op']);
    expect(codes({ attr: 'region', op: 'inHierarchy', value: ['perm', 'kazan'] })).toEqual([]);
    expect(codes({ attr: 'name', op: 'anniversaryWithin', value: 3 })).toEqual(['operator_not_allowed at $.op']);
    expect(codes({ attr: 'name', op: 'gt', value: 'a' })).toEqual(['operator_not_allowed at $.op']);
    expect(codes({ attr: 'deleted', op: 'in', value: [true] })).toEqual(['operator_not_allowed at $.op']);
    expect(codes({ attr: 'roles', op: 'beginsWith', value: 'cust' })).toEqual(['operator_not_allowed at $.op']);
    expect(codes({ measure: 'sales.revenue', op: 'contains', value: 1 })).toEqual(['operator_not_allowed at $.op']);
  });

  it('checks the type of every value: dates YYYY-MM-DD, numbers, booleans, roles, lists', () => {
    expect(codes({ attr: 'birthDate', op: 'eq', value: '20.05.1980' })).toEqual(['invalid_value at $.value']);
    expect(codes({ attr: 'birthDate', op: 'eq', value: '2023-02-29' })).toEqual(['invalid_value at $.value']);
    expect(codes({ attr: 'birthDate', op: 'eq', value: '2024-02-29' })).toEqual([]);
    expect(codes({ attr: 'properties.size', op: 'gt', value: '100' })).toEqual(['invalid_value at $.value']);
    expect(codes({ attr: 'properties.size', op: 'gt', value: 0.00001 })).toEqual(['invalid_value at $.value']);
    expect(codes({ attr: 'deleted', op: 'eq', value: 'no' })).toEqual(['invalid_value at $.value']);
    expect(codes({ attr: 'roles', op: 'contains', value: 'client' })).toEqual(['value_not_allowed at $.value']);
    expect(codes({ attr: 'roles', op: 'in', value: ['customer', 'client'] })).toEqual(['value_not_allowed at $.value[1]']);
    expect(codes({ attr: 'legalForm', op: 'eq', value: 'corporation' })).toEqual(['value_not_allowed at $.value']);
    expect(codes({ attr: 'name', op: 'in', value: 'x' })).toEqual(['invalid_value at $.value']);
    // An empty list is an unfinished condition (issue 21): `in []`, `inHierarchy []` are refused.
    expect(codes({ attr: 'name', op: 'in', value: [] })).toEqual(['missing_value at $.value']);
    expect(codes({ attr: 'region', op: 'inHierarchy', value: [] })).toEqual(['missing_value at $.value']);
    expect(codes({ attr: 'region', op: 'notInHierarchy', value: [] })).toEqual(['missing_value at $.value']);
    expect(codes({ attr: 'registeredAt', op: 'between', value: ['2025-01-01'] })).toEqual(['invalid_value at $.value']);
    expect(codes({ attr: 'registeredAt', op: 'between', value: ['2025-12-31', '2025-01-01'] })).toEqual(['inverted_range at $.value']);
    expect(codes({ attr: 'birthDate', op: 'anniversaryWithin', value: 400 })).toEqual(['invalid_value at $.value']);
    expect(codes({ attr: 'name', op: 'like', value: 'ends with \\' })).toEqual(['invalid_value at $.value']);
    expect(codes({ attr: 'name', op: 'eq', value: { text: 'x' } })).toEqual(['invalid_value at $.value']);
    expect(codes({ attr: 'email', op: 'filled', value: 'yes' })).toEqual(['value_not_expected at $.value']);
    expect(codes({ attr: 'email', op: 'filled', value: null })).toEqual([]);
    expect(codes({ attr: 'email', op: 'eq' })).toEqual(['missing_value at $']);
    expect(codes({ attr: 'email', op: 'eq', value: null })).toEqual(['missing_value at $.value']);
  });

  it('checks measures: names, periods, where keys and values', () => {
    expect(codes({ measure: 'sales.turnover', op: 'gt', value: 1 })).toEqual(['unknown_measure at $.measure']);
    expect(codes({ measure: 'sales.revenue', period: { last: { days: 0 } }, op: 'gt', value: 1 })).toEqual(['invalid_value at $.period.last.days']);
    expect(codes({ measure: 'sales.revenue', period: { last: { weeks: 2 } }, op: 'gt', value: 1 })).toEqual(['unknown_key at $.period.last.weeks']);
    expect(codes({ measure: 'sales.revenue', period: { last: { days: 1, months: 1 } }, op: 'gt', value: 1 })).toEqual(['invalid_period at $.period.last']);
    expect(codes({ measure: 'sales.revenue', period: { from: '2025-03-01', to: '2025-01-01' }, op: 'gt', value: 1 })).toEqual(['invalid_period at $.period']);
    expect(codes({ measure: 'sales.revenue', period: { from: '2025-13-01' }, op: 'gt', value: 1 })).toEqual(['invalid_value at $.period.from']);
    expect(codes({ measure: 'sales.revenue', period: { current: 'week' }, op: 'gt', value: 1 })).toEqual(['invalid_value at $.period.current']);
    expect(codes({ measure: 'sales.revenue', period: { current: 'month', from: '2025-01-01' }, op: 'gt', value: 1 })).toEqual(['invalid_period at $.period']);
    expect(codes({ measure: 'sales.revenue', period: 'last month', op: 'gt', value: 1 })).toEqual(['invalid_period at $.period']);
    expect(codes({ measure: 'registration.days', period: { current: 'year' }, op: 'gt', value: 1 })).toEqual(['period_not_allowed at $.period']);
    expect(codes({ measure: 'interactions.count', where: { product: 'tea' }, op: 'gt', value: 1 })).toEqual(['unknown_where_key at $.where.product']);
    expect(codes({ measure: 'settlements.receivable', where: { manager: 'm1' }, op: 'gt', value: 1 })).toEqual(['unknown_where_key at $.where.manager']);
    expect(codes({ measure: 'interactions.count', where: { direction: 'sideways' }, op: 'gt', value: 1 })).toEqual(['value_not_allowed at $.where.direction']);
    expect(codes({ measure: 'deals.count', where: { outcome: ['won', 'maybe'] }, op: 'gt', value: 1 })).toEqual(['value_not_allowed at $.where.outcome[1]']);
    expect(codes({ measure: 'sales.revenue', where: { productSegment: 'nope' }, op: 'gt', value: 1 })).toEqual(['unknown_segment at $.where.productSegment']);
    expect(codes({ measure: 'sales.revenue', where: { productSegment: ['tea', 'vip'] }, op: 'gt', value: 1 })).toEqual(['segment_kind_mismatch at $.where.productSegment[1]']);
    expect(codes({ measure: 'sales.revenue', where: 'tea', op: 'gt', value: 1 })).toEqual(['invalid_value at $.where']);
    expect(codes({ measure: 'sales.revenue', op: 'gt', value: 1 }, { kind: 'product' })).toEqual(['not_for_kind at $']);
  });

  it('checks scores and segment references', () => {
    expect(codes({ score: 'rfm.x', op: 'gt', value: 1 })).toEqual(['unknown_score at $.score']);
    expect(codes({ score: 'rfm.r', op: 'gt', value: 1 }, { kind: 'product' })).toEqual(['not_for_kind at $']);
    expect(codes({ inSegment: 'nope' })).toEqual(['unknown_segment at $.inSegment']);
    expect(codes({ inSegment: 'tea' })).toEqual(['segment_kind_mismatch at $.inSegment']);
    expect(codes({ inSegment: 'custom' })).toEqual(['segment_not_usable at $.inSegment']);
  });

  it('refuses cycles of segment references: A uses B uses A', () => {
    // Stored: b uses a, c uses b. Saving a with a reference to c closes a → c → b → a.
    expect(issues({ all: [{ attr: 'name', op: 'filled' }, { inSegment: 'c' }] }, { segmentId: 'a' })).toEqual([{ code: 'segment_cycle', path: '$.all[1].inSegment', cycle: ['a', 'c', 'b', 'a'] }]);
    expect(codes({ inSegment: 'a' }, { segmentId: 'a', catalog: createRuleCatalog({ segments: [segment('a', 'partner', 'dynamic', { inSegment: 'a' })] }) })).toEqual(['segment_cycle at $.inSegment']);
    // Through product segments used in `where`.
    expect(codes({ inSegment: 'p2' }, { kind: 'product', segmentId: 'p1', catalog: createRuleCatalog({ segments: [segment('p2', 'product', 'dynamic', { inSegment: 'p1' })] }) })).toEqual([
      'segment_cycle at $.inSegment',
    ]);
    expect(codes({ inSegment: 'c' }, { segmentId: 'z' })).toEqual([]);
  });

  it('folds parameters, and reports missing ones where they are used', () => {
    const rule = { measure: 'sales.revenue', period: { last: { months: { param: 'months' } } }, where: { productSegment: { param: 'segment' } }, op: 'gt', value: { param: 'amount' } };
    const checked = checkRule(rule, { ...options, parameters: { months: 24, segment: 'tea', amount: 10000 } });
    expect(checked.ok).toBe(true);
    if (checked.ok) {
      expect(printRule(checked.rule)).toEqual({ measure: 'sales.revenue', period: { last: { months: 24 } }, where: { productSegment: 'tea' }, op: 'gt', value: 10000 });
      expect(printRule(checked.source)).toEqual(rule);
    }
    expect(codes(rule, { parameters: { months: 24 } })).toEqual(['missing_parameter at $.where.productSegment', 'missing_parameter at $.value']);
    // A parameter's value is checked where it lands.
    expect(codes(rule, { parameters: { months: 0, segment: 'tea', amount: 'much' } })).toEqual(['invalid_value at $.period.last.months', 'invalid_value at $.value']);
    expect(codes({ measure: 'sales.revenue', period: { param: 'p' }, op: 'gt', value: 1 }, { parameters: { p: { current: 'quarter' } } })).toEqual([]);
    expect(codes({ measure: 'sales.revenue', period: { param: 'p' }, op: 'gt', value: 1 }, { parameters: { p: { current: 'week' } } })).toEqual(['invalid_value at $.period.current']);
    expect(codes({ attr: 'name', op: 'eq', value: { param: 5 } })).toEqual(['invalid_param at $.value']);
    expect(codes({ attr: 'name', op: 'eq', value: { param: 'x' } }, { parameters: { x: { param: 'y' } } })).toEqual(['invalid_value at $.value']);
  });

  it('has an English message for every issue, apart from its code', () => {
    const all = [
      ...issues({
        all: [
          { attr: 'nme', op: 'eq', value: 1 },
          { measure: 'sales.revenue', period: { last: { weeks: 1 } }, op: 'gt', value: 1 },
        ],
      }),
      ...issues({ attr: 'roles', op: 'contains', value: 'client' }),
      ...issues({ inSegment: 'c' }, { segmentId: 'a' }),
    ];
    for (const issue of all) {
      const message = issueMessageEn(issue);
      expect(message).not.toMatch(/undefined|\[object/);
      expect(message.length).toBeGreaterThan(10);
    }
    expect(issueMessageEn({ code: 'segment_cycle', path: '$', cycle: ['a', 'c', 'b', 'a'] })).toBe('Segments refer to each other in a circle: a → c → b → a');
  });

  it('compiling an invalid rule is refused with RULE_INVALID (422) and every issue', () => {
    let error: unknown;
    try {
      compileRule(
        {
          all: [
            { attr: 'regoin', op: 'eq', value: 'perm' },
            { attr: 'birthDate', op: 'gt', value: 'yesterday' },
          ],
        },
        { dialect: duckdbDialect, catalog, kind: 'partner', asOf: '2025-01-01' },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.status).toBe(422);
    expect(appError.toJSON().error).toMatchObject({
      code: 'RULE_INVALID',
      message: 'The rule is not valid: $.all[0].attr: Partners have no attribute "regoin" (and 1 more)',
      details: {
        issues: [
          { code: 'unknown_attribute', path: '$.all[0].attr' },
          { code: 'invalid_value', path: '$.all[1].value' },
        ],
      },
    });
    expect(() => compileRule({ all: [] }, { dialect: duckdbDialect, catalog, kind: 'partner', asOf: '2025-13-01' })).toThrow(/asOf must be a date/);
  });
});
