import { referenceTarget, type EntityDef, type ScalarField } from '../model/entities.js';
import type { Queryable } from '../sql/queryable.js';
import { quote } from './field-coercers.js';
import { MAX_LISTED_ERRORS, type RowError } from './import-report.js';
import type { RowErrorLog } from './row-errors.js';
import type { Staging } from './staging.js';

/** How a staged row's position shows in an error: JSON arrays also give the element index. */
export type PositionOf = (row: number, line: number) => { line: number; element?: number };

interface Reference {
  readonly field: ScalarField;
  readonly label: string;
  /** SQL condition, true for a staged row whose reference points nowhere. */
  readonly dangling: string;
}

function referencesOf(db: Queryable, entity: EntityDef, staging: Staging, present: (column: string) => boolean, label: (column: string) => string): Reference[] {
  const s = staging.table;
  return entity.fields.flatMap((field): Reference[] => {
    const target = field.kind === 'scalar' ? referenceTarget(field) : undefined;
    if (field.kind !== 'scalar' || !target || !present(field.column)) return [];
    const col = `${s}.${field.column}`;
    // A reference may point to a row already stored or to one in the same file (a parent below its child).
    const absent = (table: string) => db.dialect.absentId(col, table);
    const inFile = target.self === entity.name ? ` AND ${absent(s)}` : '';
    return [
      {
        field,
        label: label(field.column),
        dangling: `(${col} IS NOT NULL AND ${absent(target.table)}${inFile})`,
      },
    ];
  });
}

/**
 * Files from CRMs and 1C name what they refer to (Bitrix24's "Ответственный" is a person's name,
 * not an id): a reference to another entity that is no id of it, but is the name of exactly one
 * of its rows, is replaced by that row's id. Ambiguous names and unknown values are left as they
 * are, for checkReferences to report. Returns how many references were resolved.
 */
export async function resolveReferencesByName(db: Queryable, entity: EntityDef, staging: Staging, present: (column: string) => boolean): Promise<number> {
  const s = staging.table;
  let resolved = 0;
  for (const field of entity.fields) {
    if (field.kind !== 'scalar' || field.references === entity.name || !present(field.column)) continue;
    const target = referenceTarget(field)?.table;
    if (!target) continue;
    const col = `${s}.${field.column}`;
    const noId = `${col} IS NOT NULL AND ${db.dialect.absentId(col, target)}`;
    // The usual file gives ids: one anti-join says so, and names are looked up only otherwise.
    const [unknown] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${s} WHERE ${noId}`);
    if (Number(unknown?.n ?? 0) === 0) continue;
    const named = `${noId} AND (SELECT COUNT(*) FROM ${target} t WHERE t.name = ${col}) = 1`;
    const [count] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${s} WHERE ${named}`);
    const n = Number(count?.n ?? 0);
    if (n === 0) continue;
    await db.run(`UPDATE ${s} SET ${field.column} = (SELECT t.id FROM ${target} t WHERE t.name = ${col}) WHERE ${named}`);
    resolved += n;
  }
  return resolved;
}

/**
 * Finds staged rows whose references (a sale's partner, a region's parent, …) point to nothing
 * in the database or the file, and logs each as a bad row: `unknown partner "X"`. With
 * `remove`, deletes them from staging — repeatedly for references within the entity itself,
 * since a removed parent strands its children. Returns how many rows were removed.
 */
export async function checkReferences(
  db: Queryable,
  entity: EntityDef,
  staging: Staging,
  columns: { present: (column: string) => boolean; label: (column: string) => string },
  errors: RowErrorLog,
  positionOf: PositionOf,
  remove: boolean,
): Promise<number> {
  const references = referencesOf(db, entity, staging, columns.present, columns.label);
  if (references.length === 0) return 0;
  const selfReferencing = references.some((r) => r.field.references === entity.name);
  const anyDangling = references.map((r) => r.dangling).join(' OR ');
  let removed = 0;
  let namesTried = false;
  for (;;) {
    const badRows = await countDangling(db, staging.table, references, anyDangling);
    if (badRows === 0) return removed;
    // Only a file with references that are no ids pays for looking them up by name.
    if (!namesTried) {
      namesTried = true;
      if ((await resolveReferencesByName(db, entity, staging, columns.present)) > 0) continue;
    }
    const listed: RowError[] = [];
    let errorCount = 0;
    for (const reference of references) {
      const target = referenceTarget(reference.field)!;
      const [n] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${staging.table} WHERE ${reference.dangling}`);
      errorCount += n?.n ?? 0;
      const rows = await db.query<{ _row: number; _line: number; value: string }>(
        `SELECT _row, ${staging.lineColumn} AS _line, ${reference.field.column} AS value FROM ${staging.table} WHERE ${reference.dangling} ORDER BY _row LIMIT ${MAX_LISTED_ERRORS}`,
      );
      for (const row of rows) {
        listed.push({
          ...positionOf(row._row, row._line),
          column: reference.label,
          value: row.value,
          reason: `unknown ${target.singular} ${quote(row.value)}`,
          code: 'unknownReference',
          params: { target: target.singular, entity: target.self ?? target.table, value: quote(row.value) },
        });
      }
    }
    errors.addFound(badRows, listed, errorCount);
    if (!remove) return removed;
    await db.run(`DELETE FROM ${staging.table} WHERE ${anyDangling}`);
    removed += badRows;
    if (!selfReferencing) return removed;
  }
}

/**
 * Staged rows with any dangling reference. Each reference alone is a plain anti-join; their OR
 * is not (DuckDB caches a copy of every staged row for it: 1.5 GB at 10M sale lines), so it
 * is counted only when some reference does dangle — a good file never pays for it.
 */
async function countDangling(db: Queryable, table: string, references: readonly Reference[], anyDangling: string): Promise<number> {
  let some = 0;
  for (const reference of references) {
    const [count] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${reference.dangling}`);
    some = Number(count?.n ?? 0);
    if (some > 0) break;
  }
  if (some === 0 || references.length === 1) return some;
  const [count] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${anyDangling}`);
  return Number(count?.n ?? 0);
}
