import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * The tables every refresh rewrites lose their indexes and key constraints where the engine's
 * indexes are not crash-safe (DuckDB, see `indexesOnRewrittenTables` and docs/storage.md): a
 * kill during a refresh left write-ahead logs that DuckDB could not replay ("Failure while
 * replaying WAL") and indexes it could not delete from ("Failed to delete all rows from
 * index"). DuckDB cannot drop a primary key, so each table is copied into one without, in this
 * migration's one transaction. The writers keep (segment, member) and run ids unique
 * (NOT EXISTS-guarded inserts, sequences). PostgreSQL keeps its B-tree indexes.
 */
export const noIndexesOnRewrittenTables: Migration = {
  version: 7,
  name: 'no indexes on rewritten tables',
  up(d: Dialect): string[] {
    if (d.indexesOnRewrittenTables) return [];
    const text = d.columnType('text');
    const ts = d.columnType('timestamp');
    const int = d.columnType('integer');
    const tables: Record<string, string> = {
      segment_members: `segment_id ${text} NOT NULL, member_id ${text} NOT NULL, added_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP`,
      segment_history: `segment_id ${text} NOT NULL, member_id ${text} NOT NULL, event ${text} NOT NULL, occurred_at ${ts} NOT NULL, run_id BIGINT`,
      segment_runs: `id BIGINT NOT NULL DEFAULT nextval('segment_runs_seq'), segment_id ${text} NOT NULL, trigger ${text} NOT NULL, started_at ${ts} NOT NULL,
        finished_at ${ts}, status ${text} NOT NULL, size ${int}, entered ${int}, left_count ${int}, duration_ms ${int}, error ${text}`,
      score_runs: `id BIGINT NOT NULL DEFAULT nextval('score_runs_seq'), score_set ${text} NOT NULL, trigger ${text} NOT NULL, as_of ${d.columnType('date')} NOT NULL,
        settings ${text} NOT NULL, started_at ${ts} NOT NULL, finished_at ${ts}, status ${text} NOT NULL, scored ${int}, duration_ms ${int}, error ${text}`,
    };
    return Object.entries(tables).flatMap(([table, columns]) => [
      `CREATE TABLE ${table}_unindexed (${columns})`,
      `INSERT INTO ${table}_unindexed SELECT * FROM ${table}`,
      `DROP TABLE ${table}`,
      `ALTER TABLE ${table}_unindexed RENAME TO ${table}`,
    ]);
  },
};
