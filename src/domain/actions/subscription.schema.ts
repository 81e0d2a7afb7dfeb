import { z } from 'zod';
import { segmentIdSchema } from '../segments/segment.schema.js';
import { isValidSecret } from './signing.js';

/** The events a subscription can watch (docs/events.md). */
export const EVENT_TYPES = ['segment.member.entered', 'segment.member.left'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * What a subscription does with its events, each kind an ActionHandler (actions.ts): `webhook`
 * (a signed POST), `crm-task` (a task for the partner's responsible user in a CRM, once per
 * entry), `connector-publish` (the segment published through a connector: 1C's segment register,
 * a Bitrix24 or amoCRM company field), and of issue 22 `segmenta-task` (a task for the partner's
 * manager inside Segmenta) and `email` (a mail to the partner).
 */
export const ACTION_KINDS = ['webhook', 'crm-task', 'connector-publish', 'segmenta-task', 'email'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

const webhookAction = z
  .object({
    kind: z.literal('webhook'),
    url: z
      .string()
      .max(2000)
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'an http:// or https:// address')
      .describe('Where events are POSTed'),
    secret: z
      .string()
      .refine(isValidSecret, 'a Standard Webhooks secret: "whsec_" and base64 of at least 24 bytes')
      .optional()
      .describe('The signing secret (whsec_…); generated when left out, shown once'),
  })
  .strict();

/** The task a `crm-task` action makes: templates with {partner}, {segment}, {manager}, {email}, {phone} and {<property>} (docs/events.md). */
export const crmTaskSettings = {
  title: z.string().trim().min(1).max(250).describe('The task\'s title template, e.g. "Call {partner}: {overdue} ₽ overdue"'),
  description: z.string().max(5000).describe("The task's description template"),
  deadlineDays: z.number().int().min(0).max(365).describe("The task is due this many days after the entry (at 18:00 of the server's day)"),
};

const crmTaskAction = z
  .object({
    kind: z.literal('crm-task'),
    connectorId: z.string().min(1).max(80).describe('The CRM connector (Bitrix24, amoCRM) that synced the partners'),
    ...crmTaskSettings,
    description: crmTaskSettings.description.default(''),
    deadlineDays: crmTaskSettings.deadlineDays.default(3),
  })
  .strict();

const connectorPublishAction = z
  .object({
    kind: z.literal('connector-publish'),
    connectorId: z.string().min(1).max(80).describe('The connector (1C, Bitrix24, amoCRM) the segment is published through'),
  })
  .strict();

/** A template: `{partner}`, `{segment}` and the partner's values (docs/tasks-and-mailings.md) are filled in. */
const template = (max: number) => z.string().max(max);

export const taskActionSchema = z
  .object({
    kind: z.literal('segmenta-task'),
    title: template(500).min(1).describe('The task\'s title, e.g. "Call {partner}: {overdue} ₽ overdue for {days} days"'),
    description: template(5000).default('').describe("The task's description (a template too)"),
    dueInDays: z.number().int().min(0).max(365).default(3).describe('The deadline: this many days after the partner entered'),
    autoClose: z.boolean().default(true).describe('Close the open task, with a note, when the partner leaves the segment'),
  })
  .strict();
export type TaskActionConfig = z.output<typeof taskActionSchema>;

export const MAIL_LANGUAGES = ['ru', 'en'] as const;
export type MailLanguage = (typeof MAIL_LANGUAGES)[number];

export const mailTemplateSchema = z
  .object({
    subject: template(500).min(1),
    html: template(100_000).min(1).describe('The HTML body; values are HTML-escaped'),
    text: template(100_000).min(1).describe('The plain-text body'),
  })
  .strict();
export type MailTemplate = z.output<typeof mailTemplateSchema>;

const emailActionFields = z
  .object({
    kind: z.literal('email'),
    defaultLanguage: z.enum(MAIL_LANGUAGES).default('ru').describe("The template for partners whose property `language` names none of the templates' languages"),
    templates: z.object({ ru: mailTemplateSchema.optional(), en: mailTemplateSchema.optional() }).strict().describe('A template per language: subject, HTML and text'),
  })
  .strict();

export const emailActionSchema = emailActionFields.refine((a) => a.templates[a.defaultLanguage] !== undefined, { message: 'templates: the default language needs a template', path: ['templates'] });
export type EmailActionConfig = z.output<typeof emailActionSchema>;

export const actionInputSchema = z.discriminatedUnion('kind', [webhookAction, crmTaskAction, connectorPublishAction, taskActionSchema, emailActionSchema]);
export type ActionInput = z.output<typeof actionInputSchema>;

export const subscriptionIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'a slug: lower-case latin letters, digits, "-" and "_", up to 80 characters')
  .describe('Subscription id, a slug');

const fields = {
  name: z.string().trim().min(1).max(200),
  segmentIds: z.array(segmentIdSchema).min(1).max(200).describe('The stored segments watched'),
  eventTypes: z.array(z.enum(EVENT_TYPES)).min(1).describe('segment.member.entered (entries), segment.member.left (exits), or both'),
  skipFirstGeneration: z.boolean().describe("Skip the events of a segment's first generation (its whole first composition)"),
  batchSize: z.number().int().min(1).max(1000).describe('Events per request, at most'),
  enabled: z.boolean(),
};

export const subscriptionInputSchema = z
  .object({
    id: subscriptionIdSchema,
    ...fields,
    skipFirstGeneration: fields.skipFirstGeneration.default(false),
    batchSize: fields.batchSize.default(100),
    enabled: fields.enabled.default(true),
    action: actionInputSchema,
  })
  .strict();
export type SubscriptionInput = z.output<typeof subscriptionInputSchema>;

/** Only the fields given change (a webhook's secret by rotation only); the result is checked as a whole. */
function changes<K extends ActionKind, T extends z.ZodRawShape>(kind: K, fields: z.ZodObject<T>) {
  // Optional without their defaults: a field left out keeps its stored value, not the default.
  const shape = Object.fromEntries(
    Object.entries(fields.shape)
      .filter(([name]) => name !== 'kind')
      .map(([name, field]) => [name, (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType)).optional()]),
  );
  return z.object({ kind: z.literal(kind), ...shape }).strict() as z.ZodObject<{ kind: z.ZodLiteral<K> } & { [F in Exclude<keyof T, 'kind'>]: z.ZodOptional<z.ZodType<z.output<T[F]>>> }>;
}

/**
 * A change of a subscription's action, one shape for every kind: its `kind` (which stays: another
 * kind is another subscription) and the settings to change, merged over the stored ones.
 */
export const actionPatchSchema = z
  .discriminatedUnion('kind', [
    changes('webhook', webhookAction.omit({ secret: true })),
    changes('crm-task', crmTaskAction),
    changes('connector-publish', connectorPublishAction),
    changes('segmenta-task', taskActionSchema),
    changes('email', emailActionFields),
  ])
  .describe("The action's settings to change, with its kind (which stays): `{kind: webhook, url}`, `{kind: crm-task, title?, description?, deadlineDays?, connectorId?}`, …");
export type ActionPatch = z.output<typeof actionPatchSchema>;

export const subscriptionPatchSchema = z
  .object({
    name: fields.name.optional(),
    segmentIds: fields.segmentIds.optional(),
    eventTypes: fields.eventTypes.optional(),
    skipFirstGeneration: fields.skipFirstGeneration.optional(),
    batchSize: fields.batchSize.optional(),
    enabled: fields.enabled.optional(),
    action: actionPatchSchema.optional(),
  })
  .strict();
export type SubscriptionPatch = z.output<typeof subscriptionPatchSchema>;

/** A subscription's action as the API shows it (a webhook's secret never: its last characters). */
export type SubscriptionAction =
  | { readonly kind: 'webhook'; readonly url: string; readonly secretHint: string }
  | { readonly kind: 'crm-task'; readonly connectorId: string; readonly title: string; readonly description: string; readonly deadlineDays: number }
  | { readonly kind: 'connector-publish'; readonly connectorId: string }
  | TaskActionConfig
  | EmailActionConfig;

/** A subscription as the API shows it: the secret never, only its last characters. */
export interface Subscription {
  readonly id: string;
  readonly name: string;
  readonly segmentIds: string[];
  readonly eventTypes: EventType[];
  readonly skipFirstGeneration: boolean;
  readonly batchSize: number;
  readonly enabled: boolean;
  /** Why it was disabled by Segmenta (410, failing for 5 days); null when enabled or disabled by hand. */
  readonly disabledReason: string | null;
  /** Since when its deliveries fail (none delivered since); null when the last one went through. */
  readonly failingSince: string | null;
  readonly action: SubscriptionAction;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  /** The message's webhook-id: the same on every attempt. */
  readonly id: string;
  readonly subscriptionId: string;
  readonly segmentId: string | null;
  readonly transition: 'entered' | 'left' | null;
  readonly eventCount: number;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface DeliveryAttempt {
  readonly attempt: number;
  readonly attemptedAt: string;
  readonly statusCode: number | null;
  readonly responseExcerpt: string | null;
  readonly error: string | null;
  readonly durationMs: number;
}
