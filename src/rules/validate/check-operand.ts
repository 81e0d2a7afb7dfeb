import type { ValueNode } from '../ast/value-node.js';
import { isIsoDate } from '../calendar.js';
import { describeJson, pathIndex, pathKey, type ExpectedValue, type RuleIssue } from '../issues/rule-issue.js';
import { MAX_ANNIVERSARY_DAYS, OPERAND_SHAPES, type Operator, type ValueType } from '../vocabulary/operators.js';

/** What the left side of a condition is, as far as its `value` is concerned. */
export interface OperandTarget {
  readonly type: ValueType;
  /** The only values an attribute may hold (legal form, roles), checked for eq / ne / in / notIn. */
  readonly values?: readonly string[];
}

/** Numbers a rule compares are amounts kept to 4 decimal places, like DECIMAL(18,4). */
export const isRuleNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e14 && /^-?\d+(\.\d{1,4})?$/.test(String(value));

/** A LIKE pattern must not end with its escape character, `\`. */
export function isLikePattern(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      if (i === pattern.length - 1) return false;
      i++;
    }
  }
  return true;
}

const SCALAR_EXPECTED: Readonly<Record<ValueType, ExpectedValue>> = {
  text: 'text',
  number: 'number',
  date: 'date',
  boolean: 'boolean',
  roles: 'role',
};

function matchesType(type: ValueType, value: unknown): boolean {
  switch (type) {
    case 'text':
    case 'roles':
      return typeof value === 'string';
    case 'number':
      return isRuleNumber(value);
    case 'date':
      return isIsoDate(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

const found = (node: ValueNode): string => describeJson(node.kind === 'literal' ? node.value : node.kind === 'list' ? '[list]' : { param: node.name });

/** A scalar of the target's type (and among its allowed values, when it has some). */
function checkScalar(target: OperandTarget, node: ValueNode, path: string, issues: RuleIssue[], checkValues: boolean): boolean {
  if (node.kind !== 'literal' || !matchesType(target.type, node.value)) {
    issues.push({ code: 'invalid_value', path, expected: SCALAR_EXPECTED[target.type], found: found(node) });
    return false;
  }
  if (checkValues && target.values && !target.values.includes(node.value as string)) {
    issues.push({ code: 'value_not_allowed', path, value: describeJson(node.value), allowed: target.values });
    return false;
  }
  return true;
}

const literalOf = (node: ValueNode): unknown => (node.kind === 'literal' ? node.value : undefined);

/**
 * Checks a condition's `value` against its operator and left side: a pair for between, a
 * list for in, nothing for filled, a role for roles, a date 'YYYY-MM-DD' for dates…
 */
export function checkOperand(op: Operator, target: OperandTarget, value: ValueNode | undefined, nodePath: string, issues: RuleIssue[]): void {
  const path = pathKey(nodePath, 'value');
  const shape = OPERAND_SHAPES[op];
  if (shape === 'none') {
    if (value && !(value.kind === 'literal' && value.value === null)) issues.push({ code: 'value_not_expected', path, op });
    return;
  }
  if (!value || (value.kind === 'literal' && value.value === null)) {
    issues.push({ code: 'missing_value', path: value ? path : nodePath, op });
    return;
  }
  switch (shape) {
    case 'one':
    case 'text': {
      if (shape === 'text' && target.type === 'text') {
        if (value.kind !== 'literal' || typeof value.value !== 'string') {
          issues.push({ code: 'invalid_value', path, expected: 'text', found: found(value) });
        } else if (op === 'like' && !isLikePattern(value.value)) {
          issues.push({ code: 'invalid_value', path, expected: 'like-pattern', found: describeJson(value.value) });
        }
        return;
      }
      checkScalar(target, value, path, issues, true);
      return;
    }
    case 'pair': {
      if (value.kind !== 'list' || value.items.length !== 2) {
        issues.push({ code: 'invalid_value', path, expected: 'pair', found: found(value) });
        return;
      }
      const ok = value.items.map((item, i) => checkScalar(target, item, pathIndex(path, i), issues, false));
      const [low, high] = value.items.map(literalOf) as [number | string, number | string];
      if (ok[0] && ok[1] && low > high) issues.push({ code: 'inverted_range', path, low: describeJson(low), high: describeJson(high) });
      return;
    }
    case 'list': {
      if (value.kind !== 'list') {
        issues.push({ code: 'invalid_value', path, expected: 'list', found: found(value) });
        return;
      }
      // An empty list is an unfinished condition (nobody would match), not a rule (issue 21).
      if (value.items.length === 0) issues.push({ code: 'missing_value', path, op });
      value.items.forEach((item, i) => checkScalar(target, item, pathIndex(path, i), issues, true));
      return;
    }
    case 'ids':
      if (value.kind === 'list' && value.items.length === 0) issues.push({ code: 'missing_value', path, op });
      else checkIds(value, path, issues);
      return;
    case 'days': {
      const days = literalOf(value);
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > MAX_ANNIVERSARY_DAYS) {
        issues.push({ code: 'invalid_value', path, expected: 'days', found: found(value) });
      }
      return;
    }
  }
}

/** One id or a list of ids (non-empty texts). */
export function checkIds(value: ValueNode, path: string, issues: RuleIssue[], allowed?: readonly string[]): string[] {
  const items = value.kind === 'list' ? value.items : [value];
  const ids: string[] = [];
  items.forEach((item, i) => {
    const itemPath = value.kind === 'list' ? pathIndex(path, i) : path;
    if (item.kind !== 'literal' || typeof item.value !== 'string' || item.value === '') {
      issues.push({ code: 'invalid_value', path: itemPath, expected: value.kind === 'list' ? 'id' : 'ids', found: found(item) });
    } else if (allowed && !allowed.includes(item.value)) {
      issues.push({ code: 'value_not_allowed', path: itemPath, value: describeJson(item.value), allowed });
    } else {
      ids.push(item.value);
    }
  });
  return ids;
}
