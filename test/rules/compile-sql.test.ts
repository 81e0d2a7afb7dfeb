/** The SQL each dialect gets for one rule (the one base compiler, small dialect hooks), and measure specs for planners. */
import { describe, expect, it } from 'vitest';
import { createRuleCatalog } from '../../src/rules/catalog.js';
import { checkRule } from '../../src/rules/check-rule.js';
import type { Dialect } from '../../src/sql/dialect.js';
import { collectMeasureSpecs, compileRule, type CompiledQuery } from '../../src/sql/compile/compile-rule.js';
import { compileMemberChecks, planBatch, type NamedRule } from '../../src/sql/compile/rule-set.js';
import { duckdbDialect } from '../../src/sql/dialects/duckdb.js';
import { postgresDialect } from '../../src/sql/dialects/postgres.js';

/** A sum of revenue, filtered or not, in either dialect's form (Dialect.filteredSum). */
const REVENUE_SUM = /SUM\((?:CASE WHEN (?:(?!SUM\().)*? THEN )?t\d+\.revenue(?: ELSE 0 END)?\)/g;

/** One expectation per dialect: leaving a dialect out does not compile. */
type PerDialect<T> = Record<Dialect['name'], T>;
const DIALECTS: PerDialect<Dialect> = { duckdb: duckdbDialect, postgres: postgresDialect };

const catalog = createRuleCatalog();

describe('rule compiler', () => {
  it('writes one SQL text with dialect hooks for date arithmetic and month/day', () => {
    // "Bought from manager m1 in the last 30 days" and "birthday within a week" across the new year.
    const rule = {
      all: [
        { measure: 'sales.daysSinceLast', where: { manager: 'm1' }, op: 'lt', value: 30 },
        { attr: 'birthDate', op: 'anniversaryWithin', value: 7 },
      ],
    };
    const scan = (text: string) =>
      `SELECT t0.id AS id FROM partners t0 LEFT JOIN (SELECT t2.partner_id, MAX(t2.date) FILTER (WHERE t2.manager_id IN (CAST($1 AS ${text})) AND t2.quantity >= 0) AS c0 FROM sales t2 WHERE t2.date <= CAST($2 AS DATE) GROUP BY t2.partner_id) t1 ON t1.partner_id = t0.id WHERE `;
    const expected: PerDialect<CompiledQuery> = {
      duckdb: {
        sql:
          scan('VARCHAR') +
          "((date_diff('day', t1.c0, CAST($2 AS DATE)) < CAST($3 AS DECIMAL(18,4))) IS TRUE AND (((month(t0.birth_date) * 100 + day(t0.birth_date)) >= CAST($4 AS INTEGER) OR (month(t0.birth_date) * 100 + day(t0.birth_date)) <= CAST($5 AS INTEGER))) IS TRUE)",
        params: ['m1', '2025-12-28', '30', 1228, 104],
      },
      postgres: {
        sql:
          scan('TEXT') +
          '(((CAST($2 AS DATE) - t1.c0) < CAST($3 AS NUMERIC(18,4))) IS TRUE AND ((CAST(EXTRACT(MONTH FROM t0.birth_date) * 100 + EXTRACT(DAY FROM t0.birth_date) AS INTEGER) >= CAST($4 AS INTEGER) OR CAST(EXTRACT(MONTH FROM t0.birth_date) * 100 + EXTRACT(DAY FROM t0.birth_date) AS INTEGER) <= CAST($5 AS INTEGER))) IS TRUE)',
        params: ['m1', '2025-12-28', '30', 1228, 104],
      },
    };
    for (const [name, dialect] of Object.entries(DIALECTS) as [Dialect['name'], Dialect][]) {
      expect(compileRule(rule, { dialect, catalog, kind: 'partner', asOf: '2025-12-28' })).toEqual(expected[name]);
    }
  });

  it('shares one scan of a fact table between the measures of a rule', () => {
    const rule = {
      any: [
        { measure: 'sales.revenue', period: { current: 'year' }, op: 'gt', value: 1000 },
        { measure: 'sales.averageCheck', period: { current: 'year' }, op: 'gt', value: 100 },
        { measure: 'sales.revenue', period: { current: 'year' }, op: 'lt', value: 0 },
      ],
    };
    const { sql } = compileRule(rule, { dialect: duckdbDialect, catalog, kind: 'partner', asOf: '2025-06-30' });
    // One scan aggregates the lines, one groups the purchase lines by document.
    expect(sql.match(/FROM sales /g)).toHaveLength(2);
    // Revenue is aggregated once for the three conditions; documents once for the average.
    expect(sql.match(REVENUE_SUM)).toHaveLength(1);
    expect(sql.match(/bool_or\(/g)).toHaveLength(1);
    expect(sql).toMatch(/GROUP BY t\d+\.partner_id, t\d+\.document/);
    expect(sql).not.toMatch(/DISTINCT/);
  });

  it('gives a planner the distinct measure specs of many rules, with stable keys', () => {
    const specs = (rule: unknown, asOf: string) => {
      const checked = checkRule(rule, { kind: 'partner', catalog });
      if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
      return collectMeasureSpecs(checked.rule, asOf);
    };
    const a = specs({ measure: 'sales.revenue', period: { last: { months: 12 } }, where: { manager: ['m2', 'm1'] }, op: 'gt', value: 1 }, '2025-06-30');
    const b = specs(
      {
        all: [
          { measure: 'sales.revenue', period: { from: '2024-07-01', to: '2025-06-30' }, where: { manager: ['m1', 'm2'] }, op: 'lt', value: 9 },
          { measure: 'sales.revenue', op: 'gt', value: 0 },
        ],
      },
      '2025-06-30',
    );
    // The same facts by a different spelling: the same key.
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(2);
    expect(b[0]!.key).toBe(a[0]!.key);
    expect(a[0]).toMatchObject({ measure: 'sales.revenue', source: 'sales', range: { from: '2024-07-01', to: '2025-06-30' }, where: [{ key: 'manager', values: ['m1', 'm2'] }] });
    expect(b[1]!.range).toEqual({ from: null, to: '2025-06-30' });
  });

  const named = (id: string, rule: unknown): NamedRule => {
    const checked = checkRule(rule, { kind: 'partner', catalog });
    if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
    return { id, rule: checked.rule };
  };
  // Four segments over three distinct measures: 1C's cumulative discount cells, a lapsed-client rule, a debtor rule.
  const cells = [
    named('bronze', { measure: 'sales.revenue', period: { last: { months: 12 } }, op: 'between', value: [10000, 49999.99] }),
    named('silver', { measure: 'sales.revenue', period: { last: { months: 12 } }, op: 'gte', value: 50000 }),
    named('lapsed', {
      all: [
        { measure: 'sales.daysSinceLast', op: 'gt', value: 180 },
        { measure: 'sales.revenue', period: { last: { months: 12 } }, op: 'gt', value: 0 },
      ],
    }),
    named('debtor', { measure: 'settlements.overdueReceivable', op: 'gt', value: 0 }),
  ];

  it('plans many rules over one pass per fact table, each distinct measure computed once', () => {
    for (const dialect of Object.values(DIALECTS)) {
      const plan = planBatch(cells, { dialect, catalog, kind: 'partner', asOf: '2025-06-30', table: 'refresh_measures' });
      expect(plan.distinctMeasures).toBe(3);
      expect(plan.factScans).toBe(2);
      expect(plan.measures.sql.match(/FROM sales /g)).toHaveLength(1);
      expect(plan.measures.sql.match(/FROM settlements /g)).toHaveLength(1);
      expect(plan.measures.sql.match(REVENUE_SUM)).toHaveLength(1);
      // Only the partner's columns the rules read are copied (none but the id here).
      expect(plan.measures.sql).toMatch(/^SELECT t0\.id, COALESCE\(t\d+\.c0, 0\) AS m0, /);
      // The rules read the measures table only: no fact table, one boolean column per rule.
      expect([...plan.hits.columns]).toEqual([
        ['bronze', 'h0'],
        ['silver', 'h1'],
        ['lapsed', 'h2'],
        ['debtor', 'h3'],
      ]);
      expect(plan.hits.sql).toMatch(/ FROM refresh_measures t\d+$/);
      expect(plan.hits.sql).not.toMatch(/sales|settlements/);
      expect(plan.hits.params).toEqual(['10000', '49999.99', '50000', '180', '0']);
    }
  });

  it("checks one partner against many rules in one query that reads only that partner's facts", () => {
    const query = compileMemberChecks(cells, { dialect: postgresDialect, catalog, kind: 'partner', asOf: '2025-06-30', members: { ids: ['p1'] } });
    const partner = `$${query.params.indexOf('p1') + 1}`;
    const asOf = `$${query.params.indexOf('2025-06-30') + 1}`;
    // Every fact scan is keyed by the partner alone (an index on partner_id serves it); the date limit moved into the aggregates.
    const scans = query.sql.match(/FROM (sales|settlements)( t\d+)? WHERE [^)]*\)/g)!;
    expect(scans).toHaveLength(2);
    for (const scan of scans) expect(scan.replace(/t\d+\./, '')).toMatch(new RegExp(`WHERE partner_id = CAST\\(\\${partner} AS TEXT\\)$`));
    expect(query.sql).toMatch(new RegExp(`SUM\\(t\\d+\\.revenue\\) FILTER \\(WHERE t\\d+\\.date <= CAST\\(\\${asOf} AS DATE\\) AND `));
    expect(query.sql.endsWith(` WHERE t0.id = CAST(${partner} AS TEXT)`)).toBe(true);
    expect([...query.columns.keys()]).toEqual(['bronze', 'silver', 'lapsed', 'debtor']);
  });
});
