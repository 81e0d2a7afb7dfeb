import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Saved column mappings of imports (docs/import.md#mappings): a name, the entity and the
 * source system they are for (`1c`, `bitrix24`, `amocrm`, `excel`, …), and the mapping itself
 * as JSON text (`{"Ответственный": "manager", "Комментарий": null}`). Replaced as a whole when
 * saved again; on DuckDB without a key (rows are deleted and written again, migration 7).
 */
export const importMappings: Migration = {
  version: 15,
  name: 'import mappings',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const ts = d.columnType('timestamp');
    return [
      `CREATE TABLE import_mappings (
        name ${text} NOT NULL${d.indexesOnRewrittenTables ? ' PRIMARY KEY' : ''},
        entity ${text} NOT NULL,
        source ${text},
        columns ${text} NOT NULL,
        updated_by ${text},
        updated_at ${ts} NOT NULL
      )`,
    ];
  },
};
