import { AllNode } from '../ast/all-node.js';
import { AnyNode } from '../ast/any-node.js';
import { AttrNode } from '../ast/attr-node.js';
import { InSegmentNode } from '../ast/in-segment-node.js';
import { MeasureNode, type WhereNode } from '../ast/measure-node.js';
import { NotNode } from '../ast/not-node.js';
import type { RuleNode } from '../ast/rule-node.js';
import { ScoreNode } from '../ast/score-node.js';
import type { ValueNode } from '../ast/value-node.js';
import { describeJson, pathIndex, pathKey, type RuleIssue } from '../issues/rule-issue.js';
import { isMeasureName, whereKeysOf, type WhereKey } from '../vocabulary/measures.js';
import { isOperator, type Operator } from '../vocabulary/operators.js';
import { parsePeriod } from './parse-period.js';
import { isPlainObject, parseValue } from './parse-value.js';

/** Deeper nesting than any real rule; keeps a hostile rule from exhausting the stack. */
export const MAX_RULE_DEPTH = 32;

/** The keys each node kind takes; the first one names the kind. */
const NODE_KEYS = {
  all: ['all'],
  any: ['any'],
  not: ['not'],
  attr: ['attr', 'op', 'value'],
  measure: ['measure', 'period', 'where', 'op', 'value'],
  score: ['score', 'op', 'value'],
  inSegment: ['inSegment'],
} as const;
type NodeKey = keyof typeof NODE_KEYS;
const KIND_KEYS = Object.keys(NODE_KEYS) as NodeKey[];

export type ParseResult = { readonly ok: true; readonly rule: RuleNode } | { readonly ok: false; readonly issues: readonly RuleIssue[] };

/**
 * Reads a rule written in the JSON language of SPEC §3 into a readonly AST, checking its
 * shape, operator names, measure names, period shapes and `where` keys. Every problem is
 * reported (not just the first), each with its JSON path. Names that depend on the
 * database (attributes, properties, scores, segments) are checked by validateRule.
 *
 * @example
 * parseRule({ all: [{ attr: 'region', op: 'inHierarchy', value: 'perm' }] })
 * // → { ok: true, rule: { kind: 'all', rules: [{ kind: 'attr', attr: 'region', op: 'inHierarchy', value: { kind: 'literal', value: 'perm' } }] } }
 */
export function parseRule(input: unknown): ParseResult {
  const issues: RuleIssue[] = [];
  const rule = parseNode(input, '$', 0, issues);
  return rule && issues.length === 0 ? { ok: true, rule } : { ok: false, issues };
}

function parseNode(json: unknown, path: string, depth: number, issues: RuleIssue[]): RuleNode | undefined {
  if (depth > MAX_RULE_DEPTH) {
    issues.push({ code: 'too_deep', path, max: MAX_RULE_DEPTH });
    return undefined;
  }
  if (!isPlainObject(json)) {
    issues.push({ code: 'not_an_object', path, found: describeJson(json) });
    return undefined;
  }
  const keys = Object.keys(json);
  const kinds = KIND_KEYS.filter((k) => Object.hasOwn(json, k));
  if (kinds.length === 0) {
    issues.push({ code: 'unknown_node', path, keys });
    return undefined;
  }
  if (kinds.length > 1) {
    issues.push({ code: 'ambiguous_node', path, keys: kinds });
    return undefined;
  }
  const kind = kinds[0]!;
  const allowed: readonly string[] = NODE_KEYS[kind];
  const extra = keys.filter((k) => !allowed.includes(k));
  for (const key of extra) issues.push({ code: 'unknown_key', path: pathKey(path, key), key, allowed });
  const before = issues.length;
  const node = parseKind(kind, json, path, depth, issues);
  return extra.length === 0 && issues.length === before ? node : undefined;
}

function parseKind(kind: NodeKey, json: Record<string, unknown>, path: string, depth: number, issues: RuleIssue[]): RuleNode | undefined {
  switch (kind) {
    case 'all':
    case 'any': {
      const list = json[kind];
      const listPath = pathKey(path, kind);
      if (!Array.isArray(list)) {
        issues.push({ code: 'expected_list', path: listPath, found: describeJson(list) });
        return undefined;
      }
      const rules = list.map((item, i) => parseNode(item, pathIndex(listPath, i), depth + 1, issues));
      if (rules.some((r) => r === undefined)) return undefined;
      return kind === 'all' ? AllNode.create(rules as RuleNode[]) : AnyNode.create(rules as RuleNode[]);
    }
    case 'not': {
      const rule = parseNode(json.not, pathKey(path, 'not'), depth + 1, issues);
      return rule && NotNode.create(rule);
    }
    case 'attr': {
      const attr = parseName(json.attr, pathKey(path, 'attr'), issues);
      const op = parseOperator(json, path, issues);
      const value = parseOptionalValue(json, path, issues);
      return attr !== undefined && op && value.ok ? AttrNode.create(attr, op, value.node) : undefined;
    }
    case 'score': {
      const score = parseName(json.score, pathKey(path, 'score'), issues);
      const op = parseOperator(json, path, issues);
      const value = parseOptionalValue(json, path, issues);
      return score !== undefined && op && value.ok ? ScoreNode.create(score, op, value.node) : undefined;
    }
    case 'inSegment': {
      const segment = parseName(json.inSegment, pathKey(path, 'inSegment'), issues);
      return segment === undefined ? undefined : InSegmentNode.create(segment);
    }
    case 'measure':
      return parseMeasure(json, path, issues);
  }
}

function parseMeasure(json: Record<string, unknown>, path: string, issues: RuleIssue[]): RuleNode | undefined {
  const before = issues.length;
  const name = parseName(json.measure, pathKey(path, 'measure'), issues);
  const measure = name !== undefined && isMeasureName(name) ? name : undefined;
  if (name !== undefined && !measure) issues.push({ code: 'unknown_measure', path: pathKey(path, 'measure'), measure: name });
  const op = parseOperator(json, path, issues);
  const value = parseOptionalValue(json, path, issues);
  const period = json.period === undefined || json.period === null ? undefined : parsePeriod(json.period, pathKey(path, 'period'), issues);

  const where: WhereNode[] = [];
  const wherePath = pathKey(path, 'where');
  if (json.where !== undefined && json.where !== null) {
    if (!isPlainObject(json.where)) {
      issues.push({ code: 'invalid_value', path: wherePath, expected: 'where', found: describeJson(json.where) });
    } else {
      const allowed = measure ? whereKeysOf(measure) : undefined;
      for (const [key, raw] of Object.entries(json.where)) {
        const keyPath = pathKey(wherePath, key);
        if (allowed && !(allowed as readonly string[]).includes(key)) {
          issues.push({ code: 'unknown_where_key', path: keyPath, key, measure: measure!, allowed });
          continue;
        }
        const node = parseValue(raw, keyPath, issues);
        if (node) where.push({ key: key as WhereKey, value: node });
      }
    }
  }
  if (issues.length > before || !measure || !op || !value.ok) return undefined;
  return MeasureNode.create({ measure, op, where, ...(period ? { period } : {}), ...(value.node ? { value: value.node } : {}) });
}

function parseName(json: unknown, path: string, issues: RuleIssue[]): string | undefined {
  if (json === undefined) {
    issues.push({ code: 'missing_field', path, field: path.slice(path.lastIndexOf('.') + 1) });
    return undefined;
  }
  if (typeof json !== 'string' || json.length === 0) {
    issues.push({ code: 'expected_name', path, found: describeJson(json) });
    return undefined;
  }
  return json;
}

function parseOperator(json: Record<string, unknown>, path: string, issues: RuleIssue[]): Operator | undefined {
  const opPath = pathKey(path, 'op');
  const name = parseName(json.op, opPath, issues);
  if (name === undefined) return undefined;
  if (!isOperator(name)) {
    issues.push({ code: 'unknown_operator', path: opPath, op: name });
    return undefined;
  }
  return name;
}

/** `value` may be absent (filled / notFilled); whether it must be is checked by the validator. */
function parseOptionalValue(json: Record<string, unknown>, path: string, issues: RuleIssue[]): { ok: true; node: ValueNode | undefined } | { ok: false } {
  if (!Object.hasOwn(json, 'value') || json.value === undefined) return { ok: true, node: undefined };
  const node = parseValue(json.value, pathKey(path, 'value'), issues);
  return node ? { ok: true, node } : { ok: false };
}
