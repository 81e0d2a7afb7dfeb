/**
 * Issue 22 in Chromium against the real service: "My tasks" is a manager's home screen —
 * overdue (highlighted), today, upcoming, only the tasks of own partners, closed with a result
 * in one step — and the head of sales' control view with its chart and XLSX export.
 */
import { describe, expect, it } from 'vitest';
import { apiCall } from './api.js';
import { browserSuite } from './browser-suite.js';
import { DESKTOP, shouldSkipBrowserSuite } from './browser.js';
import { DEMO_USERS, PARTNERS, ROMASHKA } from './demo-server.js';

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
const day = (offset: number) => {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000 + offset * 86_400_000).toISOString().slice(0, 10);
};

describe.skipIf(shouldSkipBrowserSuite())('tasks for managers in Chromium', () => {
  const other = PARTNERS.find((p) => p.manager === 'm1' && p.id !== ROMASHKA.id && !p.deleted)!;
  const foreign = PARTNERS.find((p) => p.manager === 'm2' && !p.deleted)!;
  const suite = browserSuite({
    seed: async (server) => {
      await apiCall(server, 'POST', '/tasks', { partnerId: ROMASHKA.id, title: 'Позвонить Ромашке: просрочка', dueDate: day(-2) });
      await apiCall(server, 'POST', '/tasks', { partnerId: other.id, title: 'Отправить прайс', dueDate: day(0) });
      await apiCall(server, 'POST', '/tasks', { partnerId: other.id, title: 'Встреча по договору', dueDate: day(5) });
      await apiCall(server, 'POST', '/tasks', { partnerId: foreign.id, title: 'Чужая задача', dueDate: day(0) });
    },
  });

  it('opens on the manager’s tasks, highlights the overdue one, and closes it with a result in one step', async () => {
    const page = await suite.open('/', DESKTOP, 'ru', DEMO_USERS.manager);
    await page.waitForURL(/\/tasks$/);
    const overdue = page.getByTestId('tasks-overdue').getByTestId('task');
    await eventually(() => overdue.count()).toBe(1);
    await expect(overdue.first().getAttribute('data-overdue')).resolves.toBe('true');
    await eventually(() => overdue.first().getByTestId('task-title').innerText()).toBe('Позвонить Ромашке: просрочка');
    await eventually(() => page.getByTestId('tasks-today').getByTestId('task').count()).toBe(1);
    await eventually(() => page.getByTestId('tasks-upcoming').getByTestId('task').count()).toBe(1);
    expect(await page.getByText('Чужая задача').count()).toBe(0);

    await overdue.first().getByTestId('task-result').fill('Обещали оплатить в пятницу');
    await overdue.first().getByTestId('task-close').click();
    await eventually(() => page.getByTestId('tasks-overdue').count()).toBe(0);
    const done = (await apiCall(suite.server, 'GET', `/partners/${ROMASHKA.id}/tasks`)) as { items: { status: string; result: string }[] };
    expect(done.items[0]).toMatchObject({ status: 'done', result: 'Обещали оплатить в пятницу' });

    // The partner card shows its tasks.
    const card = await suite.open(`/partners/${ROMASHKA.id}`, DESKTOP, 'ru', DEMO_USERS.manager);
    await eventually(() => card.getByTestId('partner-tasks').getByTestId('task-status').first().getAttribute('data-status')).toBe('done');
  });

  it('shows the head of sales the tasks by manager with a chart and an XLSX export', async () => {
    const page = await suite.open('/task-control', DESKTOP, 'en');
    const m1 = page.locator('[data-testid="control-row"][data-manager="m1"]');
    await eventually(() => m1.locator('[data-col="open"]').innerText()).toBe('2');
    await eventually(() => m1.locator('[data-col="doneOnTime"]').innerText()).toBe('0');
    await eventually(() => m1.locator('[data-col="doneLate"]').innerText()).toBe('1');
    await eventually(() => page.locator('[data-testid="control-row"][data-manager="m2"] [data-col="open"]').innerText()).toBe('1');
    await eventually(() => page.getByTestId('control-chart').locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    const href = await page.getByTestId('control-xlsx').getAttribute('href');
    expect(href).toBe('/api/tasks/control.xlsx?lang=en');
    const xlsx = await page.request.get(href!);
    expect(xlsx.status()).toBe(200);
    expect((await xlsx.body()).subarray(0, 2).toString()).toBe('PK');
  });
});
