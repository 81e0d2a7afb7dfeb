import { ENTITIES, ENTITY_NAMES } from '../../model/entities.js';
import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Indexes that single-partner evaluation (check on create, explain, a partner's segments)
 * reads by, so one partner's facts and memberships are found without a scan: every fact table
 * by partner_id, and stored memberships by member. PostgreSQL has had them since migration 1
 * (created here where missing). DuckDB gets ART indexes on partner_id too: without them one
 * partner's check scans 20 million sale lines (about a second); with them it reads a few
 * dozen rows. On DuckDB 1.5 bulk appends cost about the same with the index as without
 * (docs/benchmarks.md, "Demo generation on two connections").
 */
export const refreshIndexes: Migration = {
  version: 6,
  name: 'indexes by partner',
  up(d: Dialect): string[] {
    const facts = ENTITY_NAMES.filter((name) => ENTITIES[name].fact).map((name) => ENTITIES[name]);
    if (d.usesSecondaryIndexes) {
      return facts.map((entity) => {
        const dated = entity.fields.some((f) => f.kind === 'scalar' && f.column === 'date');
        return `CREATE INDEX IF NOT EXISTS ${entity.table}_partner_idx ON ${entity.table} (partner_id${dated ? ', date' : ''})`;
      });
    }
    return [
      ...facts.map((entity) => `CREATE INDEX IF NOT EXISTS ${entity.table}_partner_idx ON ${entity.table} (partner_id)`),
      'CREATE INDEX IF NOT EXISTS segment_members_member_idx ON segment_members (member_id)',
    ];
  },
};
