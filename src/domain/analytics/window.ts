import { createRuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { issueMessageEn } from '../../rules/issues/messages.en.js';
import { measureSpecOf } from '../../sql/compile/measure-spec.js';
import type { DateRange } from '../../sql/compile/periods.js';
import type { SettingsIssue } from './settings.js';

/**
 * An analysis window is a period of the rule language (`{"last": {"months": 12}}`,
 * `{"from": …, "to": …}`, `{"current": "year"}`, …), with exactly its meaning: the dates are
 * resolved against the evaluation date and never reach past it.
 */
export type WindowJson = Record<string, unknown>;

/** The condition a window is checked and resolved through: the rule language owns periods. */
const probe = (window: WindowJson) => ({ measure: 'sales.revenue', period: window, op: 'gt', value: 0 });

/** Problems of a window, with paths under `path` (e.g. `window.last.months`). */
export function windowIssues(window: WindowJson, path: string): SettingsIssue[] {
  const checked = checkRule(probe(window), { kind: 'partner', catalog: createRuleCatalog() });
  if (checked.ok) return [];
  return checked.issues.map((issue) => ({ path: `${path}${issue.path.replace(/^\$\.period/, '').replace(/^\$/, '')}`, message: issueMessageEn(issue) }));
}

/** The dates a (valid) window covers on `asOf`, both ends included. */
export function resolveWindow(window: WindowJson, asOf: string): DateRange {
  const checked = checkRule(probe(window), { kind: 'partner', catalog: createRuleCatalog() });
  if (!checked.ok || checked.rule.kind !== 'measure') throw new Error(`invalid window ${JSON.stringify(window)}`);
  return measureSpecOf(checked.rule, asOf).range;
}
