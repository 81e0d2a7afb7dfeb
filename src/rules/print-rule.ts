import type { PeriodExpr } from './ast/period-node.js';
import type { RuleNode } from './ast/rule-node.js';
import { visitRule, type RuleVisitor } from './ast/rule-visitor.js';
import type { ValueNode } from './ast/value-node.js';

/** JSON as the rule language writes it. */
export type RuleJson = { readonly [key: string]: unknown };

const value = (node: ValueNode): unknown => (node.kind === 'literal' ? node.value : node.kind === 'list' ? node.items.map(value) : { param: node.name });

const period = (node: PeriodExpr): unknown => {
  switch (node.kind) {
    case 'param':
      return { param: node.name };
    case 'last':
      return { last: { [node.unit]: value(node.count) } };
    case 'range':
      return { ...(node.from ? { from: value(node.from) } : {}), ...(node.to ? { to: value(node.to) } : {}) };
    case 'current':
      return { current: value(node.unit) };
    case 'previous':
      return { previous: value(node.unit) };
  }
};

const withValue = (node: { readonly value?: ValueNode }) => (node.value ? { value: value(node.value) } : {});

const printer: RuleVisitor<RuleJson> = {
  all: (node) => ({ all: node.rules.map(printRule) }),
  any: (node) => ({ any: node.rules.map(printRule) }),
  not: (node) => ({ not: printRule(node.rule) }),
  attr: (node) => ({ attr: node.attr, op: node.op, ...withValue(node) }),
  score: (node) => ({ score: node.score, op: node.op, ...withValue(node) }),
  inSegment: (node) => ({ inSegment: node.segment }),
  measure: (node) => ({
    measure: node.measure,
    ...(node.period ? { period: period(node.period) } : {}),
    ...(node.where.length ? { where: Object.fromEntries(node.where.map((w) => [w.key, value(w.value)])) } : {}),
    op: node.op,
    ...withValue(node),
  }),
};

/** The JSON of a rule node: parseRule(printRule(r)) gives r back. */
export function printRule(node: RuleNode): RuleJson {
  return visitRule(node, printer, undefined);
}
