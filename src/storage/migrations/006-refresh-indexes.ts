import { ENTITIES, ENTITY_NAMES } from '../../model/entities.js';
import { usesSecondaryIndexes, type Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Indexes that single-partner evaluation (check on create, explain, "which segments is partner
 * X in") reads by: every fact table by partner_id (and date), so one partner's facts are found
 * without a scan. Made by migration 1 on new databases; created here where they are missing.
 * DuckDB keeps no secondary index on facts (they slow its bulk loads; see docs/benchmarks.md).
 */
export const refreshIndexes: Migration = {
  version: 6,
  name: 'fact indexes by partner',
  up(d: Dialect): string[] {
    if (!usesSecondaryIndexes(d)) return [];
    return ENTITY_NAMES.filter((name) => ENTITIES[name].fact).map((name) => {
      const entity = ENTITIES[name];
      const dated = entity.fields.some((f) => f.kind === 'scalar' && f.column === 'date');
      return `CREATE INDEX IF NOT EXISTS ${entity.table}_partner_idx ON ${entity.table} (partner_id${dated ? ', date' : ''})`;
    });
  },
};
