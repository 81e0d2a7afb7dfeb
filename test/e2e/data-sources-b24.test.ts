/**
 * The "Data sources" screen offers Bitrix24: an admin pastes a webhook's address (split into the
 * portal, the user and the code, which is never shown back), chooses matching by INN, tests the
 * connection and syncs it from the fake portal on 127.0.0.1. The dialog and the sync's first stage
 * name Bitrix24, not 1C.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall } from './api.js';
import { browserSuite } from './browser-suite.js';
import { shouldSkipBrowserSuite } from './browser.js';
import { FakeBitrix24, seedPortal } from '../support/fake-b24.js';

const WIDE = { width: 1440, height: 900 } as const;
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 50 });

describe.skipIf(shouldSkipBrowserSuite())('a Bitrix24 data source in Chromium', () => {
  const suite = browserSuite();
  const fake = new FakeBitrix24();
  beforeAll(async () => {
    seedPortal(fake, { companies: 30, contacts: 10, deals: 20, activities: 20 });
    await fake.start();
  });
  afterAll(() => fake.stop());

  it('adds a Bitrix24 connection from its webhook address, tests it and syncs it', async () => {
    const page = await suite.open('/admin/sources', WIDE, 'ru');
    await page.getByRole('heading', { name: 'Источники данных' }).waitFor();
    expect(await page.getByTestId('connector-add').first().innerText()).toBe('Подключить источник');
    await page.getByTestId('connector-add').first().click();
    await page.getByTestId('connector-kind').getByText('Битрикс24').click();
    await page.getByRole('dialog', { name: 'Новое подключение к Битрикс24' }).waitFor();
    expect(await page.getByTestId('connector-save').innerText()).toBe('Подключить Битрикс24');
    await page.getByTestId('connector-name').fill('Битрикс24, продажи');
    await page.getByTestId('b24-webhook').fill('https://not a webhook');
    await page.getByText('Это не адрес вебхука').waitFor();
    await page.getByTestId('b24-webhook').fill(fake.webhook);
    await page.getByTestId('b24-match-field').fill('uf_crm_inn');
    await page.getByTestId('connector-save').click();
    await page.getByTestId('connector-form').waitFor({ state: 'detached' });

    const [stored] = ((await apiCall(suite.server, 'GET', '/connectors')) as { items: { id: string; kind: string; settings: Record<string, unknown> }[] }).items;
    expect(stored).toMatchObject({ kind: 'bitrix24', settings: { url: fake.url, user: fake.userId, match: { field: 'UF_CRM_INN', to: 'property', property: 'inn' } } });
    expect(JSON.stringify(stored)).not.toContain(fake.code);
    expect(await page.content()).not.toContain(fake.code);

    await page.getByTestId('connector-test').click();
    await eventually(() => page.getByTestId('test-result').getAttribute('data-ok')).toBe('true');

    expect(await page.getByTestId('connector').first().innerText()).toContain('Битрикс24');
    // The portal holds its answers: the first stage stays on screen long enough to read.
    const release = fake.hold();
    await page.getByTestId('connector-sync').click();
    await eventually(() => page.getByTestId('sync-stage').textContent()).toBe('Подключение к Битрикс24');
    await page.screenshot({ path: '/tmp/data-sources-b24-connecting.png', fullPage: true });
    release();
    // The sync's end, however long a loaded machine takes (the test's own time-out bounds it).
    await page.getByTestId('sync-done').or(page.getByTestId('sync-error')).first().waitFor({ timeout: 0 });
    expect(await page.getByTestId('sync-error').count()).toBe(0);
    const runs = ((await apiCall(suite.server, 'GET', `/connectors/${stored!.id}/runs`)) as { items: { status: string; counts: Record<string, { inserted: number }> }[] }).items;
    expect(runs[0]).toMatchObject({ status: 'succeeded', counts: { partners: { inserted: 40 }, deals: { inserted: 20 } } });
    await eventually(() => page.getByTestId('run').first().getAttribute('data-status')).toBe('succeeded');

    // A revoked webhook: the hint speaks of Bitrix24's webhook, not of a 1C user and password.
    fake.expired = true;
    try {
      await page.getByTestId('connector-test').click();
      await eventually(() => page.getByTestId('test-result').getAttribute('data-ok')).toBe('false');
      const hint = await page.getByTestId('test-result').getByTestId('remote-error-hint').innerText();
      expect(hint).toContain('Битрикс24 не принял вебхук');
      expect(hint).not.toContain('1С');
    } finally {
      fake.expired = false;
    }
  });
});
