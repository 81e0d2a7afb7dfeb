import type { AmoObject } from './amo-client.js';

/**
 * amoCRM's custom fields (`custom_fields_values`) read as Segmenta's typed additional
 * properties: a field's definition (`/api/v4/{entity}/custom_fields`: id, name, code, type and,
 * for lists, its `enums`) says how its values read. Lists (select, radiobutton, multiselect,
 * category) give their items' text, several joined by "; "; numbers and checkboxes their type;
 * dates (unix seconds) a date; the rest text.
 */

export interface FieldDefinition {
  readonly id: number;
  readonly name: string;
  readonly code: string | null;
  readonly type: string;
  /** A list field's items: enum id → text. */
  readonly enums: ReadonlyMap<number, string>;
}

export interface FieldValue {
  readonly value?: unknown;
  readonly enum_id?: number | null;
  readonly enum_code?: string | null;
}

export interface FieldValues {
  readonly field_id: number;
  readonly values: readonly FieldValue[] | null;
}

const LISTS = new Set(['select', 'radiobutton', 'multiselect', 'category']);
const DATES = new Set(['date', 'date_time', 'birthday']);

export function definitionOf(raw: AmoObject): FieldDefinition {
  const enums = new Map<number, string>();
  if (Array.isArray(raw.enums)) for (const e of raw.enums as { id?: unknown; value?: unknown }[]) if (typeof e.id === 'number') enums.set(e.id, String(e.value ?? ''));
  return { id: Number(raw.id), name: String(raw.name ?? raw.id), code: typeof raw.code === 'string' && raw.code !== '' ? raw.code : null, type: String(raw.type ?? 'text'), enums };
}

/** A definition by its id (digits), code or name, as an admin names it in the settings. */
export function findField(definitions: readonly FieldDefinition[], name: string): FieldDefinition | undefined {
  const wanted = name.trim();
  return definitions.find((d) => String(d.id) === wanted) ?? definitions.find((d) => d.code !== null && d.code === wanted) ?? definitions.find((d) => d.name.toLowerCase() === wanted.toLowerCase());
}

export function valuesOf(object: AmoObject): FieldValues[] {
  return Array.isArray(object.custom_fields_values) ? (object.custom_fields_values as FieldValues[]) : [];
}

/** The first text of a field on an object (a match field, the first e-mail), or null. */
export function firstText(object: AmoObject, field: FieldDefinition | undefined): string | null {
  if (!field) return null;
  const values = valuesOf(object).find((v) => v.field_id === field.id)?.values ?? [];
  for (const v of values) {
    const text = v.enum_id && field.enums.has(v.enum_id) ? field.enums.get(v.enum_id)! : v.value;
    if (text !== undefined && text !== null && String(text).trim() !== '') return String(text).trim();
  }
  return null;
}

/** The unix time amoCRM gives (seconds) as a date, `yyyy-mm-dd` in UTC; null for none. */
export function dateOfUnix(value: unknown): string | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) return null;
  return new Date(n * 1000).toISOString().slice(0, 10);
}

/** One field's values as a property value: text, a number, a boolean or a date; null when empty. */
export function propertyValue(field: FieldDefinition, values: readonly FieldValue[] | null): string | number | boolean | null {
  if (!values?.length) return null;
  if (LISTS.has(field.type)) {
    const texts = values.map((v) => (v.enum_id != null ? (field.enums.get(v.enum_id) ?? null) : v.value == null ? null : String(v.value))).filter((t): t is string => t !== null && t !== '');
    return texts.length ? texts.join('; ') : null;
  }
  const value = values[0]?.value;
  if (value === undefined || value === null || value === '') return null;
  if (field.type === 'numeric' || field.type === 'price') {
    const n = Number(String(value).replace(',', '.'));
    return Number.isFinite(n) ? n : null;
  }
  if (field.type === 'checkbox') return value === true || value === 1 || value === '1' || value === 'true';
  if (DATES.has(field.type)) return dateOfUnix(value) ?? (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
