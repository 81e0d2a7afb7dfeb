/**
 * The "Data sources" screen with amoCRM, against the fake amoCRM on 127.0.0.1: an admin chooses
 * amoCRM, gives the account, the long-lived token (never shown back) and the INN match, tests the
 * connection and syncs it to the end; the companies arrive as partners. The dialog and the sync's
 * first stage name amoCRM (in English too), not 1C.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall } from './api.js';
import { browserSuite } from './browser-suite.js';
import { shouldSkipBrowserSuite } from './browser.js';
import { FakeAmo, seedAccount } from '../support/fake-amo.js';

const WIDE = { width: 1440, height: 900 } as const;
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 30_000, interval: 100 });

const selectOption = async (page: Page, testId: string, label: string) => {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: label, exact: true }).click();
};

describe.skipIf(shouldSkipBrowserSuite())('amoCRM in data sources, in Chromium', () => {
  const suite = browserSuite();
  const fake = new FakeAmo();
  beforeAll(async () => {
    seedAccount(fake, { companies: 12, contacts: 4, leads: 6 });
    await fake.start();
  });
  afterAll(() => fake.stop());

  it('adds an amoCRM connection, tests it and syncs its companies', async () => {
    const page = await suite.open('/admin/sources', WIDE, 'ru');
    await page.getByRole('heading', { name: 'Источники данных' }).waitFor();
    await page.getByTestId('connector-add').first().click();
    await page.getByTestId('connector-kind').getByText('amoCRM').click();
    await page.getByRole('dialog', { name: 'Новое подключение к amoCRM' }).waitFor();
    expect(await page.getByTestId('connector-save').innerText()).toBe('Подключить amoCRM');
    await page.getByTestId('connector-name').fill('amoCRM, отдел продаж');
    await page.getByTestId('connector-url').fill(fake.url);
    await page.getByTestId('connector-password').fill(fake.token);
    await selectOption(page, 'connector-match', 'По ИНН');
    await page.getByTestId('connector-match-field').fill('ИНН');
    await selectOption(page, 'connector-schedule', 'Только вручную');
    await page.getByTestId('connector-save').click();
    await page.getByTestId('connector').first().waitFor();

    const { items } = (await apiCall(suite.server, 'GET', '/connectors')) as { items: { id: string; kind: string; settings: Record<string, unknown>; secret: unknown }[] };
    const stored = items.find((c) => c.kind === 'amocrm')!;
    expect(stored).toMatchObject({ settings: { url: fake.url, match: 'inn', matchField: 'ИНН', matchProperty: 'ИНН' }, secret: { set: true } });
    expect(await page.content()).not.toContain(fake.token);

    await page.getByTestId('connector-test').click();
    await eventually(() => page.getByTestId('test-result').getAttribute('data-ok')).toBe('true');

    // The account holds its answers: the first stage stays on screen long enough to read.
    const release = fake.hold();
    await page.getByTestId('connector-sync').click();
    await eventually(() => page.getByTestId('sync-stage').textContent()).toBe('Подключение к amoCRM');
    release();
    await eventually(async () => ((await apiCall(suite.server, 'GET', `/connectors/${stored.id}/runs`)) as { items: { status: string }[] }).items[0]?.status).toBe('succeeded');
    const partner = (await apiCall(suite.server, 'GET', `/partners/${encodeURIComponent(`amo-${stored.id}:company/10003`)}`)) as { name: string };
    expect(partner.name).toBe('ООО «Компания 3»');

    // In English: the same screen names amoCRM.
    const en = await suite.open('/admin/sources', WIDE, 'en');
    await en.getByRole('heading', { name: 'Data sources' }).waitFor();
    expect(await en.getByTestId('connector-add').first().innerText()).toBe('Connect a source');
    const again = fake.hold();
    await en.getByTestId('connector-sync').click();
    await eventually(() => en.getByTestId('sync-stage').textContent()).toBe('Connecting to amoCRM');
    await en.screenshot({ path: '/tmp/data-sources-amo-connecting-en.png', fullPage: true });
    again();
    await eventually(async () => ((await apiCall(suite.server, 'GET', `/connectors/${stored.id}/runs`)) as { items: { status: string }[] }).items.map((r) => r.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);
    await en.getByTestId('connector-add').first().click();
    await en.getByTestId('connector-kind').getByText('amoCRM').click();
    await en.getByRole('dialog', { name: 'New amoCRM connection' }).waitFor();
    expect(await en.getByTestId('connector-save').innerText()).toBe('Connect amoCRM');
  });
});
