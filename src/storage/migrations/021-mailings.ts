import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Notification mailings to clients (issue 22, docs/tasks-and-mailings.md).
 *
 * - `partners.no_mailings`: consent — a partner who asked for no mailings (importable, and set
 *   by the unsubscribe link) gets none.
 * - `mail_settings`: the SMTP server (one row); its password sealed with the SecretBox.
 * - `mail_messages`: the send log, one row per mail — a subscription's message × partner, or a
 *   test send: queued, sent or failed (with the server's answer), skipped (opted out, no e-mail,
 *   deleted). A retry of the subscription's message sends only its mails not sent yet.
 *
 * Both change as they are used, so on DuckDB they carry no key (migration 7).
 */
export const mailingsSchema: Migration = {
  version: 21,
  name: 'notification mailings',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const ts = d.columnType('timestamp');
    const int = d.columnType('integer');
    const bool = d.columnType('boolean');
    const keyed = d.indexesOnRewrittenTables;
    const statements = [
      `ALTER TABLE partners ADD COLUMN no_mailings ${bool}`,
      `CREATE TABLE mail_settings (
        id ${text} NOT NULL${keyed ? ' PRIMARY KEY' : ''},
        host ${text} NOT NULL,
        port ${int} NOT NULL,
        secure ${bool} NOT NULL,
        user_name ${text},
        password ${text},
        from_address ${text} NOT NULL,
        reply_to ${text},
        rate_per_minute ${int} NOT NULL,
        public_url ${text} NOT NULL,
        updated_at ${ts} NOT NULL
      )`,
      `CREATE TABLE mail_messages (
        id ${text} NOT NULL${keyed ? ' PRIMARY KEY' : ''},
        delivery_id ${text},
        subscription_id ${text},
        partner_id ${text},
        recipient ${text},
        language ${text},
        subject ${text},
        status ${text} NOT NULL,
        attempts ${int} NOT NULL,
        response ${text},
        error ${text},
        created_at ${ts} NOT NULL,
        updated_at ${ts} NOT NULL,
        sent_at ${ts}
      )`,
    ];
    if (d.usesSecondaryIndexes) {
      statements.push('CREATE INDEX mail_messages_subscription_idx ON mail_messages (subscription_id, created_at)', 'CREATE INDEX mail_messages_delivery_idx ON mail_messages (delivery_id)');
    }
    return statements;
  },
};
