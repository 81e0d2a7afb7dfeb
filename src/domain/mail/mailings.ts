import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import type { SecretBox } from '../access/secret-box.js';
import type { DeliveryOutcome, OutgoingMessage } from '../actions/actions.js';
import { parseMessage, ruleValuesOf } from '../actions/message-events.js';
import { templateValues, type PartnerFacts } from '../actions/template-values.js';
import { MAIL_LANGUAGES, type EmailActionConfig, type MailLanguage, type MailTemplate } from '../actions/subscription.schema.js';
import { placeholders } from '../actions/templates.js';
import { loggedMails, logMail, mailEntry, type MailLogEntry } from './mail-log.js';
import type { MailSettingsStore, SmtpSettings } from './mail-settings.js';
import { renderMail, sendMail, type SendResult } from './mailer.js';
import { RateLimit } from './rate-limit.js';
import { unsubscribeToken, unsubscribeUrl } from './unsubscribe.js';

/**
 * Notification mailings (issue 22, docs/tasks-and-mailings.md): the `email` action's sending,
 * a template's preview on a chosen partner, a test send, and opting out. Never to a partner
 * marked for deletion, without an e-mail, or who asked for no mailings.
 */

/** How long a message waits for a slot under the rate limit before leaving the rest to its next attempt. */
const MAX_RATE_WAIT_MS = 20_000;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** Why a partner gets no mail; null when they may get one. */
export function skipReason(facts: PartnerFacts | undefined): string | null {
  if (!facts) return 'no such partner';
  if (facts.deleted) return 'the partner is marked for deletion';
  if (facts.noMailings) return 'the partner asked for no mailings';
  if (!facts.email || !EMAIL.test(facts.email.trim())) return 'the partner has no e-mail';
  return null;
}

/** The language of a partner's mail: their property `language` when a template has it, else the default. */
function languageOf(facts: PartnerFacts | undefined, config: EmailActionConfig): MailLanguage {
  const wanted = facts?.values.language?.trim().toLowerCase().slice(0, 2);
  const known = MAIL_LANGUAGES.find((l) => l === wanted);
  return known && config.templates[known] ? known : config.defaultLanguage;
}

const templateNames = (config: EmailActionConfig): Set<string> =>
  new Set(Object.values(config.templates).flatMap((t) => (t ? [...placeholders(t.subject), ...placeholders(t.html), ...placeholders(t.text)] : [])));

export interface MailPreview {
  readonly partnerId: string;
  readonly recipient: string | null;
  readonly language: MailLanguage;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** Why this partner would get no mail (null: they would). */
  readonly skipped: string | null;
}

export class Mailings {
  private readonly limit: RateLimit;

  constructor(
    private readonly db: Database,
    readonly settings: MailSettingsStore,
    private readonly box: SecretBox | null,
    options: { readonly now?: () => Date } = {},
  ) {
    const now = options.now ?? (() => new Date());
    this.limit = new RateLimit(() => now().getTime());
  }

  private link(smtp: { publicUrl: string }, partnerId: string): string | null {
    return this.box ? unsubscribeUrl(smtp.publicUrl, unsubscribeToken(this.box, partnerId)) : null;
  }

  /** The `email` action's one attempt at a message: each partner's mail not sent yet is sent (or skipped), and logged. */
  async deliver(subscriptionId: string, config: EmailActionConfig, message: OutgoingMessage): Promise<DeliveryOutcome> {
    const started = performance.now();
    const outcome = (ok: boolean, excerpt: string, error: string | null, status: number | null = null): DeliveryOutcome => ({
      ok,
      gone: false,
      status,
      excerpt,
      error,
      durationMs: performance.now() - started,
    });
    const parsed = parseMessage(message.body);
    if (parsed.type !== 'segment.members.changed' || parsed.segment?.kind !== 'partner') return outcome(true, 'a test event: no mail sent (use the test send)', null);
    const smtp = await this.settings.smtp();
    const ids = [...new Set(parsed.events.flatMap((e) => (e.partner ? [e.partner.id] : [])))];
    const values = await templateValues(this.db, ids, parsed.segment.name ?? parsed.segment.id, templateNames(config), { language: config.defaultLanguage, rule: ruleValuesOf(parsed.events) });
    const logged = await loggedMails(this.db, message.id);
    let sent = 0;
    let skipped = 0;
    let lastFailure: SendResult | null = null;
    let failed = 0;
    let postponed = 0;
    for (const partnerId of ids) {
      const id = `${message.id}:${partnerId}`;
      const existing = logged.get(id);
      if (existing && (existing.status === 'sent' || existing.status === 'skipped')) continue;
      const facts = values.get(partnerId);
      const language = languageOf(facts, config);
      const record = { id, deliveryId: message.id, subscriptionId, partnerId, recipient: facts?.email?.trim() ?? null, language, subject: null as string | null };
      const reason = skipReason(facts);
      if (reason) {
        await logMail(this.db, record, { status: 'skipped', error: reason }, existing);
        skipped++;
        continue;
      }
      const mail = renderMail(config.templates[language]!, language, facts!.values, this.link(smtp, partnerId));
      const withSubject = { ...record, subject: mail.subject };
      if (!existing) await logMail(this.db, withSubject, { status: 'queued' }, undefined);
      const queued = existing ?? (await loggedMails(this.db, message.id)).get(id);
      if (!(await this.limit.take(smtp.ratePerMinute, MAX_RATE_WAIT_MS))) {
        postponed++;
        continue;
      }
      const result = await sendMail(smtp, { to: record.recipient!, ...mail, unsubscribeUrl: this.link(smtp, partnerId) });
      await logMail(
        this.db,
        withSubject,
        { status: result.ok ? 'sent' : 'failed', response: result.response, error: result.ok ? null : `SMTP ${result.code ?? '—'}: ${result.response}`, attempted: true },
        queued,
      );
      if (result.ok) sent++;
      else {
        failed++;
        lastFailure = result;
      }
    }
    const summary = `sent ${sent}, skipped ${skipped}, failed ${failed}, left for the next attempt ${postponed}`;
    if (failed > 0) return outcome(false, summary, `${failed} mail(s) refused; last: SMTP ${lastFailure?.code ?? '—'} ${lastFailure?.response ?? ''}`.trim(), lastFailure?.code ?? null);
    if (postponed > 0) return outcome(false, summary, `the rate limit (${smtp.ratePerMinute} a minute) left ${postponed} mail(s) for the next attempt`);
    return outcome(true, summary, null);
  }

  /** A template filled with a chosen partner's values, as that partner would get it. */
  async preview(config: EmailActionConfig, partnerId: string, segmentName: string, q: Queryable = this.db): Promise<MailPreview> {
    const values = await templateValues(q, [partnerId], segmentName, templateNames(config), { language: config.defaultLanguage });
    const facts = values.get(partnerId);
    if (!facts) throw new AppError('ENTITY_NOT_FOUND', { entity: 'partner', id: partnerId });
    const language = languageOf(facts, config);
    const smtp = await this.settings.get();
    const mail = renderMail(config.templates[language]!, language, facts.values, smtp ? this.link(smtp, partnerId) : null);
    return { partnerId, recipient: facts.email, language, ...mail, skipped: skipReason(facts) };
  }

  /** Sends a template, filled with a partner's values (or as it is), to the given address now; logged. */
  async testSend(to: string, template: MailTemplate, options: { partnerId?: string; language?: MailLanguage; segmentName?: string } = {}): Promise<MailLogEntry> {
    const smtp: SmtpSettings = await this.settings.smtp();
    const language = options.language ?? 'ru';
    const config: EmailActionConfig = { kind: 'email', defaultLanguage: language, templates: { [language]: template } };
    let values: Record<string, string> = {};
    if (options.partnerId) {
      const facts = (await templateValues(this.db, [options.partnerId], options.segmentName ?? '', templateNames(config), { language })).get(options.partnerId);
      if (!facts) throw new AppError('ENTITY_NOT_FOUND', { entity: 'partner', id: options.partnerId });
      values = facts.values;
    }
    const mail = renderMail(template, language, values, options.partnerId ? this.link(smtp, options.partnerId) : null);
    const id = `test_${randomBytes(9).toString('base64url')}`;
    const record = { id, deliveryId: null, subscriptionId: null, partnerId: options.partnerId ?? null, recipient: to, language, subject: mail.subject };
    await logMail(this.db, record, { status: 'queued' }, undefined);
    const result = await sendMail(smtp, { to, ...mail, unsubscribeUrl: options.partnerId ? this.link(smtp, options.partnerId) : null });
    const queued = (await mailEntry(this.db, id)) ?? undefined;
    await logMail(
      this.db,
      record,
      { status: result.ok ? 'sent' : 'failed', response: result.response, error: result.ok ? null : `SMTP ${result.code ?? '—'}: ${result.response}`, attempted: true },
      queued,
    );
    if (!result.ok) throw new AppError('MAIL_SEND_FAILED', { reason: `SMTP ${result.code ?? '—'}: ${result.response}` });
    return (await mailEntry(this.db, id))!;
  }

  /** Opting out by the unsubscribe link: the partner gets no more mailings. */
  async unsubscribe(partnerId: string): Promise<boolean> {
    const [row] = await this.db.query(sql`SELECT 1 FROM partners WHERE id = ${partnerId}`);
    if (!row) return false;
    await this.db.run(sql`UPDATE partners SET no_mailings = TRUE WHERE id = ${partnerId}`);
    return true;
  }
}
