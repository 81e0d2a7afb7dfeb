import { AppError, type ErrorDetails } from '../errors/app-error.js';
import { issueMessageEn } from './issues/messages.en.js';
import type { RuleIssue } from './issues/rule-issue.js';

/** An issue as the API shows it: its code, path and facts, and the English message. */
export type RuleIssueWithMessage = RuleIssue & { readonly message: string };

export const withMessages = (issues: readonly RuleIssue[]): RuleIssueWithMessage[] => issues.map((issue) => ({ ...issue, message: issueMessageEn(issue) }));

/** Details of a RULE_INVALID error: a one-line summary and every issue with its path. */
export function ruleIssuesDetails(issues: readonly RuleIssue[], segment?: string): ErrorDetails {
  const listed = withMessages(issues);
  const first = listed[0];
  const summary = first ? `${first.path}: ${first.message}${listed.length > 1 ? ` (and ${listed.length - 1} more)` : ''}` : 'no issues';
  return { summary: segment ? `segment "${segment}", ${summary}` : summary, ...(segment ? { segment } : {}), issues: listed };
}

/** The error a rule that fails checkRule is refused with (HTTP 422). */
export const ruleInvalidError = (issues: readonly RuleIssue[], segment?: string): AppError => new AppError('RULE_INVALID', ruleIssuesDetails(issues, segment));
