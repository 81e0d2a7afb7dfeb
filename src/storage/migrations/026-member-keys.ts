import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * `segment_members.member_key` where the dialect has member keys (DuckDB, `Dialect.memberKey`):
 * an integer standing one-to-one for the member id, filled for the stored rows here and by every
 * writer after, so that a partial swap finds the changed partners' memberships by integers
 * (src/domain/segments/compositions.ts). A row without one (an id the key cannot hold, a row
 * written otherwise) is found by its id.
 */
export const memberKeys: Migration = {
  version: 26,
  name: 'member keys',
  up(d: Dialect): string[] {
    if (!d.memberKey) return [];
    return [`ALTER TABLE segment_members ADD COLUMN member_key ${d.memberKey.type}`, `UPDATE segment_members SET member_key = ${d.memberKey.of('member_id')}`];
  },
};
