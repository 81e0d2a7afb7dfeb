import type { FieldType } from '../model/entities.js';
import type { Queryable, Row } from './queryable.js';
import { sql, type Sql } from './sql.js';

/**
 * Point reads of several tables in one statement: a UNION ALL whose branches put each part's
 * columns into shared typed slots (a part's first date column in the first date slot, …) beside
 * the part's number — or, where the dialect says so (DuckDB, `rowAsJson`), each row's columns
 * into one JSON array. Each statement has a cost of its own, whatever it reads — on DuckDB about
 * a third of a millisecond of CPU for a point read that finds nothing, three times that for
 * four such reads one by one; on PostgreSQL a round trip, and a plan unless prepared — so a
 * one-partner check reads everything it can in one (issue 20). Values keep their column's type:
 * each slot has one, so the adapter converts them as it would in a statement of their own; a
 * JSON element is converted back by the dialect as the adapter converts that type.
 */

export interface ReadPart {
  readonly name: string;
  readonly from: Sql;
  readonly where: Sql;
  /** Each column: an expression over `from` (a column name, usually) of its type, read under `name`. */
  readonly columns: readonly { readonly name: string; readonly expression: string; readonly type: FieldType }[];
}

/** The column naming a row's part; no part's column is called so. */
const PART = 'read_part';

/** The column holding a row's values as a JSON array (`rowAsJson`). */
const VALUES = 'read_values';

/** The statement reading every part, and how to split its rows (for tests and EXPLAIN). */
export function partsStatement(q: Queryable, parts: readonly ReadPart[]): { statement: Sql; slotsOf: readonly (readonly string[])[] } {
  const json = q.dialect.rowAsJson;
  if (json) {
    // No slots: each branch one expression, whatever the other parts read.
    const branches = parts.map(
      (part, p) => sql`SELECT ${sql.raw(String(p))} AS ${sql.raw(PART)}, ${sql.raw(json.row(part.columns.map((c) => c.expression)))} AS ${sql.raw(VALUES)} FROM ${part.from} WHERE ${part.where}`,
    );
    return { statement: sql.join(branches, sql.raw(' UNION ALL ')), slotsOf: [] };
  }
  // How many slots of each type: the most any part uses.
  const width = new Map<FieldType, number>();
  for (const part of parts) {
    const used = new Map<FieldType, number>();
    for (const c of part.columns) used.set(c.type, (used.get(c.type) ?? 0) + 1);
    for (const [type, n] of used) width.set(type, Math.max(width.get(type) ?? 0, n));
  }
  const slots = [...width].flatMap(([type, n]) => Array.from({ length: n }, (_, i) => ({ type, name: `${type}_${i}` })));
  const slotsOf: string[][] = [];
  const branches = parts.map((part, p) => {
    const taken = new Map<FieldType, number>();
    const bySlot = new Map<string, string>();
    const names: string[] = [];
    for (const c of part.columns) {
      const i = taken.get(c.type) ?? 0;
      taken.set(c.type, i + 1);
      bySlot.set(`${c.type}_${i}`, c.expression);
      names.push(`${c.type}_${i}`);
    }
    slotsOf.push(names);
    // Typed NULLs: PostgreSQL types a UNION's column by its first branch.
    const columns = slots.map((s) => `${bySlot.get(s.name) ?? q.dialect.cast('NULL', s.type)} AS ${s.name}`);
    return sql`SELECT ${sql.raw(String(p))} AS ${sql.raw(PART)}${sql.raw(columns.map((c) => `, ${c}`).join(''))} FROM ${part.from} WHERE ${part.where}`;
  });
  return { statement: sql.join(branches, sql.raw(' UNION ALL ')), slotsOf };
}

/** Each part's rows (column names as given), by part name, read in one statement. */
export async function readParts(q: Queryable, parts: readonly ReadPart[]): Promise<Map<string, Row[]>> {
  const found = new Map<string, Row[]>(parts.map((part) => [part.name, []]));
  if (parts.length === 0) return found;
  const { statement, slotsOf } = partsStatement(q, parts);
  const json = q.dialect.rowAsJson;
  // Prepared: a check runs the same statement for every partner.
  for (const row of await q.query({ text: statement.text, params: statement.params, prepare: true })) {
    const p = Number(row[PART]);
    const part = parts[p]!;
    if (json) {
      const values = JSON.parse(String(row[VALUES])) as unknown[];
      const named: Row = {};
      part.columns.forEach((c, i) => (named[c.name] = json.value(c.type, values[i])));
      found.get(part.name)!.push(named);
      continue;
    }
    const slots = slotsOf[p]!;
    const named: Row = {};
    part.columns.forEach((c, i) => (named[c.name] = row[slots[i]!] ?? null));
    found.get(part.name)!.push(named);
  }
  return found;
}
