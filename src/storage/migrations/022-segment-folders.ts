import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Segment folders (issue 21): as 1C groups its segments, a segment may sit in a folder, a plain
 * name ("Скидки", "Маркетинг / Рассылки"); the list groups and filters by it. Null: no folder.
 * The scoped role's SELECT on `segments` (migration 10) covers the new column.
 */
export const segmentFolders: Migration = {
  version: 22,
  name: 'segment folders',
  up(d: Dialect): string[] {
    return [`ALTER TABLE segments ADD COLUMN folder ${d.columnType('text')}`];
  },
};
