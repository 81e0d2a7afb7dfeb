/**
 * Templates of tasks and mails (issue 22): `{name}` is replaced by the value `name` — the
 * partner's name `{partner}`, the segment `{segment}` and the partner's other values (see
 * partner-values.ts). An unknown name is left as it is, so that a typo shows in the preview
 * rather than vanishing. In HTML the values are escaped.
 */

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_.]*)\}/g;

export type TemplateValues = Readonly<Record<string, string>>;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderTemplate(template: string, values: TemplateValues, as: 'text' | 'html' = 'text'): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) return whole;
    return as === 'html' ? escapeHtml(value) : value;
  });
}

/** The names a template uses. */
export function placeholders(template: string): Set<string> {
  return new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!));
}
