import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Analytics of SPEC §4: their settings (RFM window and bins, renew properties, lifecycle
 * rules — JSON text, defaults in code until changed), BCG-style matrices, and the record of
 * score refreshes (RFM, renew index), which are run like periodic segments: on demand and on
 * a schedule claimed once across server processes. On DuckDB, `partner_scores` loses its
 * primary-key index (see below).
 */
export const analyticsSchema: Migration = {
  version: 5,
  name: 'analytics settings, matrices and score runs',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const ts = d.columnType('timestamp');
    const int = d.columnType('integer');
    const statements = [
      `CREATE TABLE analytics_settings (name ${text} NOT NULL, value ${text} NOT NULL, updated_at ${ts} NOT NULL, PRIMARY KEY (name))`,
      `CREATE TABLE analytics_matrices (
        id ${text} NOT NULL,
        name ${text} NOT NULL,
        definition ${text} NOT NULL,
        created_at ${ts} NOT NULL,
        updated_at ${ts} NOT NULL,
        PRIMARY KEY (id)
      )`,
      'CREATE SEQUENCE score_runs_seq',
      `CREATE TABLE score_runs (
        id BIGINT NOT NULL DEFAULT nextval('score_runs_seq') PRIMARY KEY,
        score_set ${text} NOT NULL,
        trigger ${text} NOT NULL,
        as_of ${d.columnType('date')} NOT NULL,
        settings ${text} NOT NULL,
        started_at ${ts} NOT NULL,
        finished_at ${ts},
        status ${text} NOT NULL,
        scored ${int},
        duration_ms ${int},
        error ${text}
      )`,
      'CREATE INDEX score_runs_set_idx ON score_runs (score_set, started_at)',
      `CREATE TABLE score_schedule_claims (score_set ${text} NOT NULL, slot ${ts} NOT NULL, claimed_by ${text} NOT NULL, PRIMARY KEY (score_set, slot))`,
    ];
    if (d.usesSecondaryIndexes) {
      // Reports read one score for many partners (the RFM grid).
      statements.push('CREATE INDEX partner_scores_score_idx ON partner_scores (score, partner_id)');
    } else {
      // A refresh rewrites millions of score rows at once; DuckDB's primary-key index made that
      // ten times slower (47 s instead of 4 s for 2.5 M rows), so on DuckDB the table is kept
      // like the fact tables, without one. Every writer writes one row per partner and score.
      statements.push(
        `CREATE TABLE partner_scores_rebuilt (partner_id ${text} NOT NULL, score ${text} NOT NULL, value ${d.columnType('decimal')})`,
        'INSERT INTO partner_scores_rebuilt (partner_id, score, value) SELECT partner_id, score, value FROM partner_scores',
        'DROP TABLE partner_scores',
        'ALTER TABLE partner_scores_rebuilt RENAME TO partner_scores',
      );
    }
    return statements;
  },
};
