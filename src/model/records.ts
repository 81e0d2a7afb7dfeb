import type { Row } from '../sql/queryable.js';
import type { EntityDef } from './entities.js';

/** A row of an entity in its API shape: camelCase fields, roles as a list, properties as an object. */
export type EntityRecord = Record<string, unknown>;

/** Maps a SQL row of an entity's table to its API shape. */
export function rowToRecord(entity: EntityDef, row: Row): EntityRecord {
  const record: EntityRecord = {};
  for (const field of entity.fields) {
    if (field.kind === 'flags') {
      record[field.name] = field.values.filter((v) => row[`${field.columnPrefix}${v}`] === true);
    } else {
      record[field.name] = row[field.column] ?? null;
    }
  }
  return record;
}

/** A typed property value as stored: one of the value columns is set. */
export interface PropertyRow extends Row {
  name: string;
  value_text: string | null;
  value_number: number | null;
  value_date: string | null;
  value_boolean: boolean | null;
}

export function propertyValue(row: PropertyRow): string | number | boolean | null {
  return row.value_text ?? row.value_number ?? row.value_date ?? row.value_boolean ?? null;
}
