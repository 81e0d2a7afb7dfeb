import type { i18n as I18n } from 'i18next';

/** One problem of a rule as the server reports it (details.issues of RULE_INVALID). */
export interface RuleIssue {
  code: string;
  path: string;
  message?: string;
  [fact: string]: unknown;
}

export function ruleIssuesOf(details: Record<string, unknown>): RuleIssue[] {
  const issues = details.issues;
  if (!Array.isArray(issues)) return [];
  return issues.filter((issue): issue is RuleIssue => typeof issue === 'object' && issue !== null && typeof (issue as RuleIssue).code === 'string');
}

const quoteList = (items: unknown) => (Array.isArray(items) ? items.map(String).join(', ') : String(items ?? ''));

/**
 * A rule issue in the current language, by its code, filled from its facts; a code this UI
 * does not know keeps the server's English message.
 */
export function ruleIssueMessage(i18n: I18n, issue: RuleIssue): string {
  const key = `rule.issues.${issue.code}`;
  if (!i18n.exists(key)) return issue.message ?? issue.code;
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(issue)) values[name] = quoteList(value);
  if (Array.isArray(issue.cycle)) values.cycle = issue.cycle.map(String).join(' → ');
  if (typeof issue.expected === 'string' && i18n.exists(`rule.expected.${issue.expected}`)) {
    values.expected = String(i18n.t(`rule.expected.${issue.expected}` as never));
  }
  if (issue.code === 'invalid_period' && typeof issue.reason === 'string' && i18n.exists(`rule.periodProblems.${issue.reason}`)) {
    values.reason = String(i18n.t(`rule.periodProblems.${issue.reason}` as never));
  }
  if (Array.isArray(issue.keys) && issue.keys.length === 0) values.keys = '{}';
  return String(i18n.t(key, values as never));
}
