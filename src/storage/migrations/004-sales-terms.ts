import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Sales terms (SPEC §5): marketing campaigns, agreements, discounts and markups, cumulative
 * discount tables, shipment bans, manual discount limits; which segments they use; and a
 * revision number that order pricing checks to know its cached rules are current.
 * Conditions and table definitions are JSON text.
 */
export const salesTermsSchema: Migration = {
  version: 4,
  name: 'sales terms',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const bool = d.columnType('boolean');
    const ts = d.columnType('timestamp');
    const date = d.columnType('date');
    const decimal = d.columnType('decimal');
    const int = d.columnType('integer');
    const stamps = `created_at ${ts} NOT NULL, updated_at ${ts} NOT NULL`;
    const statements = [
      `CREATE TABLE campaigns (id ${text} NOT NULL PRIMARY KEY, name ${text} NOT NULL, description ${text}, starts_on ${date} NOT NULL, ends_on ${date} NOT NULL, ${stamps})`,
      `CREATE TABLE agreements (
        id ${text} NOT NULL PRIMARY KEY, name ${text} NOT NULL, description ${text}, segment_id ${text}, price_type ${text},
        discount_percent ${decimal} NOT NULL, campaign_id ${text}, valid_from ${date}, valid_to ${date}, active ${bool} NOT NULL, ${stamps})`,
      `CREATE TABLE discounts (
        id ${text} NOT NULL PRIMARY KEY, name ${text} NOT NULL, description ${text}, percent ${decimal} NOT NULL, conditions ${text} NOT NULL,
        combine ${text} NOT NULL, priority ${int} NOT NULL, campaign_id ${text}, valid_from ${date}, valid_to ${date}, active ${bool} NOT NULL,
        table_id ${text}, ${stamps})`,
      `CREATE TABLE discount_tables (id ${text} NOT NULL PRIMARY KEY, name ${text} NOT NULL, definition ${text} NOT NULL, ${stamps})`,
      `CREATE TABLE shipment_bans (id ${text} NOT NULL PRIMARY KEY, name ${text} NOT NULL, segment_id ${text} NOT NULL, reason ${text}, active ${bool} NOT NULL, ${stamps})`,
      `CREATE TABLE manual_discount_limits (id ${text} NOT NULL PRIMARY KEY, name ${text} NOT NULL, segment_id ${text}, max_percent ${decimal} NOT NULL, ${stamps})`,
      // Which segments each term uses: the usage list of a segment and the guard against deleting it.
      `CREATE TABLE term_segment_refs (term_kind ${text} NOT NULL, term_id ${text} NOT NULL, term_name ${text} NOT NULL, segment_id ${text} NOT NULL, PRIMARY KEY (term_kind, term_id, segment_id))`,
      `CREATE TABLE terms_revision (id ${int} NOT NULL PRIMARY KEY, revision BIGINT NOT NULL)`,
      'INSERT INTO terms_revision (id, revision) VALUES (1, 0)',
    ];
    if (d.usesSecondaryIndexes) {
      statements.push('CREATE INDEX term_segment_refs_segment_idx ON term_segment_refs (segment_id)');
    } else {
      // Order pricing looks memberships up by partner and product id. PostgreSQL has this index
      // since migration 2; on DuckDB, without it, each order would scan every stored composition.
      statements.push('CREATE INDEX segment_members_member_idx ON segment_members (member_id)');
    }
    return statements;
  },
};
