import { z } from 'zod';
import type { ConditionNode, RuleNode } from '../../rules/ast/rule-node.js';
import { isCondition } from '../../rules/ast/rule-node.js';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { printRule } from '../../rules/print-rule.js';
import { ruleInvalidError } from '../../rules/rule-error.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import type { LeftSide } from '../../sql/compile/left-side.js';
import { measureSpecOf } from '../../sql/compile/measure-spec.js';
import { managerInScope } from '../access/partner-scope-sql.js';
import { sql } from '../../sql/sql.js';
import { compileValues, decodeValue } from '../analytics/condition-values.js';
import { column, defineReport, type CellValue, type ColumnType, type ReportColumn } from './report.js';
import { asOfParam, limitParam, segmentParam } from './report-params.js';
import { memberTable, reportSegment } from './report-segments.js';

/** Every condition of a rule, in reading order. */
function conditionsOf(node: RuleNode): ConditionNode[] {
  if (isCondition(node)) return [node];
  if (node.kind === 'not') return conditionsOf(node.rule);
  return node.rules.flatMap(conditionsOf);
}

/** What a condition reads, without its comparison: conditions reading the same field share a column. */
function fieldOf(node: ConditionNode): Record<string, unknown> {
  const { op: _op, value: _value, ...field } = printRule(node) as Record<string, unknown>;
  return field;
}

function titleOf(node: ConditionNode, asOf: string): string {
  switch (node.kind) {
    case 'attr':
      return node.attr;
    case 'score':
      return node.score;
    case 'inSegment':
      return `in segment ${node.segment}`;
    case 'measure': {
      if (node.measure === 'registration.days') return node.measure;
      const range = measureSpecOf(node, asOf).range;
      const where = fieldOf(node).where;
      return `${node.measure} (${range.from ?? '…'} – ${range.to}${where ? `, where ${JSON.stringify(where)}` : ''})`;
    }
  }
}

function typeOf(left: LeftSide): ColumnType {
  if (left.kind === 'ratio') return 'number';
  if (left.kind === 'scalar') return left.type === 'number' ? 'number' : left.type === 'date' ? 'date' : 'text';
  return 'text';
}

const cell = (value: ReturnType<typeof decodeValue>): CellValue => (Array.isArray(value) ? value.join('|') : (value as CellValue));

/**
 * A segment's members with the fields its rule uses (SPEC §6): each attribute, measure (over
 * the dates it counts on asOf), score or segment the rule reads gets a column with the
 * member's actual value — the numbers the rule compared.
 */
export const compositionReport = defineReport({
  name: 'composition',
  title: 'Composition of a segment with the fields its rule uses',
  description: "The segment's members, each with the value of every field its rule reads, on a date",
  params: z.object({
    segment: segmentParam,
    asOf: asOfParam.describe('Values on this day (default today); the members: the current composition (a dynamic segment: on this day)'),
    limit: limitParam,
  }),
  async run(db, scope, params) {
    const segment = await reportSegment(db, 'composition', params.segment);
    const asOf = resolveAsOf(params.asOf);
    const catalog = await loadRuleCatalog(db);
    const fields: { node: ConditionNode; key: string }[] = [];
    if (segment.rule !== null && segment.rule !== undefined && segment.sql === null) {
      const checked = checkRule(segment.rule, { kind: segment.kind, catalog, parameters: segment.parameters, segmentId: segment.id });
      if (!checked.ok) throw ruleInvalidError(checked.issues, segment.id);
      for (const node of conditionsOf(checked.rule)) {
        const key = JSON.stringify(fieldOf(node));
        if (!fields.some((f) => f.key === key)) fields.push({ node, key });
      }
    }
    const values = compileValues({
      conditions: fields.map((f, i) => ({
        json: f.node.kind === 'inSegment' ? printRule(f.node) : { ...fieldOf(f.node), op: 'filled' },
        path: `field ${i}`,
      })),
      ...(segment.method === 'dynamic' ? { filter: { json: { inSegment: segment.id }, path: 'segment' } } : { storedSegment: segment.id }),
      kind: segment.kind,
      catalog,
      dialect: db.dialect,
      asOf,
    });
    // A partner segment: only the members the scope sees (a product segment's are everyone's).
    const inScope = segment.kind === 'partner' ? managerInScope(scope, sql`e.manager_id`) : sql`TRUE`;
    const rows = await db.query(
      sql`SELECT q.*, e.name AS member_name, COUNT(*) OVER () AS member_count FROM (${sql.embed(values)}) q JOIN ${sql.raw(memberTable(segment.kind))} e ON e.id = q.id
       WHERE ${inScope} ORDER BY q.id LIMIT ${sql.raw(String(Math.trunc(params.limit)))}`,
    );
    const members = rows.length ? Number(rows[0]!.member_count) : 0;
    const columns: ReportColumn[] = [column('id', 'Id'), column('name', 'Name'), ...fields.map((f, i) => column(`f${i}`, titleOf(f.node, asOf), typeOf(values.lefts[i]!)))];
    return {
      parameters: { segment: segment.id, asOf, limit: params.limit },
      summary: { segment: segment.id, segmentName: segment.name, method: segment.method, kind: segment.kind, members, fields: fields.length },
      tables: [
        {
          name: 'members',
          title: 'Members',
          columns,
          rows: rows.map((row) => ({
            id: String(row.id),
            name: String(row.member_name),
            ...Object.fromEntries(fields.map((_, i) => [`f${i}`, cell(decodeValue(values.lefts[i]!, row, i))])),
          })),
          total: members,
        },
      ],
    };
  },
});
