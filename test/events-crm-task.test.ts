/**
 * Issue 18, "a task for the partner's manager": a subscription with a `crm-task` action makes
 * one task per entry on the fake Bitrix24 — for the company's responsible user, its title and
 * description filled from the templates — and no second one when its message is sent again
 * after a failure midway or resent by hand; exits make none; a partner the CRM does not know is
 * skipped with the reason.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../src/app/services.js';
import { listAttempts, listDeliveries } from '../src/domain/actions/dispatcher.js';
import { deadlineOf } from '../src/domain/actions/crm-task-action.js';
import { formatValue } from '../src/domain/actions/template-values.js';
import { renderTemplate } from '../src/domain/actions/templates.js';
import { addMembers, removeMembers } from '../src/domain/segments/manual-members.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { FakeBitrix24, seedPortal } from './support/fake-b24.js';

const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, competitors: [], archived: false, checkOnCreate: false };

describe('templates of every action kind', () => {
  it('fill known placeholders (in any language), keep unknown ones, write numbers in the language’s style, and date the deadline at 18:00 local', () => {
    expect(renderTemplate('Позвонить {partner}: {долг} ₽ ({segment}), {нет такого}', { partner: 'ООО «Ромашка»', долг: formatValue(12500.5), segment: 'Должники' })).toBe(
      'Позвонить ООО «Ромашка»: 12 500,5 ₽ (Должники), {нет такого}',
    );
    expect([formatValue(12500.5, 'en'), formatValue(null), formatValue(['a', 'b']), formatValue(true)]).toEqual(['12,500.5', '', 'a, b', 'true']);
    expect(deadlineOf(new Date(2026, 11, 7, 10), 3)).toMatch(/^2026-12-10T18:00:00[+-]\d{2}:\d{2}$/);
  });
});

describe.each(ENGINES)('the crm-task action on $name', (engine) => {
  let db: Database;
  let services: Services;
  let fake: FakeBitrix24;
  let connectorId: string;

  beforeAll(async () => {
    fake = new FakeBitrix24();
    seedPortal(fake, { companies: 10, contacts: 4, deals: 0, activities: 0 });
    await fake.start();
    db = await engine.create();
    services = createServices(db, {
      connectors: { secretKey: { key: randomBytes(32) } },
      events: { secretKey: randomBytes(32).toString('base64'), allowTargets: ['127.0.0.1'], dispatcher: { retrySchedule: [0, 0, 0, 0] } },
    });
    const connector = await services.connectors.create({ kind: 'bitrix24', name: 'Б24', settings: { url: fake.url, user: fake.userId, backoffMs: 5 }, secret: fake.code });
    connectorId = connector.id;
    await services.connectors.sync(connectorId, { trigger: 'cli' });
    await services.importData([`${JSON.stringify({ id: 'from-1c', name: 'Только в 1С' })}\n`], { entity: 'partners', format: 'jsonl' });
  });
  afterAll(async () => {
    await fake.stop();
    await db.close();
  });

  it('makes one task per entry for the responsible user, none again on a retry or a resend, none for exits', async () => {
    const p = `b24-${connectorId}:`;
    await services.segments.create({ ...base, id: 'call', name: 'Обзвон', method: 'manual', rule: null });
    const created = await services.subscriptions.create({
      id: 'tasks',
      name: 'Задачи менеджерам',
      segmentIds: ['call'],
      eventTypes: ['segment.member.entered', 'segment.member.left'],
      skipFirstGeneration: false,
      batchSize: 10,
      enabled: true,
      action: {
        kind: 'crm-task',
        connectorId,
        title: 'Позвонить {partner} ({segment})',
        description: 'Сотрудников: {Сотрудников}; канал {Канал}; менеджер {manager}; долг {overdue}',
        deadlineDays: 2,
      },
    });
    expect(created.secret).toBeNull();
    expect(created.subscription.action).toEqual({
      kind: 'crm-task',
      connectorId,
      title: 'Позвонить {partner} ({segment})',
      description: 'Сотрудников: {Сотрудников}; канал {Канал}; менеджер {manager}; долг {overdue}',
      deadlineDays: 2,
    });

    // The second task fails in the portal: the message is retried and goes on from there.
    fake.failTaskCalls.add(2);
    await addMembers(db, await getSegment(db, 'call'), [`${p}co/1`, `${p}co/2`, `${p}co/3`, 'from-1c']);
    await services.dispatcher.runOnce();
    expect(fake.tasks.map((t) => t.ufCrmTask)).toEqual([['CO_1'], ['CO_2'], ['CO_3']]);
    expect(fake.tasks[0]).toMatchObject({ title: 'Позвонить ООО «Компания 1» (Обзвон)', description: 'Сотрудников: 3; канал Розница; менеджер Вера Менеджер2; долг 0', responsibleId: '2' });
    expect(String(fake.tasks[0]!.deadline)).toMatch(/T18:00:00[+-]\d{2}:\d{2}$/);
    const [delivery] = await listDeliveries(db, 'tasks');
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, eventCount: 4 });
    const attempts = await listAttempts(db, delivery!.id);
    expect(attempts[0]!.error).toContain('Внутренняя ошибка');
    expect(attempts[1]!.responseExcerpt).toMatch(/^2 task\(s\) made, 1 made before, 1 skipped/);

    // Sent again by hand: every entry was served, no task is made.
    await services.dispatcher.resend(delivery!.id);
    expect(fake.tasks).toHaveLength(3);
    const records = await db.query<{ partner_id: string; remote_id: string | null; skipped: string | null }>(
      "SELECT partner_id, remote_id, skipped FROM crm_tasks WHERE subscription_id = 'tasks' ORDER BY partner_id",
    );
    expect(records.map((r) => [r.partner_id, r.remote_id === null ? null : 'task', r.skipped === null ? null : 'skipped'])).toEqual([
      [`${p}co/1`, 'task', null],
      [`${p}co/2`, 'task', null],
      [`${p}co/3`, 'task', null],
      ['from-1c', null, 'skipped'],
    ]);

    // Exits make no task; a new entry makes one more.
    await removeMembers(db, await getSegment(db, 'call'), [`${p}co/1`]);
    await addMembers(db, await getSegment(db, 'call'), [`${p}c/2`]);
    await services.dispatcher.runOnce();
    expect(fake.tasks.map((t) => t.ufCrmTask)).toEqual([['CO_1'], ['CO_2'], ['CO_3'], ['C_2']]);
    // A test event makes no task either.
    const test = await services.dispatcher.sendTest('tasks');
    expect(test.status).toBe('delivered');
    expect(fake.tasks).toHaveLength(4);
  });
});
