import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Segment events and actions (issue 18, docs/events.md).
 *
 * - `segment_changes`: one row per change of a stored segment's composition (a generation, a
 *   check on create, a manual edit), written in the transaction of the change: its composition
 *   version (1, 2, … per segment), counts, whether member events were recorded (`watched`: an
 *   enabled subscription watches the segment) and whether the dispatcher fanned them out yet.
 * - `segment_events`: the outbox, one row per partner who entered or left in a watched change;
 *   an event's id is derived from (segment, version, transition, partner).
 * - `event_subscriptions` (+ `event_subscription_segments`): segments × event types → an action.
 * - `event_deliveries`: the durable queue, one row per message (a batch of events) and
 *   subscription; its id is the message's `webhook-id`. `event_delivery_attempts`: the log.
 *
 * The rows every change or delivery rewrites carry no key or index on DuckDB (its indexes are
 * not crash-safe, migration 7); their writers keep them unique (one process owns the file).
 * Existing segments get a version-0 change so that their next change is not taken for a first
 * generation.
 */
export const segmentEvents: Migration = {
  version: 13,
  name: 'segment events',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const ts = d.columnType('timestamp');
    const int = d.columnType('integer');
    const bool = d.columnType('boolean');
    const keyed = d.indexesOnRewrittenTables;
    const statements = [
      `CREATE TABLE segment_changes (
        segment_id ${text} NOT NULL,
        version BIGINT NOT NULL,
        run_id BIGINT,
        occurred_at ${ts} NOT NULL,
        first_generation ${bool} NOT NULL,
        entered ${int} NOT NULL,
        left_count ${int} NOT NULL,
        watched ${bool} NOT NULL,
        dispatched ${bool} NOT NULL${keyed ? ',\n        PRIMARY KEY (segment_id, version)' : ''}
      )`,
      `CREATE TABLE segment_events (
        segment_id ${text} NOT NULL,
        version BIGINT NOT NULL,
        transition ${text} NOT NULL,
        member_id ${text} NOT NULL,
        occurred_at ${ts} NOT NULL${keyed ? ',\n        PRIMARY KEY (segment_id, version, transition, member_id)' : ''}
      )`,
      `CREATE TABLE event_subscriptions (
        id ${text} NOT NULL PRIMARY KEY,
        name ${text} NOT NULL,
        action_kind ${text} NOT NULL,
        action_config ${text} NOT NULL,
        secret ${text},
        event_types ${text} NOT NULL,
        skip_first_generation ${bool} NOT NULL,
        batch_size ${int} NOT NULL,
        enabled ${bool} NOT NULL,
        disabled_reason ${text},
        failing_since ${ts},
        created_at ${ts} NOT NULL,
        updated_at ${ts} NOT NULL
      )`,
      `CREATE TABLE event_subscription_segments (
        subscription_id ${text} NOT NULL,
        segment_id ${text} NOT NULL
      )`,
      `CREATE TABLE event_deliveries (
        id ${text} NOT NULL${keyed ? ' PRIMARY KEY' : ''},
        subscription_id ${text} NOT NULL,
        segment_id ${text},
        version BIGINT,
        transition ${text},
        first_member ${text},
        last_member ${text},
        event_count ${int} NOT NULL,
        payload ${text},
        status ${text} NOT NULL,
        attempts ${int} NOT NULL,
        next_attempt_at ${ts},
        claimed_until ${ts},
        claimed_by ${text},
        last_status ${int},
        last_error ${text},
        created_at ${ts} NOT NULL,
        finished_at ${ts}
      )`,
      `CREATE TABLE event_delivery_attempts (
        delivery_id ${text} NOT NULL,
        attempt ${int} NOT NULL,
        attempted_at ${ts} NOT NULL,
        status_code ${int},
        response_excerpt ${text},
        error ${text},
        duration_ms ${int} NOT NULL
      )`,
      `INSERT INTO segment_changes (segment_id, version, run_id, occurred_at, first_generation, entered, left_count, watched, dispatched)
       SELECT segment_id, 0, NULL, MAX(occurred_at), FALSE, 0, 0, FALSE, TRUE FROM segment_history GROUP BY segment_id`,
    ];
    if (d.usesSecondaryIndexes) {
      statements.push(
        'CREATE INDEX segment_changes_pending_idx ON segment_changes (occurred_at) WHERE NOT dispatched',
        'CREATE INDEX event_subscription_segments_idx ON event_subscription_segments (segment_id)',
        "CREATE INDEX event_deliveries_due_idx ON event_deliveries (next_attempt_at) WHERE status = 'pending'",
        'CREATE INDEX event_deliveries_subscription_idx ON event_deliveries (subscription_id, created_at)',
        'CREATE INDEX event_delivery_attempts_idx ON event_delivery_attempts (delivery_id)',
      );
    }
    return statements;
  },
};
