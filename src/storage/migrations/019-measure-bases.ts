import { ENTITIES, entityColumns } from '../../model/entities.js';
import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Measures kept between refresh passes (issue 20, docs/segments.md "Measures kept between
 * passes"; src/domain/segments/measure-base.ts).
 *
 * - `sales_appended`: a copy of the sale lines an import appended (new ids), written in the
 *   import's transaction, until a full batch's kept measures or an incremental pass's deltas
 *   hold them. The sales columns as they are, so the rule compiler reads it as it reads `sales`.
 * - `measure_bases`: the description of the kept measures (at most one row): the pass whose
 *   state they hold, the evaluation date, and per column its measure spec, type and how deltas
 *   combine (JSON). The kept tables themselves (`measure_base`, `measure_deltas`) have one
 *   column per measure and are made by the full batch that writes them. No row: no base.
 */
export const measureBases: Migration = {
  version: 19,
  name: 'measure bases',
  up(d: Dialect): string[] {
    const columns = entityColumns(ENTITIES.sales).map(({ column, type }) => `${column} ${d.columnType(type)}${column === 'id' ? ' NOT NULL' : ''}`);
    return [
      `CREATE TABLE sales_appended (${columns.join(', ')})`,
      `CREATE TABLE measure_bases (
        pass BIGINT NOT NULL,
        as_of ${d.columnType('date')} NOT NULL,
        columns ${d.columnType('text')} NOT NULL
      )`,
    ];
  },
};
