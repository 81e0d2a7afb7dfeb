import type { MailLanguage, MailTemplate } from '../actions/subscription.schema.js';
import { renderTemplate, type TemplateValues } from '../actions/templates.js';
import type { SmtpSettings } from './mail-settings.js';

/**
 * Sending one mail over SMTP with nodemailer (issue 22): what the server answered, or why it
 * refused — its reply code (4xx: try later, 5xx: refused) and text go to the send log.
 */

export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** The unsubscribe link: the `List-Unsubscribe` header (RFC 2369) with one-click (RFC 8058). */
  readonly unsubscribeUrl: string | null;
}

export interface SendResult {
  readonly ok: boolean;
  /** The server's last reply code (250 when taken). */
  readonly code: number | null;
  /** The server's answer, or the error. */
  readonly response: string;
  readonly durationMs: number;
}

/** SMTP's time-outs: a server that does not answer in time fails the attempt (retried later). */
const TIMEOUT_MS = 20_000;

export async function sendMail(settings: SmtpSettings, mail: OutgoingMail): Promise<SendResult> {
  // Loaded on first use: at start-up it would cost every process loading the services ~50 ms of CPU.
  const { default: nodemailer } = await import('nodemailer');
  const started = performance.now();
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    const info = await transport.sendMail({
      from: settings.from,
      ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
      to: mail.to,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      ...(mail.unsubscribeUrl ? { list: { unsubscribe: { url: mail.unsubscribeUrl, comment: 'Unsubscribe' } }, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } } : {}),
    });
    const response = String(info.response ?? '');
    const code = Number(/^\d{3}/.exec(response)?.[0] ?? 250);
    return { ok: info.rejected.length === 0, code, response: response.slice(0, 1000), durationMs: performance.now() - started };
  } catch (error) {
    const e = error as Error & { responseCode?: number; response?: string };
    return { ok: false, code: e.responseCode ?? null, response: (e.response ?? e.message).slice(0, 1000), durationMs: performance.now() - started };
  } finally {
    transport.close();
  }
}

const FOOTER: Record<MailLanguage, { text: string; html: string }> = {
  ru: { text: 'Отписаться от рассылки', html: 'Отписаться от рассылки' },
  en: { text: 'Unsubscribe', html: 'Unsubscribe' },
};

/** A template filled with a partner's values; the unsubscribe link is added when the template does not place `{unsubscribeUrl}` itself. */
export function renderMail(template: MailTemplate, language: MailLanguage, values: TemplateValues, unsubscribeUrl: string | null): { subject: string; html: string; text: string } {
  const all = unsubscribeUrl ? { ...values, unsubscribeUrl } : values;
  let html = renderTemplate(template.html, all, 'html');
  let text = renderTemplate(template.text, all);
  if (unsubscribeUrl && !template.html.includes('{unsubscribeUrl}')) html += `\n<p style="font-size:12px;color:#888"><a href="${unsubscribeUrl}">${FOOTER[language].html}</a></p>`;
  if (unsubscribeUrl && !template.text.includes('{unsubscribeUrl}')) text += `\n\n${FOOTER[language].text}: ${unsubscribeUrl}`;
  return { subject: renderTemplate(template.subject, all).replace(/[\r\n]+/g, ' '), html, text };
}
