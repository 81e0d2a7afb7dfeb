import { timestampSql } from '../domain/access/users.js';
import { AppError } from '../errors/app-error.js';
import type { EntityName } from '../model/entities.js';
import type { Queryable } from '../sql/queryable.js';
import { sql } from '../sql/sql.js';
import { ColumnMap, type ColumnMapping } from './column-map.js';
import { resolveImportEntity } from './entity-names.js';

/** A column mapping saved under a name, for one entity and source, to be reused (`--mapping NAME`, `?mapping=NAME`). */
export interface SavedMapping {
  readonly name: string;
  readonly entity: EntityName;
  /** Where such files come from: `1c`, `bitrix24`, `amocrm`, `excel`, … (free text), or null. */
  readonly source: string | null;
  readonly columns: ColumnMapping;
  readonly updatedBy: string | null;
  readonly updatedAt: string;
}

export interface MappingInput {
  readonly entity: string;
  readonly source?: string | null | undefined;
  readonly columns: ColumnMapping;
}

type MappingRow = {
  name: string;
  entity: string;
  source: string | null;
  columns: string;
  updated_by: string | null;
  updated_at: string;
};

const toMapping = (row: MappingRow): SavedMapping => ({
  name: row.name,
  entity: row.entity as EntityName,
  source: row.source,
  columns: JSON.parse(row.columns) as ColumnMapping,
  updatedBy: row.updated_by,
  updatedAt: timestampText(row.updated_at),
});

/** A timestamp as the engines hand it back (a Date or text) as `YYYY-MM-DD HH:MM:SS`. */
function timestampText(value: unknown): string {
  const text = value instanceof Date ? value.toISOString() : String(value);
  return text.replace('T', ' ').replace(/(\.\d+)?Z?$/, '');
}

/** Saved mappings, by name; of one entity or source when asked. */
export async function listMappings(db: Queryable, filter: { entity?: string | undefined; source?: string | undefined } = {}): Promise<SavedMapping[]> {
  const entity = filter.entity === undefined ? null : resolveImportEntity(filter.entity).name;
  const conditions = [sql`1 = 1`];
  if (entity !== null) conditions.push(sql`entity = ${entity}`);
  if (filter.source !== undefined) conditions.push(sql`source = ${filter.source}`);
  const rows = await db.query<MappingRow>(sql`SELECT name, entity, source, columns, updated_by, updated_at FROM import_mappings WHERE ${sql.join(conditions, sql` AND `)} ORDER BY name`);
  return rows.map(toMapping);
}

/** The mapping saved under a name, or IMPORT_MAPPING_NOT_FOUND (404). */
export async function getMapping(db: Queryable, name: string): Promise<SavedMapping> {
  const rows = await db.query<MappingRow>(sql`SELECT name, entity, source, columns, updated_by, updated_at FROM import_mappings WHERE name = ${name}`);
  if (!rows[0]) throw new AppError('IMPORT_MAPPING_NOT_FOUND', { name });
  return toMapping(rows[0]);
}

/** The columns of a saved mapping for an import of `entity` (refused when saved for another entity). */
export async function mappingFor(db: Queryable, name: string, entity: string): Promise<ColumnMapping> {
  const saved = await getMapping(db, name);
  const wanted = resolveImportEntity(entity).name;
  if (saved.entity !== wanted) throw new AppError('IMPORT_MAPPING_ENTITY', { name, mappingEntity: saved.entity, entity: wanted });
  return saved.columns;
}

/** Saves (or replaces) a mapping under a name; every target is checked against the entity's columns. */
export async function saveMapping(db: Queryable, name: string, input: MappingInput, by: string | null, now = Date.now()): Promise<SavedMapping> {
  const entity = resolveImportEntity(input.entity);
  new ColumnMap(entity, input.columns); // IMPORT_BAD_MAPPING for a target the entity does not have
  const source = input.source?.trim() || null;
  await db.run(sql`DELETE FROM import_mappings WHERE name = ${name}`);
  await db.run(
    sql`INSERT INTO import_mappings (name, entity, source, columns, updated_by, updated_at)
        VALUES (${name}, ${entity.name}, ${source}, ${JSON.stringify(input.columns)}, ${by}, ${timestampSql(now)})`,
  );
  return getMapping(db, name);
}

/** Deletes a saved mapping; IMPORT_MAPPING_NOT_FOUND when there is none. */
export async function deleteMapping(db: Queryable, name: string): Promise<SavedMapping> {
  const saved = await getMapping(db, name);
  await db.run(sql`DELETE FROM import_mappings WHERE name = ${name}`);
  return saved;
}
