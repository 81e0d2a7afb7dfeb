import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { Queryable, SqlValue } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import type { SecretBox } from '../access/secret-box.js';
import { sqlTimestamp } from '../segments/segments.repository.js';
import { isoTimestamp } from '../tasks/tasks.js';

/**
 * The SMTP server mails go through (issue 22, docs/tasks-and-mailings.md), set by an
 * administrator. Its password is sealed with the server's SecretBox (owner `mail:smtp`) and
 * never shown again; an update without `password` keeps it.
 */

const OWNER = 'mail:smtp';

export const mailSettingsInputSchema = z
  .object({
    host: z.string().trim().min(1).max(255).describe('The SMTP server'),
    port: z.number().int().min(1).max(65535).default(587),
    secure: z.boolean().default(false).describe('TLS from the start (port 465); otherwise STARTTLS when the server offers it'),
    user: z.string().max(255).nullable().default(null),
    password: z.string().max(1000).nullable().optional().describe('Kept encrypted; left out: unchanged; null: none'),
    from: z.string().trim().min(3).max(320).describe('The sender: "Company <news@example.com>" or an address'),
    replyTo: z.string().trim().max(320).nullable().default(null),
    ratePerMinute: z.number().int().min(1).max(10_000).default(60).describe('Mails sent per minute, at most'),
    publicUrl: z
      .string()
      .url()
      .max(2000)
      .refine((u) => /^https?:\/\//i.test(u), 'an http:// or https:// address')
      .describe("Segmenta's address as clients reach it: the unsubscribe link points there"),
  })
  .strict();
export type MailSettingsInput = z.output<typeof mailSettingsInputSchema>;

/** The settings as the API shows them: whether a password is set, never the password. */
export interface MailSettings {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly user: string | null;
  readonly passwordSet: boolean;
  readonly from: string;
  readonly replyTo: string | null;
  readonly ratePerMinute: number;
  readonly publicUrl: string;
  readonly updatedAt: string;
}

/** With the password opened: for the mailer only. */
export interface SmtpSettings extends MailSettings {
  readonly password: string | null;
}

interface Row {
  host: string;
  port: number;
  secure: boolean;
  user_name: string | null;
  password: string | null;
  from_address: string;
  reply_to: string | null;
  rate_per_minute: number;
  public_url: string;
  updated_at: SqlValue;
  [key: string]: SqlValue;
}

const toSettings = (r: Row): MailSettings => ({
  host: r.host,
  port: Number(r.port),
  secure: Boolean(r.secure),
  user: r.user_name,
  passwordSet: r.password !== null,
  from: r.from_address,
  replyTo: r.reply_to,
  ratePerMinute: Number(r.rate_per_minute),
  publicUrl: r.public_url,
  updatedAt: isoTimestamp(r.updated_at),
});

export class MailSettingsStore {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox | null,
  ) {}

  private async row(q: Queryable): Promise<Row | null> {
    const [row] = await q.query<Row>(sql`SELECT * FROM mail_settings WHERE id = 'smtp'`);
    return row ?? null;
  }

  /** The settings, or null when no SMTP server is set. */
  async get(q: Queryable = this.db): Promise<MailSettings | null> {
    const row = await this.row(q);
    return row ? toSettings(row) : null;
  }

  /** With the password, for sending; MAIL_NOT_CONFIGURED when none is set. */
  async smtp(): Promise<SmtpSettings> {
    const row = await this.row(this.db);
    if (!row) throw new AppError('MAIL_NOT_CONFIGURED');
    return { ...toSettings(row), password: row.password === null ? null : this.requireBox().open(row.password, OWNER) };
  }

  private requireBox(): SecretBox {
    if (!this.box) throw new AppError('SECRET_KEY_MISSING');
    return this.box;
  }

  async save(input: MailSettingsInput): Promise<MailSettings> {
    await this.db.transaction(async (tx) => {
      const old = await this.row(tx);
      const password = input.password === undefined ? (old?.password ?? null) : input.password === null || input.password === '' ? null : this.requireBox().seal(input.password, OWNER);
      await tx.run(sql`DELETE FROM mail_settings WHERE id = 'smtp'`);
      await tx.run(
        sql`INSERT INTO mail_settings (id, host, port, secure, user_name, password, from_address, reply_to, rate_per_minute, public_url, updated_at)
         VALUES ('smtp', ${input.host}, ${input.port}, ${input.secure}, ${input.user}, ${password}, ${input.from}, ${input.replyTo}, ${input.ratePerMinute}, ${input.publicUrl.replace(/\/+$/, '')},
           CAST(${sqlTimestamp()} AS TIMESTAMP))`,
      );
    });
    return (await this.get())!;
  }

  /** Removes the SMTP server; enabled e-mail subscriptions then fail their deliveries (logged) until it is set again. */
  async clear(): Promise<void> {
    await this.db.run(sql`DELETE FROM mail_settings WHERE id = 'smtp'`);
  }
}
