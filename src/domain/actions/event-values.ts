import type { ConditionNode } from '../../rules/ast/rule-node.js';
import { visitRule, type RuleVisitor } from '../../rules/ast/rule-visitor.js';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { printRule } from '../../rules/print-rule.js';
import type { Database } from '../../storage/database.js';
import { compileValues, decodeValue } from '../analytics/condition-values.js';
import type { Segment } from '../segments/segment.schema.js';

/** A value a rule read: a number, text, date, flag, a roles list, or null (no value). */
export type EventValue = string | number | boolean | null | readonly string[];

const conditionsOf: RuleVisitor<ConditionNode[]> = {
  all: (node) => node.rules.flatMap((r) => visitRule(r, conditionsOf, undefined)),
  any: (node) => node.rules.flatMap((r) => visitRule(r, conditionsOf, undefined)),
  not: (node) => visitRule(node.rule, conditionsOf, undefined),
  attr: (node) => [node],
  measure: (node) => [node],
  score: (node) => [node],
  // Membership in another segment is not a value: the event names the segment already.
  inSegment: () => [],
};

/** What a condition reads: `sales.revenue`, `region`, `rfm`. */
const readKey = (node: ConditionNode): string | null => (node.kind === 'attr' ? node.attr : node.kind === 'measure' ? node.measure : node.kind === 'score' ? node.score : null);

/**
 * The values a segment's rule read for the members of one message (issue 18, "the values that
 * matter"): each attribute, measure and score the rule compares, keyed by what it reads
 * (`settlements.overdue`, `region`; a rule reading one measure twice gives the first
 * condition's). One query for the whole message, by the compiler that selects members, so a
 * task's `{settlements.overdue}` is the number the rule compared — as of when the message is
 * built. Empty for a segment without a rule (manual, custom SQL).
 */
export async function ruleValues(db: Database, segment: Segment, memberIds: readonly string[], asOf: string): Promise<Map<string, Record<string, EventValue>>> {
  const values = new Map<string, Record<string, EventValue>>();
  if (segment.rule === null || segment.rule === undefined || segment.sql !== null || memberIds.length === 0) return values;
  const catalog = await loadRuleCatalog(db);
  const checked = checkRule(segment.rule, { kind: segment.kind, catalog, parameters: segment.parameters });
  if (!checked.ok) return values;
  const seen = new Set<string>();
  const conditions = visitRule(checked.rule, conditionsOf, undefined).filter((node) => {
    const key = readKey(node);
    if (key === null || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (!conditions.length) return values;
  const query = compileValues({
    conditions: conditions.map((node, i) => ({ json: printRule(node), path: `$.values[${i}]` })),
    memberIds,
    kind: segment.kind,
    catalog,
    dialect: db.dialect,
    asOf,
  });
  for (const row of await db.query(query.sql, query.params)) {
    const record: Record<string, EventValue> = {};
    conditions.forEach((node, i) => (record[readKey(node)!] = decodeValue(query.lefts[i]!, row, i)));
    values.set(String(row.id), record);
  }
  return values;
}
