import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Publications made by the events' `connector-publish` action (docs/events.md, "Publishing
 * through a connector"): the same row as an opt-in publication (one item in the system per
 * connector and segment), marked so that only the action's queue publishes it — with its
 * retries and delivery log — and not the background publishing after each generation too.
 */
export const eventPublications: Migration = {
  version: 25,
  name: 'event publications',
  up(d: Dialect): string[] {
    return [`ALTER TABLE connector_publications ADD COLUMN by_events ${d.columnType('boolean')} DEFAULT false`];
  },
};
