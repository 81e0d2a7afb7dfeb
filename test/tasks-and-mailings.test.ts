/**
 * Issue 22: tasks for managers inside Segmenta and notification mailings, on every engine.
 * Seed 003's flow at API level on a small world: the overdue-receivables segment generates →
 * a task for each debtor's manager (one per entry, none duplicated on re-entry while open),
 * each debtor with an e-mail and consent gets one reminder (a local SMTP server receives them),
 * a settlements import paying a debt → the partner leaves → the task closes by itself.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../src/app/services.js';
import { mailLog } from '../src/domain/mail/mail-log.js';
import { addMembers, removeMembers } from '../src/domain/segments/manual-members.js';
import { rebuildSegment } from '../src/domain/segments/rebuild.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import type { Database } from '../src/storage/database.js';
import { createDemoSubscription, DEMO_MAIL_SUBSCRIPTIONS } from '../src/demo/demo-subscriptions.js';
import { ENGINES } from './engines.js';
import { startSmtpReceiver, type SmtpReceiver } from './support/smtp-receiver.js';
import { buildTestApp, type TestApp } from './support/test-app.js';

const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, checkOnCreate: false, competitors: [], archived: false };
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

async function loadDebtors(db: Database): Promise<void> {
  await db.run("INSERT INTO managers (id, name) VALUES ('m1', 'Мария'), ('m2', 'Олег')");
  await db.run(
    `INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, manager_id, email, deleted, no_mailings) VALUES
      ('d1', 'Debtor One', TRUE, FALSE, FALSE, FALSE, 'company', 'm1', 'one@example.com', FALSE, NULL),
      ('d2', 'Debtor Two', TRUE, FALSE, FALSE, FALSE, 'company', 'm1', 'two@example.com', FALSE, TRUE),
      ('d3', 'Debtor Three', TRUE, FALSE, FALSE, FALSE, 'company', 'm2', 'three@example.com', FALSE, FALSE),
      ('d4', 'Debtor Four', TRUE, FALSE, FALSE, FALSE, 'company', 'm2', NULL, FALSE, FALSE),
      ('d5', 'Debtor Five', TRUE, FALSE, FALSE, FALSE, 'company', 'm2', 'five@example.com', TRUE, FALSE),
      ('ok', 'Good Payer', TRUE, FALSE, FALSE, FALSE, 'company', 'm1', 'ok@example.com', FALSE, FALSE)`,
  );
  await db.run("INSERT INTO partner_properties (partner_id, name, value_text) VALUES ('d3', 'language', 'en')");
  await db.appendRows(
    'settlements',
    ['id', 'partner_id', 'date', 'amount', 'due_date'],
    [
      ['s1', 'd1', daysAgo(40), '12500', daysAgo(10)],
      ['s2', 'd2', daysAgo(40), '1000', daysAgo(5)],
      ['s3', 'd3', daysAgo(40), '2000', daysAgo(5)],
      ['s4', 'd4', daysAgo(40), '3000', daysAgo(5)],
      ['s5', 'd5', daysAgo(40), '4000', daysAgo(5)],
      ['s6', 'ok', daysAgo(40), '500', daysAgo(-20)],
    ],
  );
}

const TEMPLATES = {
  ru: { subject: 'Напоминание: долг {overdue} руб.', html: '<p>Здравствуйте, {partner}! Просрочено {overdue} руб.</p>', text: 'Здравствуйте, {partner}! Просрочено {overdue} руб.' },
  en: { subject: 'Reminder: {overdue} RUB overdue', html: '<p>Dear {partner}, {overdue} RUB is overdue.</p>', text: 'Dear {partner}, {overdue} RUB is overdue.' },
};

describe.each(ENGINES)('tasks and mailings on $name', (engine) => {
  let db: Database;
  let services: Services;
  let smtp: SmtpReceiver;
  let analyst: TestApp;
  let maria: TestApp;
  let oleg: TestApp;
  const key = randomBytes(32).toString('base64');

  beforeAll(async () => {
    db = await engine.create();
    await loadDebtors(db);
    smtp = await startSmtpReceiver();
    services = createServices(db, { events: { secretKey: key, dispatcher: { retrySchedule: [0, 0, 0] } } });
    await services.access.addUser({ login: 'maria', role: 'manager', managerIds: ['m1'], password: 'correct horse battery 1' });
    await services.access.addUser({ login: 'oleg', role: 'manager', managerIds: ['m2'], password: 'correct horse battery 2' });
    analyst = await buildTestApp({ db, services }, { role: 'analyst' });
    maria = await buildTestApp({ db, services }, { role: 'manager', managerIds: ['m1'] });
    oleg = await buildTestApp({ db, services }, { role: 'manager', managerIds: ['m2'] });
    await services.segments.create({ ...base, id: 'overdue', name: 'Overdue receivables', method: 'periodic', rule: { measure: 'settlements.overdueReceivable', op: 'gt', value: 0 } });
  });
  afterAll(async () => {
    for (const app of [analyst, maria, oleg]) await app.close();
    await smtp.close();
    await db.close();
  });

  it('refuses an e-mail subscription until SMTP is set, and keeps the SMTP password encrypted', async () => {
    const mail = { id: 'overdue-mail', name: 'Reminder', segmentIds: ['overdue'], eventTypes: ['segment.member.entered'], action: { kind: 'email', defaultLanguage: 'ru', templates: TEMPLATES } };
    const early = await analyst.inject({ method: 'POST', url: '/api/subscriptions', payload: mail });
    expect(early.json()).toMatchObject({ error: { code: 'MAIL_NOT_CONFIGURED' } });
    const admin = await buildTestApp({ db, services });
    expect((await analyst.inject({ method: 'PUT', url: '/api/mail/settings', payload: {} })).statusCode).toBe(403);
    const saved = await admin.inject({
      method: 'PUT',
      url: '/api/mail/settings',
      payload: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        user: 'segmenta',
        password: 'smtp-secret-pw',
        from: 'Segmenta <noreply@example.com>',
        publicUrl: 'http://segmenta.test',
        ratePerMinute: 1000,
      },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ host: '127.0.0.1', passwordSet: true });
    expect(saved.body).not.toContain('smtp-secret-pw');
    const stored = await db.query<{ password: string }>('SELECT password FROM mail_settings');
    expect(stored[0]!.password).not.toContain('smtp-secret-pw');
    await admin.close();
    // The SMTP fake takes no AUTH: the saved user is dropped for the tests' sends.
    await services.mailings.settings.save({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      user: null,
      from: 'Segmenta <noreply@example.com>',
      replyTo: null,
      publicUrl: 'http://segmenta.test',
      ratePerMinute: 1000,
    });
    expect((await analyst.inject({ method: 'POST', url: '/api/subscriptions', payload: mail })).statusCode).toBe(201);
    const task = {
      id: 'overdue-tasks',
      name: 'Call the debtors',
      segmentIds: ['overdue'],
      eventTypes: ['segment.member.entered', 'segment.member.left'],
      action: {
        kind: 'segmenta-task',
        title: 'Call {partner}: {overdue} ₽ overdue for {days} days',
        description: 'Segment {segment}; the rule compared {settlements.overdueReceivable}',
        dueInDays: 3,
      },
    };
    expect((await analyst.inject({ method: 'POST', url: '/api/subscriptions', payload: task })).json()).toMatchObject({ action: { kind: 'segmenta-task', autoClose: true, dueInDays: 3 } });
  });

  it('a generation makes one task per entry for the partner’s manager and one mail per consenting debtor', async () => {
    await rebuildSegment(db, await getSegment(db, 'overdue'), 'cli');
    await services.dispatcher.runOnce();
    const all = (await analyst.inject({ method: 'GET', url: '/api/tasks' })).json().items as {
      partner: { id: string };
      title: string;
      description: string;
      assigneeLogin: string;
      managerId: string;
      dueDate: string;
      status: string;
    }[];
    expect(all.map((t) => t.partner.id).sort()).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    const one = all.find((t) => t.partner.id === 'd1')!;
    expect(one).toMatchObject({ title: 'Call Debtor One: 12 500 ₽ overdue for 10 days', assigneeLogin: 'maria', managerId: 'm1', status: 'open' });
    // The rule's values come with the event: the same number, written the same way.
    expect(one.description).toBe('Segment Overdue receivables; the rule compared 12 500');
    expect(one.dueDate).toBe(daysAgo(-3));
    expect(all.find((t) => t.partner.id === 'd3')!.assigneeLogin).toBe('oleg');

    // Mails: d1 (Russian) and d3 (English); none to the opted-out d2, d4 without e-mail, the deleted d5.
    expect(smtp.mails.map((m) => m.to.join()).sort()).toEqual(['one@example.com', 'three@example.com']);
    const ru = smtp.mails.find((m) => m.to[0] === 'one@example.com')!;
    expect(ru.headers.get('subject')).toBe('Напоминание: долг 12 500 руб.');
    expect(ru.text).toContain('Здравствуйте, Debtor One! Просрочено 12 500 руб.');
    expect(ru.headers.get('list-unsubscribe')).toMatch(/^<http:\/\/segmenta\.test\/api\/mail\/unsubscribe\?token=[A-Za-z0-9_-]+>/);
    expect(ru.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(smtp.mails.find((m) => m.to[0] === 'three@example.com')!.headers.get('subject')).toBe('Reminder: 2 000 RUB overdue');
    const log = await mailLog(db, { subscriptionId: 'overdue-mail' });
    expect(log.map((e) => `${e.partnerId}:${e.status}`).sort()).toEqual(['d1:sent', 'd2:skipped', 'd3:sent', 'd4:skipped', 'd5:skipped']);
    expect(log.find((e) => e.partnerId === 'd1')!.response).toMatch(/^250/);
    expect(log.find((e) => e.partnerId === 'd2')!.error).toMatch(/no mailings/);

    // Another pass sends and makes nothing more.
    await services.dispatcher.runOnce();
    expect(smtp.mails).toHaveLength(2);
    expect((await analyst.inject({ method: 'GET', url: '/api/tasks' })).json().items).toHaveLength(5);
  });

  it('shows a manager only the tasks of own partners; the head sees all and the control view', async () => {
    const mine = (await maria.inject({ method: 'GET', url: '/api/tasks' })).json().items as { id: string; partner: { id: string } }[];
    expect(mine.map((t) => t.partner.id).sort()).toEqual(['d1', 'd2']);
    const theirs = (await oleg.inject({ method: 'GET', url: '/api/tasks?due=upcoming' })).json().items as { id: string; partner: { id: string } }[];
    expect(theirs.map((t) => t.partner.id).sort()).toEqual(['d3', 'd4', 'd5']);
    expect((await maria.inject({ method: 'GET', url: `/api/tasks/${theirs[0]!.id}` })).statusCode).toBe(404);
    expect((await maria.inject({ method: 'PATCH', url: `/api/tasks/${theirs[0]!.id}`, payload: { status: 'done', result: 'x' } })).statusCode).toBe(404);
    // Another manager's partner is not found, as on every partner route.
    expect((await maria.inject({ method: 'GET', url: '/api/partners/d3/tasks' })).statusCode).toBe(404);
    expect((await maria.inject({ method: 'GET', url: '/api/tasks/control' })).statusCode).toBe(403);
    expect((await analyst.inject({ method: 'GET', url: '/api/tasks?managerId=m2' })).json().items).toHaveLength(3);

    // Closed with a result in one step, by its manager; the history says who and what.
    const d2 = mine.find((t) => t.partner.id === 'd2')!;
    const closed = await maria.inject({ method: 'PATCH', url: `/api/tasks/${d2.id}`, payload: { status: 'done', result: 'Promised to pay on Friday' } });
    expect(closed.json()).toMatchObject({ status: 'done', result: 'Promised to pay on Friday' });
    expect((await maria.inject({ method: 'PATCH', url: `/api/tasks/${d2.id}`, payload: { status: 'done' } })).json()).toMatchObject({ error: { code: 'TASK_CLOSED' } });
    expect((await maria.inject({ method: 'PATCH', url: `/api/tasks/${d2.id}`, payload: { status: 'done', extra: 1 } })).statusCode).toBe(400);
    const detail = (await maria.inject({ method: 'GET', url: `/api/tasks/${d2.id}` })).json();
    expect(detail.history.map((h: { action: string }) => h.action)).toEqual(['created', 'closed']);

    const control = (await analyst.inject({ method: 'GET', url: '/api/tasks/control' })).json().items as {
      managerId: string;
      open: number;
      doneOnTime: number;
      overdue: number;
      medianHoursToClose: number | null;
    }[];
    expect(control.find((r) => r.managerId === 'm1')).toMatchObject({ open: 1, doneOnTime: 1, overdue: 0 });
    expect(control.find((r) => r.managerId === 'm2')).toMatchObject({ open: 3, doneOnTime: 0, medianHoursToClose: null });
    const xlsx = await analyst.inject({ method: 'GET', url: '/api/tasks/control.xlsx?lang=en' });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  it('closes the task by itself when a settlements import pays the debt and the partner leaves', async () => {
    await services.importData([`id;partner;date;amount;dueDate\npay1;d1;${daysAgo(0)};-12500;\n`], { entity: 'settlements', format: 'csv' });
    await rebuildSegment(db, await getSegment(db, 'overdue'), 'cli');
    await services.dispatcher.runOnce();
    const [task] = (await maria.inject({ method: 'GET', url: '/api/partners/d1/tasks' })).json().items as { id: string; status: string; result: string; closedBy: string }[];
    expect(task).toMatchObject({ status: 'done', closedBy: 'system' });
    expect(task!.result).toMatch(/left the segment «Overdue receivables»/);
    const detail = (await maria.inject({ method: 'GET', url: `/api/tasks/${task!.id}` })).json();
    expect(detail.history.map((h: { action: string }) => h.action)).toEqual(['created', 'auto-closed']);
    // Exits send no mail (the mail subscription takes entries only).
    expect(smtp.mails).toHaveLength(2);
  });

  it('keeps one open task per partner × subscription on re-entry, and a new one after it closed', async () => {
    await services.segments.create({ ...base, id: 'hand', name: 'By hand', method: 'manual', rule: null });
    await services.subscriptions.create({
      id: 'hand-tasks',
      name: 'hand',
      segmentIds: ['hand'],
      eventTypes: ['segment.member.entered', 'segment.member.left'],
      skipFirstGeneration: false,
      batchSize: 10,
      enabled: true,
      action: { kind: 'segmenta-task', title: 'Visit {partner}', description: '', dueInDays: 0, autoClose: false },
    });
    const hand = await getSegment(db, 'hand');
    await addMembers(db, hand, ['ok']);
    await removeMembers(db, hand, ['ok']);
    await addMembers(db, hand, ['ok']);
    await services.dispatcher.runOnce();
    const tasks = await services.tasks.list(db, { all: true }, { partnerId: 'ok' });
    expect(tasks.map((t) => [t.title, t.status, t.subscriptionId])).toEqual([['Visit Good Payer', 'open', 'hand-tasks']]);
    expect((await maria.inject({ method: 'GET', url: '/api/tasks?due=today' })).json().items.map((t: { partner: { id: string } }) => t.partner.id)).toEqual(['ok']);
    await services.tasks.update(tasks[0]!.id, { status: 'done', result: 'visited' }, 'maria', { all: true });
    await removeMembers(db, hand, ['ok']);
    await addMembers(db, hand, ['ok']);
    await services.dispatcher.runOnce();
    expect((await services.tasks.list(db, { all: true }, { partnerId: 'ok' })).map((t) => t.status)).toEqual(['open', 'done']);
  });

  it('retries a refused mail (SMTP 451) without sending the others again; the log matches', async () => {
    await services.segments.create({ ...base, id: 'greet', name: 'Greeting', method: 'manual', rule: null });
    await services.subscriptions.create({
      id: 'greet-mail',
      name: 'greet',
      segmentIds: ['greet'],
      eventTypes: ['segment.member.entered'],
      skipFirstGeneration: false,
      batchSize: 10,
      enabled: true,
      action: { kind: 'email', defaultLanguage: 'en', templates: { en: { subject: 'Hello {partner}', html: '<b>{partner}</b>', text: 'Hello {partner}' } } },
    });
    smtp.mails.length = 0;
    smtp.refusals.push(451);
    await addMembers(db, await getSegment(db, 'greet'), ['d3', 'ok']);
    await services.dispatcher.runOnce();
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual(['ok@example.com', 'three@example.com']);
    const log = await mailLog(db, { subscriptionId: 'greet-mail' });
    expect(log.map((e) => e.status)).toEqual(['sent', 'sent']);
    expect(log.map((e) => e.attempts).sort()).toEqual([1, 2]);
    expect(log.find((e) => e.partnerId === 'd3')!.attempts).toBe(2);
    const deliveries = await db.query<{ status: string; attempts: number }>("SELECT status, attempts FROM event_deliveries WHERE subscription_id = 'greet-mail'");
    expect(deliveries.map((d) => [d.status, Number(d.attempts)])).toEqual([['delivered', 2]]);
    const attempts = await db.query<{ error: string | null }>(
      "SELECT a.error FROM event_delivery_attempts a JOIN event_deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = 'greet-mail' ORDER BY a.attempt",
    );
    expect(attempts[0]!.error).toMatch(/SMTP 451/);
    expect(attempts[1]!.error).toBeNull();
  });

  it('previews a template on a partner, sends a test mail, and unsubscribes by the link', async () => {
    const preview = await analyst.inject({ method: 'POST', url: '/api/mail/preview', payload: { subscriptionId: 'overdue-mail', partnerId: 'd3' } });
    expect(preview.json()).toMatchObject({ language: 'en', subject: 'Reminder: 2 000 RUB overdue', recipient: 'three@example.com', skipped: null });
    expect((await analyst.inject({ method: 'POST', url: '/api/mail/preview', payload: { subscriptionId: 'overdue-mail', partnerId: 'd2' } })).json().skipped).toMatch(/no mailings/);
    smtp.mails.length = 0;
    const test = await analyst.inject({ method: 'POST', url: '/api/mail/test', payload: { to: 'me@example.com', template: TEMPLATES.en, language: 'en', partnerId: 'd1' } });
    expect(test.json()).toMatchObject({ status: 'sent', recipient: 'me@example.com' });
    expect(smtp.mails[0]!.headers.get('subject')).toBe('Reminder: 0 RUB overdue');
    const link = /<(http[^>]+)>/.exec(smtp.mails[0]!.headers.get('list-unsubscribe')!)![1]!.replace('http://segmenta.test', '');
    const page = await analyst.inject({ method: 'GET', url: link, headers: { authorization: '', accept: 'text/html,*/*' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect((await db.query<{ no_mailings: boolean }>("SELECT no_mailings FROM partners WHERE id = 'd1'"))[0]!.no_mailings).toBe(true);
    expect((await analyst.inject({ method: 'GET', url: '/api/mail/unsubscribe?token=forged-token-forged-token' })).statusCode).toBe(400);
    smtp.refusals.push(550);
    expect((await analyst.inject({ method: 'POST', url: '/api/mail/test', payload: { to: 'me@example.com', template: TEMPLATES.en } })).json()).toMatchObject({ error: { code: 'MAIL_SEND_FAILED' } });
  });
});

describe('the demo’s tasks and mailings', () => {
  it('opens a task for each debtor already in the segment; the e-mails stay disabled until SMTP is set', async () => {
    const db = await ENGINES[0]!.create();
    try {
      await loadDebtors(db);
      const services = createServices(db, { events: { secretKey: randomBytes(32).toString('base64') } });
      await services.access.addUser({ login: 'maria', role: 'manager', managerIds: ['m1'], password: 'correct horse battery 1' });
      await services.segments.create({
        ...base,
        id: 'overdue-receivables',
        name: 'Просроченная дебиторская задолженность',
        method: 'periodic',
        rule: { measure: 'settlements.overdueReceivable', op: 'gt', value: 0 },
      });
      await services.segments.create({ ...base, id: 'birthday-today', name: 'День рождения сегодня', method: 'manual', rule: null });
      await rebuildSegment(db, await getSegment(db, 'overdue-receivables'), 'cli');
      await createDemoSubscription(services.subscriptions);
      const tasks = await services.tasks.list(db, { all: false, managerIds: ['m1'] });
      expect(tasks.map((t) => t.title)).toEqual(['Позвонить Debtor One: просрочено 12 500 ₽, 10 дн.', 'Позвонить Debtor Two: просрочено 1 000 ₽, 5 дн.']);
      expect(tasks[0]!.assigneeLogin).toBe('maria');
      for (const mail of DEMO_MAIL_SUBSCRIPTIONS) {
        expect(await services.subscriptions.get(mail.id)).toMatchObject({ enabled: false, action: { kind: 'email' } });
        await expect(services.subscriptions.update(mail.id, { enabled: true })).rejects.toMatchObject({ code: 'MAIL_NOT_CONFIGURED' });
      }
      // Made once: a second call opens no more.
      await createDemoSubscription(services.subscriptions);
      expect(await services.tasks.list(db, { all: true })).toHaveLength(5);
    } finally {
      await db.close();
    }
  });
});
