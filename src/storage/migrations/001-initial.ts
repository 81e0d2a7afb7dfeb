import { ENTITIES, ENTITY_NAMES, entityColumns, initialEntity } from '../../model/entities.js';
import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/** The data model of SPEC §1: directories, partners, products, facts, typed properties, hierarchy closures. */
export const initialSchema: Migration = {
  version: 1,
  name: 'data model',
  up(d: Dialect): string[] {
    const t = (type: Parameters<Dialect['columnType']>[0]) => d.columnType(type);
    const statements: string[] = [];
    for (const name of ENTITY_NAMES) {
      const entity = ENTITIES[name];
      const columns = entityColumns(initialEntity(entity)).map(({ column, type }) => (column === 'id' ? `id ${t('text')} NOT NULL` : `${column} ${t(type)}`));
      // Facts are unique by id through the import's upsert; a primary key index on tens of
      // millions of rows would only slow DuckDB's bulk loads.
      if (!entity.fact) columns.push('PRIMARY KEY (id)');
      statements.push(`CREATE TABLE ${entity.table} (${columns.join(', ')})`);
      if (entity.hierarchy) {
        statements.push(
          `CREATE TABLE ${entity.table}_closure (ancestor_id ${t('text')} NOT NULL, descendant_id ${t('text')} NOT NULL, depth ${t('integer')} NOT NULL, PRIMARY KEY (ancestor_id, descendant_id))`,
        );
      }
      if (entity.properties) {
        const { table, ownerColumn } = entity.properties;
        statements.push(
          `CREATE TABLE ${table} (${ownerColumn} ${t('text')} NOT NULL, name ${t('text')} NOT NULL, value_text ${t('text')}, value_number ${t('decimal')}, value_date ${t('date')}, value_boolean ${t('boolean')}, PRIMARY KEY (${ownerColumn}, name))`,
        );
      }
    }
    statements.push(`CREATE TABLE property_definitions (entity ${t('text')} NOT NULL, name ${t('text')} NOT NULL, type ${t('text')} NOT NULL, PRIMARY KEY (entity, name))`);
    if (d.usesSecondaryIndexes) {
      for (const name of ENTITY_NAMES) {
        const entity = ENTITIES[name];
        if (!entity.fact) continue;
        statements.push(`CREATE INDEX ${entity.table}_id_idx ON ${entity.table} (id)`);
        statements.push(
          `CREATE INDEX ${entity.table}_partner_idx ON ${entity.table} (partner_id, date)`.replace(', date)', entity.fields.some((f) => f.kind === 'scalar' && f.column === 'date') ? ', date)' : ')'),
        );
      }
    }
    return statements;
  },
};
