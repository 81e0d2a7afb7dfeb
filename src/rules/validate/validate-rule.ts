import type { PeriodExpr } from '../ast/period-node.js';
import { CALENDAR_UNITS } from '../ast/period-node.js';
import type { RuleNode } from '../ast/rule-node.js';
import { visitRule, type RuleVisitor } from '../ast/rule-visitor.js';
import type { ValueNode } from '../ast/value-node.js';
import { isIsoDate } from '../calendar.js';
import type { RuleCatalog } from '../catalog.js';
import { describeJson, pathIndex, pathKey, type RuleIssue } from '../issues/rule-issue.js';
import { resolveAttribute, type RuleKind } from '../vocabulary/attributes.js';
import { MEASURES, type WhereKey } from '../vocabulary/measures.js';
import { DEAL_OUTCOMES, INTERACTION_DIRECTIONS } from '../../model/entities.js';
import { HIERARCHY_OPERATORS, MEASURE_OPERATORS, OPERATORS_BY_TYPE, type Operator } from '../vocabulary/operators.js';
import { checkIds, checkOperand } from './check-operand.js';
import { findCycle, segmentReferences } from './segment-references.js';

/** What a rule is checked against. */
export interface RuleContext {
  /** Partners or products: decides the attributes, and whether measures and scores apply. */
  readonly kind: RuleKind;
  readonly catalog: RuleCatalog;
  /** The segment whose rule this is, to refuse cycles through it. */
  readonly segmentId?: string;
}

/** The largest `last` count: 10,000 days is 27 years. */
export const MAX_PERIOD_COUNT = 10_000;

/** Values the `where` keys with a closed list of values accept. */
const WHERE_VALUES: Partial<Record<WhereKey, readonly string[]>> = {
  direction: INTERACTION_DIRECTIONS,
  outcome: DEAL_OUTCOMES,
};

interface State {
  readonly context: RuleContext;
  readonly issues: RuleIssue[];
}

function checkOperator(op: Operator, allowed: readonly Operator[], subject: string, path: string, issues: RuleIssue[]): boolean {
  if (allowed.includes(op)) return true;
  issues.push({ code: 'operator_not_allowed', path: pathKey(path, 'op'), op, subject, allowed });
  return false;
}

function checkSegment(id: string, expected: RuleKind, path: string, state: State): void {
  const info = state.context.catalog.segments.get(id);
  if (!info) {
    state.issues.push({ code: 'unknown_segment', path, segment: id });
  } else if (info.kind !== expected) {
    state.issues.push({ code: 'segment_kind_mismatch', path, segment: id, expected, actual: info.kind });
  } else if (info.method === 'dynamic' && info.rule === null) {
    state.issues.push({ code: 'segment_not_usable', path, segment: id });
  }
}

function checkPeriod(period: PeriodExpr, path: string, issues: RuleIssue[]): void {
  const literal = (node: ValueNode): unknown => (node.kind === 'literal' ? node.value : node.kind === 'list' ? [] : node);
  switch (period.kind) {
    case 'param':
      return; // reported by the fold-parameters pass
    case 'last': {
      const count = literal(period.count);
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_PERIOD_COUNT) {
        issues.push({ code: 'invalid_value', path: pathKey(pathKey(path, 'last'), period.unit), expected: 'period-count', found: describeJson(count) });
      }
      return;
    }
    case 'range': {
      const from = period.from && literal(period.from);
      const to = period.to && literal(period.to);
      if (period.from && !isIsoDate(from)) issues.push({ code: 'invalid_value', path: pathKey(path, 'from'), expected: 'date', found: describeJson(from) });
      if (period.to && !isIsoDate(to)) issues.push({ code: 'invalid_value', path: pathKey(path, 'to'), expected: 'date', found: describeJson(to) });
      if (isIsoDate(from) && isIsoDate(to) && from > to) issues.push({ code: 'invalid_period', path, reason: 'from-after-to' });
      return;
    }
    case 'current':
    case 'previous': {
      const unit = literal(period.unit);
      if (typeof unit !== 'string' || !(CALENDAR_UNITS as readonly string[]).includes(unit)) {
        issues.push({ code: 'invalid_value', path: pathKey(path, period.kind), expected: 'calendar-unit', found: describeJson(unit) });
      }
    }
  }
}

const validator: RuleVisitor<void, { state: State; path: string }> = {
  all: (node, { state, path }) => node.rules.forEach((r, i) => visit(r, state, pathIndex(pathKey(path, 'all'), i))),
  any: (node, { state, path }) => node.rules.forEach((r, i) => visit(r, state, pathIndex(pathKey(path, 'any'), i))),
  not: (node, { state, path }) => visit(node.rule, state, pathKey(path, 'not')),
  attr: (node, { state, path }) => {
    const { kind, catalog } = state.context;
    const attribute = resolveAttribute(kind, node.attr, catalog.properties[kind]);
    if (!attribute) {
      state.issues.push({ code: 'unknown_attribute', path: pathKey(path, 'attr'), attribute: node.attr, kind });
      return;
    }
    const allowed = attribute.source === 'column' && attribute.hierarchy ? [...OPERATORS_BY_TYPE[attribute.type], ...HIERARCHY_OPERATORS] : OPERATORS_BY_TYPE[attribute.type];
    if (!checkOperator(node.op, allowed, `"${node.attr}" (${attribute.type})`, path, state.issues)) return;
    const values = attribute.source === 'roles' ? attribute.values : attribute.source === 'column' ? attribute.values : undefined;
    checkOperand(node.op, { type: attribute.type, ...(values ? { values } : {}) }, node.value, path, state.issues);
  },
  measure: (node, { state, path }) => {
    if (state.context.kind !== 'partner') {
      state.issues.push({ code: 'not_for_kind', path, what: 'measure', kind: state.context.kind });
      return;
    }
    if (node.period) {
      if (MEASURES[node.measure].period) checkPeriod(node.period, pathKey(path, 'period'), state.issues);
      else state.issues.push({ code: 'period_not_allowed', path: pathKey(path, 'period'), measure: node.measure });
    }
    for (const where of node.where) {
      const wherePath = pathKey(pathKey(path, 'where'), where.key);
      const ids = checkIds(where.value, wherePath, state.issues, WHERE_VALUES[where.key]);
      if (where.key === 'productSegment') {
        const items = where.value.kind === 'list' ? where.value.items : [where.value];
        items.forEach((item, i) => {
          if (item.kind === 'literal' && typeof item.value === 'string' && ids.includes(item.value)) {
            checkSegment(item.value, 'product', where.value.kind === 'list' ? pathIndex(wherePath, i) : wherePath, state);
          }
        });
      }
    }
    if (checkOperator(node.op, MEASURE_OPERATORS, `measure "${node.measure}"`, path, state.issues)) {
      checkOperand(node.op, { type: 'number' }, node.value, path, state.issues);
    }
  },
  score: (node, { state, path }) => {
    if (state.context.kind !== 'partner') {
      state.issues.push({ code: 'not_for_kind', path, what: 'score', kind: state.context.kind });
      return;
    }
    if (!state.context.catalog.scores.has(node.score)) {
      state.issues.push({ code: 'unknown_score', path: pathKey(path, 'score'), score: node.score });
      return;
    }
    if (checkOperator(node.op, MEASURE_OPERATORS, `score "${node.score}"`, path, state.issues)) {
      checkOperand(node.op, { type: 'number' }, node.value, path, state.issues);
    }
  },
  inSegment: (node, { state, path }) => checkSegment(node.segment, state.context.kind, pathKey(path, 'inSegment'), state),
};

function visit(node: RuleNode, state: State, path: string): void {
  visitRule(node, validator, { state, path });
}

/**
 * Checks a parameter-folded rule against the catalog: attributes and properties exist for
 * the kind, each operator suits its attribute's type, values have the right type, periods
 * and `where` filters make sense, scores and segments exist, and no segment reference
 * closes a cycle through the segment being saved. Returns every issue (none: valid).
 */
export function validateRule(rule: RuleNode, context: RuleContext): RuleIssue[] {
  const state: State = { context, issues: [] };
  visit(rule, state, '$');
  if (context.segmentId !== undefined) {
    const memo = new Map<string, string[]>();
    for (const reference of segmentReferences(rule)) {
      if (!context.catalog.segments.has(reference.segment)) continue;
      const cycle = findCycle(context.segmentId, reference.segment, context.catalog, memo);
      if (cycle) state.issues.push({ code: 'segment_cycle', path: reference.path, cycle });
    }
  }
  return state.issues;
}
