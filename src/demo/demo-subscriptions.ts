import { isAppError } from '../errors/app-error.js';
import type { SubscriptionStore } from '../domain/actions/subscriptions.js';
import type { SubscriptionInput } from '../domain/actions/subscription.schema.js';
import { findSegment } from '../domain/segments/segments.repository.js';
import type { TaskActionConfig } from '../domain/actions/subscription.schema.js';
import { openTasksForMembers } from '../domain/tasks/task-action.js';
import { TaskStore } from '../domain/tasks/tasks.js';

/** Where the demo's webhook points until someone sets a real target (`.invalid` never resolves). */
export const DEMO_WEBHOOK_PLACEHOLDER = 'https://receiver.example.invalid/segmenta';

/**
 * The demo's ready-made webhook (issue 18): a partner newly in overdue receivables is POSTed to
 * an endpoint — entries only, not the segment's first generation (the debtors already known).
 * Disabled, with a placeholder address: enabling it is refused until a target is set.
 */
export const DEMO_SUBSCRIPTION: SubscriptionInput = {
  id: 'overdue-receivables-webhook',
  name: 'Пример: вебхук о новой просрочке — задайте адрес и включите',
  segmentIds: ['overdue-receivables'],
  eventTypes: ['segment.member.entered'],
  skipFirstGeneration: true,
  batchSize: 100,
  enabled: false,
  action: { kind: 'webhook', url: DEMO_WEBHOOK_PLACEHOLDER },
};

/**
 * Seed 003 (issue 22): a partner in overdue receivables gets a task for their manager — on the
 * manager's home screen — closed by itself when the debt is paid and the partner leaves.
 */
export const DEMO_TASK_SUBSCRIPTION: SubscriptionInput = {
  id: 'overdue-receivables-tasks',
  name: 'Задача менеджеру: позвонить должнику',
  segmentIds: ['overdue-receivables'],
  eventTypes: ['segment.member.entered', 'segment.member.left'],
  skipFirstGeneration: false,
  batchSize: 100,
  enabled: true,
  action: {
    kind: 'segmenta-task',
    title: 'Позвонить {partner}: просрочено {overdue} ₽, {days} дн.',
    description: 'Клиент в сегменте «{segment}». Договоритесь о сроке оплаты и запишите результат.',
    dueInDays: 2,
    autoClose: true,
  },
};

/** The demo's mailings (issue 22): disabled until an administrator sets the SMTP server. */
export const DEMO_MAIL_SUBSCRIPTIONS: readonly SubscriptionInput[] = [
  {
    id: 'overdue-receivables-reminder',
    name: 'Письмо: напоминание о просроченной оплате',
    segmentIds: ['overdue-receivables'],
    eventTypes: ['segment.member.entered'],
    skipFirstGeneration: true,
    batchSize: 50,
    enabled: false,
    action: {
      kind: 'email',
      defaultLanguage: 'ru',
      templates: {
        ru: {
          subject: 'Напоминание об оплате: {overdue} ₽',
          html: '<p>Здравствуйте, {partner}!</p><p>Напоминаем, что оплата на сумму <b>{overdue} ₽</b> просрочена на {days} дн. Если вы уже оплатили — спасибо, не обращайте внимания на это письмо.</p><p>Ваш менеджер: {manager}</p>',
          text: 'Здравствуйте, {partner}!\n\nНапоминаем, что оплата на сумму {overdue} ₽ просрочена на {days} дн. Если вы уже оплатили — спасибо, не обращайте внимания на это письмо.\n\nВаш менеджер: {manager}',
        },
        en: {
          subject: 'Payment reminder: {overdue} RUB',
          html: '<p>Dear {partner},</p><p>a payment of <b>{overdue} RUB</b> is {days} days overdue. If you have paid already, thank you and please ignore this mail.</p><p>Your manager: {manager}</p>',
          text: 'Dear {partner},\n\na payment of {overdue} RUB is {days} days overdue. If you have paid already, thank you and please ignore this mail.\n\nYour manager: {manager}',
        },
      },
    },
  },
  {
    id: 'birthday-greeting',
    name: 'Письмо: поздравление с днём рождения',
    segmentIds: ['birthday-today'],
    eventTypes: ['segment.member.entered'],
    skipFirstGeneration: true,
    batchSize: 50,
    enabled: false,
    action: {
      kind: 'email',
      defaultLanguage: 'ru',
      templates: {
        ru: {
          subject: '{partner}, с днём рождения!',
          html: '<p>{partner}, поздравляем вас с днём рождения!</p><p>Сегодня для вас действует скидка именинника на все покупки.</p>',
          text: '{partner}, поздравляем вас с днём рождения!\n\nСегодня для вас действует скидка именинника на все покупки.',
        },
      },
    },
  },
];

async function createIfNew(subscriptions: SubscriptionStore, input: SubscriptionInput): Promise<boolean> {
  if (!(await findSegment(subscriptions.db, input.segmentIds[0]!))) return false;
  try {
    await subscriptions.create(input);
    return true;
  } catch (error) {
    if (isAppError(error) && (error.code === 'SUBSCRIPTION_EXISTS' || error.code === 'SECRET_KEY_MISSING')) return false;
    throw error;
  }
}

/**
 * Creates the demo subscriptions whose segments exist and which do not: the webhook (null when
 * there is no key to seal its secret), the managers' tasks — opened at once for the debtors of
 * the segment's first generation, made before the subscription — and the mailings. Returns the
 * webhook's id.
 */
export async function createDemoSubscription(subscriptions: SubscriptionStore): Promise<string | null> {
  const webhook = (await createIfNew(subscriptions, DEMO_SUBSCRIPTION)) ? DEMO_SUBSCRIPTION.id : null;
  if (await createIfNew(subscriptions, DEMO_TASK_SUBSCRIPTION)) {
    const segment = await findSegment(subscriptions.db, DEMO_TASK_SUBSCRIPTION.segmentIds[0]!);
    if (segment) await openTasksForMembers(subscriptions.db, new TaskStore(subscriptions.db), DEMO_TASK_SUBSCRIPTION.id, DEMO_TASK_SUBSCRIPTION.action as TaskActionConfig, segment);
  }
  for (const mail of DEMO_MAIL_SUBSCRIPTIONS) await createIfNew(subscriptions, mail);
  return webhook;
}
