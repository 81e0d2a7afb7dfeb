import { loadRuleCatalog } from '../../rules/catalog.js';
import { todayIso } from '../../rules/calendar.js';
import type { Queryable, SqlValue } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import { compileValues } from '../analytics/condition-values.js';
import type { EventValue } from './event-values.js';

/**
 * The values a template may use for a partner — the one source every action kind reads
 * (`crm-task`, `segmenta-task`, `email`; docs/tasks-and-mailings.md, "Template values"):
 *
 * - `{partner}` (name), `{partnerId}`, `{segment}` (the segment's name), `{manager}`, `{email}`, `{phone}`, `{birthDate}`;
 * - `{overdue}`, `{days}`, `{receivable}`: the overdue receivable, the days overdue and the
 *   receivable today, with the rule measures' exact meaning (docs/rules.md) — read only when a
 *   template uses them;
 * - every additional property by its name (`{discount}`, `{Сотрудников}`);
 * - the values the segment's rule read, as the event carries them (event-values.ts), by what
 *   they read (`{settlements.overdueReceivable}`, `{region}`).
 *
 * Every value is text, written by formatValue in the template's language.
 */

/** The values read from settlements, by their template names. */
const MEASURES = { overdue: 'settlements.overdueReceivable', days: 'settlements.maxDaysOverdue', receivable: 'settlements.receivable' } as const;

export interface PartnerFacts {
  readonly id: string;
  readonly name: string | null;
  readonly managerId: string | null;
  readonly email: string | null;
  readonly deleted: boolean;
  readonly noMailings: boolean;
  readonly values: Record<string, string>;
}

export interface TemplateValueOptions {
  /** How numbers are written: `12 500,5` (ru, the default) or `12,500.5` (en). */
  readonly language?: string;
  /** The rule's values per partner, from the message's events (`values`). */
  readonly rule?: ReadonlyMap<string, Readonly<Record<string, EventValue>>>;
}

const formatNumber = (value: number, language: string): string =>
  new Intl.NumberFormat(language === 'en' ? 'en-US' : 'ru-RU', { maximumFractionDigits: 2 }).format(value).replace(/\u00a0|\u202f/g, ' ');

/** A value as a template writes it: numbers in the language's style, lists joined, none as nothing. */
export function formatValue(value: EventValue | undefined, language = 'ru'): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatNumber(value, language);
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/** The partners' values; `needs` are the names the templates use (measures are read only when asked). */
export async function templateValues(db: Queryable, ids: readonly string[], segmentName: string, needs: ReadonlySet<string>, options: TemplateValueOptions = {}): Promise<Map<string, PartnerFacts>> {
  const language = options.language ?? 'ru';
  const result = new Map<string, PartnerFacts>();
  if (ids.length === 0) return result;
  const rows = await db.query<{
    id: string;
    name: string | null;
    manager_id: string | null;
    manager_name: string | null;
    email: string | null;
    phone: string | null;
    birth_date: SqlValue;
    deleted: boolean | null;
    no_mailings: boolean | null;
  }>(
    sql`SELECT p.id, p.name, p.manager_id, m.name AS manager_name, p.email, p.phone, p.birth_date, p.deleted, p.no_mailings
     FROM partners p LEFT JOIN managers m ON m.id = p.manager_id WHERE p.id IN (${sql.list(ids)})`,
  );
  for (const r of rows) {
    const values: Record<string, string> = {
      partner: r.name ?? r.id,
      partnerId: r.id,
      segment: segmentName,
      manager: r.manager_name ?? '',
      email: r.email ?? '',
      phone: r.phone ?? '',
      birthDate: r.birth_date === null || r.birth_date === undefined ? '' : String(r.birth_date).slice(0, 10),
    };
    result.set(r.id, { id: r.id, name: r.name, managerId: r.manager_id, email: r.email, deleted: Boolean(r.deleted), noMailings: Boolean(r.no_mailings), values });
  }
  const properties = await db.query<{ partner_id: string; name: string; value_text: string | null; value_number: number | null; value_date: SqlValue; value_boolean: boolean | null }>(
    sql`SELECT partner_id, name, value_text, value_number, value_date, value_boolean FROM partner_properties WHERE partner_id IN (${sql.list(ids)})`,
  );
  for (const p of properties) {
    const target = result.get(p.partner_id);
    if (!target || p.name in target.values) continue;
    // Decimals may come as text (PostgreSQL's numeric): a number is written as one.
    const value = p.value_text ?? (p.value_number !== null ? Number(p.value_number) : p.value_date ? String(p.value_date).slice(0, 10) : p.value_boolean);
    target.values[p.name] = formatValue(value, language);
  }
  for (const [id, read] of options.rule ?? []) {
    const target = result.get(id);
    if (!target) continue;
    for (const [name, value] of Object.entries(read)) if (!(name in target.values)) target.values[name] = formatValue(value, language);
  }
  const measures = (Object.keys(MEASURES) as (keyof typeof MEASURES)[]).filter((name) => needs.has(name));
  if (measures.length > 0) {
    const values = compileValues({
      conditions: measures.map((name) => ({ json: { measure: MEASURES[name], op: 'filled' }, path: name })),
      filter: { json: { attr: 'id', op: 'in', value: [...ids] }, path: 'partners' },
      kind: 'partner',
      catalog: await loadRuleCatalog(db),
      dialect: db.dialect,
      asOf: todayIso(),
    });
    for (const row of await db.query<Record<string, SqlValue>>(sql`SELECT * FROM (${sql.embed(values)}) q`)) {
      const target = result.get(String(row.id));
      if (!target) continue;
      measures.forEach((name, i) => (target.values[name] = formatNumber(Number(row[`v${i}`] ?? 0), language)));
    }
  }
  return result;
}
