import { ParamNode } from '../ast/value-node.js';
import { PeriodNode, SPAN_UNITS, type PeriodExpr, type SpanUnit } from '../ast/period-node.js';
import { pathKey, type RuleIssue } from '../issues/rule-issue.js';
import { isParamObject, isPlainObject, parseValue, type ValueParseOptions } from './parse-value.js';

const PERIOD_KEYS = ['last', 'from', 'to', 'current', 'previous'] as const;

/**
 * A period object (SPEC §3 "Periods") as a period node, or a parameter standing for one.
 * Returns undefined (with issues) when the shape is wrong.
 */
export function parsePeriod(json: unknown, path: string, issues: RuleIssue[], options: ValueParseOptions = { allowParams: true }): PeriodExpr | undefined {
  if (options.allowParams && isParamObject(json)) {
    const value = parseValue(json, path, issues, options);
    return value && ParamNode.is(value) ? value : undefined;
  }
  if (!isPlainObject(json)) {
    issues.push({ code: 'invalid_period', path, reason: 'shape' });
    return undefined;
  }
  const keys = Object.keys(json);
  const unknown = keys.filter((k) => !(PERIOD_KEYS as readonly string[]).includes(k));
  for (const key of unknown) issues.push({ code: 'unknown_key', path: pathKey(path, key), key, allowed: PERIOD_KEYS });
  if (unknown.length) return undefined;

  const isRange = keys.every((k) => k === 'from' || k === 'to');
  if (keys.length === 0) {
    issues.push({ code: 'invalid_period', path, reason: 'empty-range' });
    return undefined;
  }
  if (isRange) {
    const from = 'from' in json ? parseValue(json.from, pathKey(path, 'from'), issues, options) : undefined;
    const to = 'to' in json ? parseValue(json.to, pathKey(path, 'to'), issues, options) : undefined;
    if (('from' in json && !from) || ('to' in json && !to)) return undefined;
    return PeriodNode.range(from, to);
  }
  if (keys.length !== 1) {
    issues.push({ code: 'invalid_period', path, reason: 'shape' });
    return undefined;
  }
  const key = keys[0] as 'last' | 'current' | 'previous';
  const inner = json[key];
  const innerPath = pathKey(path, key);
  if (key === 'last') {
    if (!isPlainObject(inner)) {
      issues.push({ code: 'invalid_period', path: innerPath, reason: 'shape' });
      return undefined;
    }
    const units = Object.keys(inner);
    if (units.length !== 1) {
      issues.push({ code: 'invalid_period', path: innerPath, reason: units.length ? 'several-units' : 'unknown-unit' });
      return undefined;
    }
    const unit = units[0]!;
    if (!(SPAN_UNITS as readonly string[]).includes(unit)) {
      issues.push({ code: 'unknown_key', path: pathKey(innerPath, unit), key: unit, allowed: SPAN_UNITS });
      return undefined;
    }
    const count = parseValue(inner[unit], pathKey(innerPath, unit), issues, options);
    return count ? PeriodNode.last(unit as SpanUnit, count) : undefined;
  }
  const unit = parseValue(inner, innerPath, issues, options);
  if (!unit) return undefined;
  return key === 'current' ? PeriodNode.current(unit) : PeriodNode.previous(unit);
}
