/**
 * Resolves the `{"$pick": q, "delta": d}` placeholders of generated rules against a world:
 * the q-th percentile of the condition's left side over all members (from the reference
 * evaluator), plus d. Between pairs are sorted afterwards.
 */
import { addDays, isIsoDate } from '../../src/rules/calendar.js';
import type { RuleCatalog } from '../../src/rules/catalog.js';
import { checkRule } from '../../src/rules/check-rule.js';
import type { ConditionNode } from '../../src/rules/ast/rule-node.js';
import { catalogOfWorld, ReferenceEvaluator } from '../../src/rules/reference/evaluate.js';
import type { World } from '../../src/rules/reference/world.js';
import type { RuleKind } from '../../src/rules/vocabulary/attributes.js';
import { parameterize, type RuleTemplate, type WorldRules } from './rule-arbitrary.js';
import { TEST_SCORES, type GeneratedWorld } from './world-arbitrary.js';

type Json = unknown;
interface Pick {
  $pick: number;
  delta: number;
}
const isPick = (v: unknown): v is Pick => typeof v === 'object' && v !== null && '$pick' in v;
const hasPick = (v: unknown): boolean => isPick(v) || (Array.isArray(v) && v.some(isPick));

/** A number kept to 4 decimal places, as rules take them. */
/** A `between` pair, low first. */
function sortPair(node: Record<string, unknown>): Record<string, unknown> {
  if (node.op !== 'between' || !Array.isArray(node.value)) return node;
  return { ...node, value: [...(node.value as (number | string)[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
}

const toRuleNumber = (v: number): number => Math.round(v * 10_000) / 10_000;

export function resolvePicks(rule: Json, world: World, kind: RuleKind, catalog: RuleCatalog, evaluator: ReferenceEvaluator): Json {
  const members = kind === 'partner' ? world.partners : world.products;
  const walk = (node: Json): Json => {
    if (typeof node !== 'object' || node === null) return node;
    const n = node as Record<string, unknown>;
    if (Array.isArray(n.all)) return { all: n.all.map(walk) };
    if (Array.isArray(n.any)) return { any: n.any.map(walk) };
    if ('not' in n) return { not: walk(n.not) };
    if (!hasPick(n.value)) return sortPair(n);
    const { value, ...rest } = n;
    const probe = checkRule({ ...rest, op: 'filled' }, { kind, catalog });
    if (!probe.ok) throw new Error(`cannot probe ${JSON.stringify(rest)}: ${JSON.stringify(probe.issues)}`);
    const seen = members.map((m) => evaluator.conditionValue(probe.rule as ConditionNode, m, kind)).filter((v) => v !== null);
    const sorted = [...new Set(seen as (number | string)[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const resolve = (item: Json): Json => {
      if (!isPick(item)) return item;
      const found = sorted[Math.min(sorted.length - 1, Math.floor((item.$pick / 101) * sorted.length))];
      if (found === undefined) return typeof rest.attr === 'string' && /date|since|registered/i.test(rest.attr) ? addDays(evaluator.asOf, item.delta) : item.delta;
      if (typeof found === 'string' && isIsoDate(found)) return addDays(found, item.delta);
      return toRuleNumber(Number(found) + item.delta);
    };
    return sortPair({ ...n, value: Array.isArray(value) ? value.map(resolve) : resolve(value) });
  };
  return walk(rule);
}

/** A template made a runnable rule for a world: picks resolved, then (maybe) parameters drawn out. */
export function instantiate(template: RuleTemplate, world: World, kind: RuleKind, asOf: string): { rule: Json; parameters: Record<string, unknown> } {
  const catalog = catalogOfWorld(world, TEST_SCORES);
  const rule = resolvePicks(template.rule, world, kind, catalog, new ReferenceEvaluator(world, asOf, TEST_SCORES));
  return template.parameterize ? parameterize(rule, template.bits) : { rule, parameters: {} };
}

/** The world with its dynamic segments' rules instantiated, each after those it may use. */
export function finishWorld({ world, asOf, rules }: GeneratedWorld<WorldRules>): World {
  let current = world;
  for (const id of ['prod-d', 'prod-p', "dyn'c"] as const) {
    const kind = id === "dyn'c" ? 'partner' : 'product';
    const { rule, parameters } = instantiate(rules[id], current, kind, asOf);
    current = { ...current, segments: current.segments.map((s) => (s.id === id ? { ...s, rule, parameters } : s)) };
  }
  return current;
}
