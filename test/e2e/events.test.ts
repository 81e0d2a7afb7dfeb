/**
 * Issue 18 in Chromium against the real service: an analyst's screens for event subscriptions —
 * creating a webhook (its secret shown once), sending a test event that a receiver on 127.0.0.1
 * verifies, the delivery log with its status and attempts, resending with the same webhook-id,
 * and the segment card telling which subscriptions watch the segment; publishing to 1C as an
 * action, made in the dialog and changed on the card, at desktop and phone width. In English and
 * Russian.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { apiCall } from './api.js';
import { browserSuite, hasNoHorizontalScroll, type Viewport } from './browser-suite.js';
import { DESKTOP, PHONE, shouldSkipBrowserSuite } from './browser.js';

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
const SHOTS = join(tmpdir(), 'segmenta-events-e2e');

describe.skipIf(shouldSkipBrowserSuite())('event subscriptions in Chromium', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startReceiver('');
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => receiver?.close());
  let crmId = '';
  const suite = browserSuite({
    server: { events: { secretKey: randomBytes(32).toString('base64'), allowTargets: ['127.0.0.1'] } },
    // A 1C connection to publish through (a test event only checks that it can publish: no 1C is asked).
    seed: async (server) => {
      await apiCall(server, 'POST', '/connectors', { kind: '1c', name: 'УТ 11', settings: { url: 'http://127.0.0.1:9/trade', user: 'Интеграция' }, secret: 'пароль' });
      const crm = (await apiCall(server, 'POST', '/connectors', { kind: 'bitrix24', name: 'Б24', settings: { url: 'http://127.0.0.1:9', user: '1' }, secret: 'code' })) as { id: string };
      crmId = crm.id;
    },
  });

  it('creates a webhook, sends a test event the receiver verifies, shows the deliveries and resends one', async () => {
    const page = await suite.open('/events', DESKTOP, 'en');
    await page.getByText('No subscriptions').waitFor();
    await page.getByTestId('subscription-create').click();
    await page.getByTestId('subscription-id').fill('crm-hook');
    await page.getByTestId('subscription-name').fill('CRM hook');
    await page.getByTestId('subscription-segments').click();
    await page.getByRole('option', { name: 'Крупные покупатели' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('subscription-url').fill(receiver.url);
    await page.getByTestId('subscription-save').click();
    const secret = (await page.getByTestId('secret-value').innerText()).trim();
    expect(secret).toMatch(/^whsec_/);
    receiver.secret = secret;
    await page.getByTestId('subscription-done').click();
    await page.getByRole('link', { name: 'CRM hook' }).click();
    await page.getByTestId('subscription-test').click();
    await eventually(() => page.getByTestId('subscription-test-result').innerText()).toContain('Delivered');
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]).toMatchObject({ valid: true, body: { type: 'segment.test' } });
    await eventually(() => page.getByTestId('delivery-status').first().getAttribute('data-status')).toBe('delivered');
    await page.getByTestId('delivery-row').first().click();
    await eventually(() => page.getByTestId('delivery-attempts').innerText()).toContain('200');
    await page.getByTestId('delivery-resend').first().click();
    await eventually(() => receiver.requests.length).toBe(2);
    expect(receiver.requests[1]!.id).toBe(receiver.requests[0]!.id);
    await page.screenshot({ path: join(SHOTS, 'subscription-card-en.png'), fullPage: true });

    // The segment card tells who watches it.
    const card = await suite.open('/segments/big-buyers?tab=usage', DESKTOP, 'ru');
    await eventually(() => card.getByTestId('segment-subscription').innerText()).toContain('CRM hook');
    await card.screenshot({ path: join(SHOTS, 'segment-usage-ru.png'), fullPage: true });
    const list = await suite.open('/events', DESKTOP, 'ru');
    await eventually(() => list.getByTestId('subscription-row').count()).toBe(1);
    await expect(list.getByTestId('subscription-state').getAttribute('data-state')).resolves.toBe('enabled');
    await list.screenshot({ path: join(SHOTS, 'events-ru.png'), fullPage: true });
  });

  it('makes task subscriptions in the dialog and changes their templates on the card', async () => {
    const page = await suite.open('/events', DESKTOP, 'en');
    const create = async (id: string, kind: string, fill: () => Promise<void>) => {
      await page.getByTestId('subscription-create').click();
      await page.getByTestId('subscription-id').fill(id);
      await page.getByTestId('subscription-name').fill(id);
      await page.getByTestId('subscription-segments').click();
      await page.getByRole('option', { name: 'Крупные покупатели' }).click();
      await page.keyboard.press('Escape');
      await page.getByTestId('subscription-kind').getByText(kind).click();
      await fill();
      await page.getByTestId('subscription-save').click();
      await page.getByRole('link', { name: id }).click();
      await page.getByTestId('subscription-edit').click();
    };
    const stored = async (id: string) => ((await apiCall(suite.server, 'GET', `/subscriptions/${id}`)) as { action: unknown }).action;

    // A CRM task: its connection is chosen when it is made, its templates and deadline change later.
    await create('crm-calls', 'Task in the CRM', async () => {
      await page.getByTestId('subscription-connector').click();
      await page.getByRole('option', { name: 'Б24 (bitrix24)' }).click();
      await page.getByTestId('subscription-crm-task-title').fill('Call {partner}');
      await page.getByLabel('Due in, days').fill('5');
    });
    await page.getByTestId('edit-crm-task-title').fill('Call {partner} today');
    await page.getByLabel('Task description').fill('{segment}');
    await page.getByLabel('Due in, days').fill('1');
    await page.getByTestId('edit-save').click();
    await eventually(() => stored('crm-calls')).toEqual({ kind: 'crm-task', connectorId: crmId, title: 'Call {partner} today', description: '{segment}', deadlineDays: 1 });

    // A task in Segmenta.
    await page.goto(page.url().replace(/\/events\/.*$/, '/events'));
    await create('own-tasks', 'Task in Segmenta', async () => {
      await page.getByTestId('subscription-task-title').fill('Visit {partner}');
    });
    await page.getByTestId('edit-task-title').fill('Visit {partner} this week');
    await page.getByLabel('Due in, days').fill('7');
    await page.getByLabel('Close when the partner leaves the segment').uncheck();
    await page.getByTestId('edit-save').click();
    await eventually(() => stored('own-tasks')).toMatchObject({ kind: 'segmenta-task', title: 'Visit {partner} this week', description: '', dueInDays: 7, autoClose: false });
  });

  const CASES: ['ru' | 'en', Viewport, string][] = [
    ['ru', DESKTOP, 'Публикация в 1С / CRM'],
    ['en', PHONE, 'Publish to 1C / CRM'],
  ];
  it.each(CASES)('subscribes publishing to 1C, tests it and changes its connection on the card (%s)', async (lang, viewport, kind) => {
    const id = `to-1c-${lang}`;
    const page = await suite.open('/events', viewport, lang);
    await page.getByTestId('subscription-create').click();
    await page.getByTestId('subscription-id').fill(id);
    await page.getByTestId('subscription-name').fill(`1C ${lang}`);
    await page.getByTestId('subscription-segments').click();
    await page.getByRole('option', { name: 'Крупные покупатели' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('subscription-kind').getByText(kind).click();
    await page.getByTestId('subscription-connector').click();
    await page.getByRole('option', { name: 'УТ 11 (1c)' }).click();
    await page.screenshot({ path: join(SHOTS, `new-publish-${lang}-${viewport.width}.png`), fullPage: true });
    await page.getByTestId('subscription-save').click();
    await page.getByRole('link', { name: `1C ${lang}` }).click();
    await eventually(() => page.getByTestId('subscription-target').innerText()).toContain('«УТ 11»');
    await page.getByTestId('subscription-test').click();
    await eventually(() => page.getByTestId('delivery-status').first().getAttribute('data-status')).toBe('delivered');
    expect(await hasNoHorizontalScroll(page)).toBe(true);
    await page.screenshot({ path: join(SHOTS, `publish-card-${lang}-${viewport.width}.png`), fullPage: true });

    // Changed in the one shape (PATCH action): to the Bitrix24 connection.
    await page.getByTestId('subscription-edit').click();
    await page.getByTestId('subscription-connector').click();
    await page.getByRole('option', { name: 'Б24 (bitrix24)' }).click();
    await page.screenshot({ path: join(SHOTS, `edit-publish-${lang}-${viewport.width}.png`), fullPage: true });
    await page.getByTestId('edit-save').click();
    await eventually(() => page.getByTestId('subscription-target').innerText()).toContain('«Б24»');
    const stored = (await apiCall(suite.server, 'GET', `/subscriptions/${id}`)) as { action: unknown };
    expect(stored.action).toEqual({ kind: 'connector-publish', connectorId: crmId });

    const list = await suite.open('/events', viewport, lang);
    await eventually(() => list.getByTestId('subscription-row').last().innerText()).toContain('Крупные покупатели');
    expect(await hasNoHorizontalScroll(list)).toBe(true);
    await list.screenshot({ path: join(SHOTS, `events-${lang}-${viewport.width}.png`), fullPage: true });
    const card = await suite.open('/segments/big-buyers?tab=usage', viewport, lang);
    await eventually(() => card.getByTestId('segment-subscriptions').innerText()).toContain(`1C ${lang}`);
    expect(await hasNoHorizontalScroll(card)).toBe(true);
    await card.screenshot({ path: join(SHOTS, `segment-usage-${lang}-${viewport.width}.png`), fullPage: true });
  });
});
