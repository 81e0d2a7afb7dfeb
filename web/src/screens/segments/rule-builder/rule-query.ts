/**
 * Our rule JSON (docs/rules.md) ⇄ react-querybuilder's query tree, both ways, exactly: a valid
 * rule converted to a query and back is the same JSON (tested for every node type).
 *
 * - `{"all": [...]}` / `{"any": [...]}` are groups with the combinator `and` / `or`.
 * - `{"not": G}` of a group is that group with `not: true`; `{"not": C}` of anything else is a
 *   one-child group marked `bare` with `not: true` (so it does not come back as `not(all[C])`).
 * - A rule that is a single condition is a root group marked `bare` holding it.
 * - Conditions are rules whose `field` says what they read: `attr:<name>`, `measure:<name>`
 *   (with `period` and `where` kept on the rule), `score:<name>`, and `segment` (operator
 *   `inSegment`, the segment id as value). Operators without a value (filled, notFilled) have
 *   the value '' in the builder and none in the JSON.
 */
import type { Path, RuleGroupType, RuleType } from 'react-querybuilder';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type GroupJson = { all: RuleJson[] } | { any: RuleJson[] };
export type NotJson = { not: RuleJson };
export interface AttrJson {
  attr: string;
  op: string;
  value?: JsonValue;
}
export interface MeasureJson {
  measure: string;
  period?: JsonValue;
  where?: { [key: string]: JsonValue };
  op: string;
  value?: JsonValue;
}
export interface ScoreJson {
  score: string;
  op: string;
  value?: JsonValue;
}
export interface InSegmentJson {
  inSegment: string;
}
export type ConditionJson = AttrJson | MeasureJson | ScoreJson | InSegmentJson;
export type RuleJson = GroupJson | NotJson | ConditionJson;

/** A condition in the builder: period and where ride along on measure rules. */
export interface BuilderRule extends RuleType<string, string, JsonValue> {
  period?: JsonValue;
  where?: { [key: string]: JsonValue };
}
export interface BuilderGroup extends Omit<RuleGroupType<BuilderRule, 'and' | 'or'>, 'rules'> {
  rules: BuilderItem[];
  /** Stands for its only child (a condition at the root, or `not` of a condition), not for all[child]. */
  bare?: boolean;
}
export type BuilderItem = BuilderRule | BuilderGroup;

/** The operators that take no value. */
export const VALUELESS_OPERATORS: readonly string[] = ['filled', 'notFilled'];

export const ATTR_PREFIX = 'attr:';
export const MEASURE_PREFIX = 'measure:';
export const SCORE_PREFIX = 'score:';
export const SEGMENT_FIELD = 'segment';
export const IN_SEGMENT_OPERATOR = 'inSegment';

export type FieldKind = 'attr' | 'measure' | 'score' | 'segment';

/** What a builder field reads, and its name in the rule language. */
export function parseField(field: string): { kind: FieldKind; name: string } {
  if (field.startsWith(ATTR_PREFIX)) return { kind: 'attr', name: field.slice(ATTR_PREFIX.length) };
  if (field.startsWith(MEASURE_PREFIX)) return { kind: 'measure', name: field.slice(MEASURE_PREFIX.length) };
  if (field.startsWith(SCORE_PREFIX)) return { kind: 'score', name: field.slice(SCORE_PREFIX.length) };
  if (field === SEGMENT_FIELD) return { kind: 'segment', name: '' };
  // A field the vocabulary does not know (e.g. an attribute renamed since): read as an attribute.
  return { kind: 'attr', name: field };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const has = (value: object, key: string) => Object.prototype.hasOwnProperty.call(value, key);

export function isGroup(item: BuilderItem): item is BuilderGroup {
  return has(item, 'rules') && has(item, 'combinator');
}

// ---------------------------------------------------------------- rule JSON → builder

function toRule(condition: ConditionJson): BuilderRule {
  if ('inSegment' in condition) return { field: SEGMENT_FIELD, operator: IN_SEGMENT_OPERATOR, value: condition.inSegment };
  const value = has(condition, 'value') ? (condition.value as JsonValue) : '';
  if ('attr' in condition) return { field: `${ATTR_PREFIX}${condition.attr}`, operator: condition.op, value };
  if ('score' in condition) return { field: `${SCORE_PREFIX}${condition.score}`, operator: condition.op, value };
  const rule: BuilderRule = { field: `${MEASURE_PREFIX}${condition.measure}`, operator: condition.op, value };
  if (has(condition, 'period')) rule.period = condition.period;
  if (has(condition, 'where')) rule.where = condition.where;
  return rule;
}

function toGroup(rule: GroupJson): BuilderGroup {
  if ('all' in rule) return { combinator: 'and', rules: rule.all.map(toItem) };
  return { combinator: 'or', rules: rule.any.map(toItem) };
}

const isGroupJson = (rule: RuleJson): rule is GroupJson => isObject(rule) && (has(rule, 'all') || has(rule, 'any'));
const isNotJson = (rule: RuleJson): rule is NotJson => isObject(rule) && has(rule, 'not');

function toItem(rule: RuleJson): BuilderItem {
  if (isGroupJson(rule)) return toGroup(rule);
  if (isNotJson(rule)) {
    if (isGroupJson(rule.not)) return { ...toGroup(rule.not), not: true };
    return { combinator: 'and', not: true, bare: true, rules: [toItem(rule.not)] };
  }
  return toRule(rule);
}

/** A rule as the builder's query; no rule (a manual segment) is an empty "all". */
export function ruleToQuery(rule: RuleJson | null | undefined): BuilderGroup {
  if (rule === null || rule === undefined) return { combinator: 'and', rules: [] };
  const item = toItem(rule);
  return isGroup(item) ? item : { combinator: 'and', bare: true, rules: [item] };
}

// ---------------------------------------------------------------- builder → rule JSON

function fromRule(rule: BuilderRule): ConditionJson {
  const { kind, name } = parseField(rule.field);
  const withValue = !VALUELESS_OPERATORS.includes(rule.operator);
  switch (kind) {
    case 'segment':
      return { inSegment: String(rule.value ?? '') };
    case 'attr':
      return withValue ? { attr: name, op: rule.operator, value: rule.value } : { attr: name, op: rule.operator };
    case 'score':
      return withValue ? { score: name, op: rule.operator, value: rule.value } : { score: name, op: rule.operator };
    case 'measure':
      // Keys in the order docs/rules.md writes them: measure, period, where, op, value.
      return {
        measure: name,
        ...(rule.period !== undefined ? { period: rule.period } : {}),
        ...(rule.where !== undefined ? { where: rule.where } : {}),
        op: rule.operator,
        ...(withValue ? { value: rule.value } : {}),
      };
  }
}

/** JSON paths ("$.all[1].any[0]") of the builder's items (by their path), to show issues where they are. */
export type PathIndex = Map<string, Path>;

function fromItem(item: BuilderItem, jsonPath: string, path: Path, index: PathIndex): RuleJson {
  index.set(jsonPath, path);
  if (!isGroup(item)) return fromRule(item);
  const innerPath = item.not ? `${jsonPath}.not` : jsonPath;
  let inner: RuleJson;
  if (item.bare && item.rules.length === 1 && item.combinator === 'and') {
    inner = fromItem(item.rules[0]!, innerPath, [...path, 0], index);
  } else {
    const key = item.combinator === 'or' ? 'any' : 'all';
    const children = item.rules.map((child, i) => fromItem(child, `${innerPath}.${key}[${i}]`, [...path, i], index));
    inner = key === 'any' ? { any: children } : { all: children };
  }
  return item.not ? { not: inner } : inner;
}

/** The builder's query as a rule, and where each JSON path is in the builder. */
export function queryToRuleWithPaths(query: BuilderGroup): { rule: RuleJson; paths: PathIndex } {
  const paths: PathIndex = new Map();
  const rule = fromItem(query, '$', [], paths);
  return { rule, paths };
}

export function queryToRule(query: BuilderGroup): RuleJson {
  return queryToRuleWithPaths(query).rule;
}

/** The builder path of the node an issue's JSON path points into (the longest known prefix). */
export function builderPathOf(issuePath: string, paths: PathIndex): Path | null {
  let best: string | null = null;
  for (const jsonPath of paths.keys()) {
    const within = issuePath === jsonPath || issuePath.startsWith(`${jsonPath}.`) || issuePath.startsWith(`${jsonPath}[`);
    if (within && (best === null || jsonPath.length > best.length)) best = jsonPath;
  }
  return best === null ? null : (paths.get(best) ?? null);
}

const blank = (value: unknown): boolean => value === undefined || value === null || value === '' || (Array.isArray(value) && (value.length === 0 || value.some(blank)));

/**
 * The builder paths of unfinished conditions (issue 21): a condition whose operator needs a value
 * and has none — an empty list, an empty number, one end of a range — or an inSegment without a
 * segment. They are marked in the builder and block saving (the server refuses them too).
 */
export function incompleteConditions(item: BuilderItem, path: Path = []): Path[] {
  if (isGroup(item)) return item.rules.flatMap((child, i) => incompleteConditions(child, [...path, i]));
  if (VALUELESS_OPERATORS.includes(item.operator)) return [];
  return blank(item.value) ? [path] : [];
}

/** Strips what the builder adds (ids, paths) so two queries compare by meaning. */
export function plainQuery(item: BuilderItem): BuilderItem {
  if (isGroup(item)) {
    const { id: _id, path: _path, ...rest } = item;
    return { ...rest, rules: item.rules.map((child) => plainQuery(child)) };
  }
  const { id: _id, path: _path, ...rest } = item;
  return rest;
}
