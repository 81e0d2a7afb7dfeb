import type { i18n as I18n } from 'i18next';
import { ApiError } from '../api/client';
import { ruleIssueMessage, ruleIssuesOf } from './rule-issues';

function detailText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(detailText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The message of an error in the current language: translated by its code and filled from its
 * details. A code this UI does not know yet keeps the server's (English) message.
 */
export function errorMessage(i18n: I18n, error: unknown): { code: string; message: string } {
  const apiError = error instanceof ApiError ? error : new ApiError(0, 'NETWORK_ERROR', {}, String(error));
  const key = `errors.codes.${apiError.code}`;
  if (!i18n.exists(key)) return { code: apiError.code, message: apiError.message };

  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(apiError.details)) values[name] = detailText(value);
  const entity = values.entity;
  if (entity !== undefined) {
    // Entity names hold spaces ('partner group'), so they are looked up in the object, not by key.
    const names = i18n.getResource(i18n.resolvedLanguage ?? 'ru', 'translation', 'errors.entities') as Record<string, string> | undefined;
    values.entity = names?.[entity] ?? entity;
  }
  const issues = apiError.code === 'RULE_INVALID' ? ruleIssuesOf(apiError.details) : [];
  if (issues.length > 0) {
    // The server's summary is English: say the first problem in the reader's language instead.
    const first = issues[0]!;
    const more = issues.length > 1 ? ` (+${issues.length - 1})` : '';
    values.summary = `${first.path}: ${ruleIssueMessage(i18n, first)}${more}`;
  }
  const message = String(i18n.t(key, values as never));
  return { code: apiError.code, message };
}
