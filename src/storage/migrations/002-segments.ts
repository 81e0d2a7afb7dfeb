import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Segments (SPEC §2), their stored compositions, and per-partner scores (SPEC §4) — the
 * tables the rule compiler reads for `inSegment`, `where.productSegment` and `score`.
 * rule, parameters and competitors are JSON text.
 */
export const segmentsSchema: Migration = {
  version: 2,
  name: 'segments and scores',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const bool = d.columnType('boolean');
    const ts = d.columnType('timestamp');
    const statements = [
      `CREATE TABLE segments (
        id ${text} NOT NULL,
        kind ${text} NOT NULL,
        name ${text} NOT NULL,
        description ${text},
        method ${text} NOT NULL,
        rule ${text},
        sql ${text},
        parameters ${text},
        schedule ${text},
        check_on_create ${bool} NOT NULL DEFAULT FALSE,
        competitors ${text},
        archived ${bool} NOT NULL DEFAULT FALSE,
        created_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updated_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        PRIMARY KEY (id)
      )`,
      `CREATE TABLE segment_members (
        segment_id ${text} NOT NULL,
        member_id ${text} NOT NULL,
        added_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        PRIMARY KEY (segment_id, member_id)
      )`,
      `CREATE TABLE partner_scores (
        partner_id ${text} NOT NULL,
        score ${text} NOT NULL,
        value ${d.columnType('decimal')},
        PRIMARY KEY (partner_id, score)
      )`,
    ];
    // "Which segments is partner X in" reads members by member id.
    if (d.usesSecondaryIndexes) statements.push('CREATE INDEX segment_members_member_idx ON segment_members (member_id)');
    return statements;
  },
};
