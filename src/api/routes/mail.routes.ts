import { z } from 'zod';
import { emailActionSchema, MAIL_LANGUAGES, mailTemplateSchema } from '../../domain/actions/subscription.schema.js';
import { MAIL_STATUSES, mailLog } from '../../domain/mail/mail-log.js';
import { mailSettingsInputSchema } from '../../domain/mail/mail-settings.js';
import { partnerOfToken } from '../../domain/mail/unsubscribe.js';
import { AppError } from '../../errors/app-error.js';
import { sql } from '../../sql/sql.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';

const tags = ['mail'];
const ts = z.string().describe('An ISO timestamp');
const settingsSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  secure: z.boolean(),
  user: z.string().nullable(),
  passwordSet: z.boolean().describe('Whether a password is kept (it is never shown)'),
  from: z.string(),
  replyTo: z.string().nullable(),
  ratePerMinute: z.number().int(),
  publicUrl: z.string(),
  updatedAt: ts,
});
const logEntrySchema = z.object({
  id: z.string(),
  deliveryId: z.string().nullable(),
  subscriptionId: z.string().nullable(),
  partnerId: z.string().nullable(),
  recipient: z.string().nullable(),
  language: z.string().nullable(),
  subject: z.string().nullable(),
  status: z.enum(MAIL_STATUSES),
  attempts: z.number().int(),
  response: z.string().nullable().describe("The SMTP server's answer"),
  error: z.string().nullable(),
  createdAt: ts,
  updatedAt: ts,
  sentAt: ts.nullable(),
});
const previewSchema = z.object({
  partnerId: z.string(),
  recipient: z.string().nullable(),
  language: z.enum(MAIL_LANGUAGES),
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  skipped: z.string().nullable().describe('Why this partner would get no mail (null: they would)'),
});

const page = (title: string, text: string) =>
  `<!doctype html><html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>` +
  `<body style="font-family:sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem"><h1 style="font-size:1.4rem">${title}</h1><p>${text}</p></body></html>`;

/**
 * Notification mailings (issue 22, docs/tasks-and-mailings.md): the SMTP settings (admin), the
 * send log, a template's preview on a partner and a test send (admin, analyst), and the
 * unsubscribe link — public, the partner proven by the signed token it carries.
 */
export const mailRoutes: RouteModule = async (app, ctx) => {
  const { mailings } = ctx.services;

  app.get(
    '/mail/settings',
    { config: { access: 'admin' }, schema: { tags, summary: 'The SMTP server (never its password); null when none is set', response: { 200: settingsSchema.nullable() } } },
    async () => mailings.settings.get(),
  );

  app.put(
    '/mail/settings',
    {
      config: { access: 'admin', audit: { entity: 'mail-settings', id: () => 'smtp', load: async () => mailings.settings.get() } },
      schema: {
        tags,
        summary: 'Set the SMTP server; the password is kept encrypted (left out: unchanged)',
        body: mailSettingsInputSchema,
        response: { 200: settingsSchema, 400: errorSchema, 409: errorSchema },
      },
    },
    async (request) => mailings.settings.save(request.body),
  );

  app.delete(
    '/mail/settings',
    {
      config: { access: 'admin', audit: { entity: 'mail-settings', id: () => 'smtp' } },
      schema: { tags, summary: 'Remove the SMTP server (e-mail deliveries then fail until it is set again)', response: { 204: z.null() } },
    },
    async (_request, reply) => {
      await mailings.settings.clear();
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/mail/log',
    {
      config: { access: 'analyst' },
      schema: {
        tags,
        summary: 'The send log: every mail, newest first (queued, sent, failed with the server’s answer, skipped)',
        querystring: z
          .object({ subscriptionId: z.string().optional(), partnerId: z.string().optional(), status: z.enum(MAIL_STATUSES).optional(), limit: z.coerce.number().int().min(1).max(5000).default(200) })
          .strict(),
        response: { 200: z.object({ items: z.array(logEntrySchema) }) },
      },
    },
    async (request) => {
      const { subscriptionId, partnerId, status, limit } = request.query;
      return { items: await mailLog(ctx.db, { limit, ...(subscriptionId ? { subscriptionId } : {}), ...(partnerId ? { partnerId } : {}), ...(status ? { status } : {}) }) };
    },
  );

  app.post(
    '/mail/preview',
    {
      config: { access: 'analyst', audit: false },
      schema: {
        tags,
        summary: "A template (or a subscription's) filled with a chosen partner's values, as that partner would get it",
        body: z.object({ partnerId: z.string().min(1), subscriptionId: z.string().optional(), action: emailActionSchema.optional(), segmentName: z.string().max(200).default('') }).strict(),
        response: { 200: previewSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const { partnerId, subscriptionId, action, segmentName } = request.body;
      let config = action;
      let name = segmentName;
      if (subscriptionId) {
        const subscription = await ctx.services.subscriptions.get(subscriptionId);
        if (subscription.action.kind !== 'email') throw new AppError('VALIDATION_FAILED', { summary: `subscriptionId: ${subscriptionId} does not send e-mails` });
        config = subscription.action;
        if (!name) {
          const [first] = await ctx.db.query<{ name: string }>(sql`SELECT name FROM segments WHERE id = ${subscription.segmentIds[0] ?? ''}`);
          name = first?.name ?? '';
        }
      }
      if (!config) throw new AppError('VALIDATION_FAILED', { summary: 'give subscriptionId or action' });
      return mailings.preview(config, partnerId, name);
    },
  );

  app.post(
    '/mail/test',
    {
      config: { access: 'analyst', audit: false },
      schema: {
        tags,
        summary: 'Send a template now to the given address (filled with a partner’s values when partnerId is given); answers its log entry',
        body: z
          .object({
            to: z.string().email(),
            template: mailTemplateSchema,
            language: z.enum(MAIL_LANGUAGES).default('ru'),
            partnerId: z.string().optional(),
            segmentName: z.string().max(200).optional(),
          })
          .strict(),
        response: { 200: logEntrySchema, 400: errorSchema, 404: errorSchema, 409: errorSchema, 502: errorSchema },
      },
    },
    async (request) => {
      const { to, template, language, partnerId, segmentName } = request.body;
      return mailings.testSend(to, template, { language, ...(partnerId ? { partnerId } : {}), ...(segmentName ? { segmentName } : {}) });
    },
  );

  // The unsubscribe link (GET, from the mail) and the one-click unsubscribe (POST, RFC 8058, from the mail client).
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, null));
    const unsubscribe = async (token: string) => {
      const partnerId = partnerOfToken(ctx.services.subscriptions.box, token);
      await mailings.unsubscribe(partnerId);
    };
    const querystring = z.object({ token: z.string().max(2000) }).strict();
    scope.get('/mail/unsubscribe', { config: { access: 'public' }, schema: { tags, summary: 'Unsubscribe a partner from mailings (the link in every mail)', querystring } }, async (request, reply) => {
      // A person who follows the link gets a page; a program, the error shape (or JSON).
      const person = /text\/html/.test(request.headers.accept ?? '');
      try {
        await unsubscribe((request.query as { token: string }).token);
      } catch (error) {
        if (!person) throw error;
        return reply.status(400).type('text/html; charset=utf-8').send(page('Ссылка недействительна / Invalid link', 'Эта ссылка отписки недействительна. / This unsubscribe link is not valid.'));
      }
      if (!person) return reply.send({ unsubscribed: true });
      return reply.type('text/html; charset=utf-8').send(page('Вы отписаны / Unsubscribed', 'Мы больше не будем присылать вам рассылки. / You will get no more mailings from us.'));
    });
    scope.post(
      '/mail/unsubscribe',
      {
        config: { access: 'public', audit: false },
        schema: { tags, summary: 'One-click unsubscribe (List-Unsubscribe-Post, RFC 8058)', querystring, response: { 200: z.object({ unsubscribed: z.boolean() }), 400: errorSchema } },
      },
      async (request) => {
        await unsubscribe((request.query as { token: string }).token);
        return { unsubscribed: true };
      },
    );
  });
};
