/**
 * Templates of tasks and mails (`crm-task`, `segmenta-task`, `email`): `{name}` is replaced by
 * the value `name` — the partner's name `{partner}`, the segment `{segment}` and the partner's
 * other values (template-values.ts); a name may be in any language (`{Сотрудников}`, a 1C
 * property). An unknown name is left as it is, so that a typo shows in the preview rather than
 * vanishing. In HTML the values are escaped.
 */

const PLACEHOLDER = /\{([^{}\s][^{}\n]{0,99})\}/g;

export type TemplateValues = Readonly<Record<string, string>>;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderTemplate(template: string, values: TemplateValues, as: 'text' | 'html' = 'text'): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name.trim()];
    if (value === undefined) return whole;
    return as === 'html' ? escapeHtml(value) : value;
  });
}

/** The names a template uses. */
export function placeholders(template: string): Set<string> {
  return new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!.trim()));
}
