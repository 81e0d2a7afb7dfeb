/**
 * The "Data sources" screen in the browser, against the fake 1C on 127.0.0.1: an admin adds a
 * connection (the password is never shown back), tests it (the objects of the profile published
 * and missing, by name), syncs with progress by stage to the end, sees the run with its counts,
 * publishes and unpublishes a segment, and sees a wrong password's error in Russian.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall } from './api.js';
import { browserSuite, hasNoHorizontalScroll } from './browser-suite.js';
import { PHONE, shouldSkipBrowserSuite } from './browser.js';
import { Fake1C } from '../support/fake-1c.js';
import { generateCompany, serve } from '../support/onec-company.js';

const WIDE = { width: 1440, height: 900 } as const;
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 50 });
const CYRILLIC = /[А-Яа-яЁё]/;
/** A required object the test hides first, and the optional one publishing needs. */
const REQUIRED = 'Catalog_ОбъектыРасчетов';

type Counts = Record<'read' | 'inserted' | 'updated' | 'deleted' | 'refused', number>;
interface Run {
  status: string;
  totals: Counts;
  counts: Record<string, Counts>;
  error: { code: string } | null;
}

const selectOption = async (page: Page, testId: string, label: string) => {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: label, exact: true }).click();
};

describe.skipIf(shouldSkipBrowserSuite())('data sources in Chromium', () => {
  const suite = browserSuite();
  const fake = new Fake1C();
  beforeAll(async () => {
    serve(generateCompany({ partners: 20, products: 6, docs: 60 }), fake);
    await fake.start();
  });
  afterAll(() => fake.stop());

  it('adds a 1C connection, tests it, syncs with progress, shows the run, publishes a segment, and says a wrong password in Russian', async () => {
    fake.unpublished.add(REQUIRED);
    const page = await suite.open('/admin/sources', WIDE, 'ru');
    await page.getByRole('heading', { name: 'Источники данных' }).waitFor();
    expect(await page.locator('[data-nav="admin/sources"]').count()).toBe(1);

    // Add: URL, user, password, time zone, profile, schedule (a preset, not cron).
    await page.getByTestId('connector-add').first().click();
    await page.getByTestId('connector-name').fill('УТ, центральный офис');
    await page.getByTestId('connector-url').fill(fake.url);
    await page.getByTestId('connector-user').fill(fake.user);
    await page.getByTestId('connector-password').fill(fake.password);
    await selectOption(page, 'connector-timezone', 'Asia/Yekaterinburg');
    await selectOption(page, 'connector-profile', 'УТ 11.5');
    await selectOption(page, 'connector-schedule', 'Только вручную');
    await page.getByTestId('connector-save').click();
    const panel = page.getByTestId('connector');
    await panel.waitFor();
    expect(await page.getByTestId('connector-title').innerText()).toBe('УТ, центральный офис');
    expect(await page.getByTestId('runs-empty').innerText()).toBe('Синхронизаций ещё не было');
    const [stored] = ((await apiCall(suite.server, 'GET', '/connectors')) as { items: { id: string; schedule: string | null; settings: Record<string, unknown> }[] }).items;
    expect(stored).toMatchObject({ schedule: null, settings: { url: fake.url, user: fake.user, timezone: 'Asia/Yekaterinburg', profile: 'ut11.5' } });
    const id = stored!.id;

    // The stored password is never shown: the edit form's field is empty and says it is set.
    await page.getByTestId('connector-menu').click();
    await page.getByTestId('connector-edit').click();
    expect(await page.getByTestId('connector-password').inputValue()).toBe('');
    await page.getByText('Пароль сохранён и не показывается').waitFor();
    expect(await page.content()).not.toContain(fake.password);
    await page.keyboard.press('Escape');

    // Test: one required object is not published — named, and the published ones listed.
    await page.getByTestId('connector-test').click();
    const result = page.getByTestId('test-result');
    await eventually(() => result.getAttribute('data-ok')).toBe('false');
    expect(
      await page
        .getByTestId('test-missing')
        .locator('[data-name]')
        .evaluateAll((items) => items.map((i) => i.getAttribute('data-name'))),
    ).toEqual([REQUIRED]);
    expect(await page.getByTestId('test-published').locator(`[data-name="Catalog_Партнеры"]`).count()).toBe(1);
    fake.unpublished.delete(REQUIRED);
    await page.getByTestId('connector-test').click();
    await eventually(() => result.getAttribute('data-ok')).toBe('true');
    expect(await result.innerText()).toContain('Связь есть');

    // Sync now: progress by stage until the end.
    const seen = new Set<string>();
    await page.getByTestId('connector-sync').click();
    const progress = page.getByTestId('sync-progress');
    await progress.waitFor();
    while ((await page.getByTestId('sync-done').count()) === 0 && (await page.getByTestId('sync-error').count()) === 0) {
      const stage = await progress.getAttribute('data-stage', { timeout: 1_000 }).catch(() => null);
      if (stage) seen.add(stage);
      await page.waitForTimeout(30);
    }
    expect(await page.getByTestId('sync-error').count()).toBe(0);
    expect(seen.size).toBeGreaterThan(1);
    await eventually(() => progress.count()).toBe(0);

    // The run with its counts, as the API has them.
    const runs = ((await apiCall(suite.server, 'GET', `/connectors/${id}/runs`)) as { items: Run[] }).items;
    expect(runs[0]).toMatchObject({ status: 'succeeded', error: null });
    expect(runs[0]!.totals.read).toBeGreaterThan(0);
    expect(runs[0]!.totals.inserted).toBeGreaterThan(0);
    const row = page.getByTestId('run').first();
    await eventually(() => row.getAttribute('data-status')).toBe('succeeded');
    for (const count of ['read', 'inserted', 'updated', 'deleted', 'refused'] as const) expect(Number(await row.getByTestId(`run-${count}`).getAttribute('data-value'))).toBe(runs[0]!.totals[count]);
    expect(await row.getByTestId('run-status').innerText()).toBe('успешно');
    await page.getByTestId('run-entities').first().locator('summary').click();
    expect(await page.getByTestId('run-entities').first().locator('[data-entity="partners"]').innerText()).toBe(
      ['партнёры', ...(['read', 'inserted', 'updated', 'deleted', 'refused'] as const).map((c) => String(runs[0]!.counts.partners![c]))].join('\t'),
    );
    await page.screenshot({ path: '/tmp/data-sources-1440.png', fullPage: true });

    // The schedule: a preset, stored as the API takes it.
    await selectOption(page, 'connector-schedule-quick', 'Каждые 30 минут');
    await eventually(async () => ((await apiCall(suite.server, 'GET', `/connectors/${id}`)) as { schedule: string | null }).schedule).toBe('every 30 minutes');

    // Publish a stored segment to 1C, then stop.
    await page.getByTestId('publish-segment').click();
    await page.getByRole('option').first().click();
    await page.getByTestId('publish').click();
    await page.getByTestId('publication').first().waitFor();
    expect(((await apiCall(suite.server, 'GET', `/connectors/${id}/publications`)) as { items: unknown[] }).items).toHaveLength(1);
    await page.getByTestId('unpublish').click();
    await eventually(() => page.getByTestId('publication').count()).toBe(0);

    // A wrong password: the test and the sync say so in Russian.
    await page.getByTestId('connector-menu').click();
    await page.getByTestId('connector-edit').click();
    await page.getByTestId('connector-password').fill('не тот пароль');
    await page.getByTestId('connector-save').click();
    await page.getByTestId('connector-form').waitFor({ state: 'detached' });
    await page.getByTestId('connector-test').click();
    const refused = result.getByTestId('remote-error');
    await refused.waitFor();
    expect(await refused.getAttribute('data-error-code')).toBe('CONNECTOR_AUTH_FAILED');
    expect(await result.getByTestId('remote-error-hint').innerText()).toBe('1С не приняла пользователя или пароль. Проверьте их и что у пользователя есть вход по паролю 1С:Предприятия.');

    await page.getByTestId('connector-sync').click();
    const failed = page.getByTestId('sync-error').getByRole('alert');
    await failed.waitFor();
    expect(await failed.getAttribute('data-error-code')).toBe('CONNECTOR_AUTH_FAILED');
    const message = await failed.innerText();
    expect(message).toContain(`не принял пользователя «${fake.user}»`);
    expect(message).toMatch(CYRILLIC);
    await eventually(() => row.getAttribute('data-status')).toBe('failed');
    expect(await page.getByTestId('runs').getByTestId('remote-error-hint').first().innerText()).toContain('1С не приняла пользователя или пароль');
    await page.screenshot({ path: '/tmp/data-sources-1440-failed.png', fullPage: true });
    // Two syncs and a publication in a browser on a loaded machine: a time-out, not a timed assertion.
  }, 180_000);

  it("shows a failed run's object and follows a sync started elsewhere (through the API) to its end", async () => {
    const [connector] = ((await apiCall(suite.server, 'GET', '/connectors')) as { items: { id: string }[] }).items;
    const id = connector!.id;
    const page = await suite.open('/admin/sources', WIDE, 'ru');
    await page.getByTestId('connector').waitFor();
    // The last run failed on the wrong password: which object, and 1C's answer, each on a line.
    const details = page.getByTestId('runs').getByTestId('remote-error-object').first();
    await details.waitFor();
    // ($metadata is cached an hour per base and user: the first object read is refused.)
    expect(await details.innerText()).toMatch(/^Объект: (\$metadata|Catalog_\S+)$/);

    await apiCall(suite.server, 'PATCH', `/connectors/${id}`, { secret: fake.password });
    fake.latencyMs = 300;
    try {
      await apiCall(suite.server, 'POST', `/connectors/${id}/sync`, {});
      const progress = page.getByTestId('sync-progress');
      await eventually(() => progress.getAttribute('data-followed')).toBe('api');
      expect(await page.getByTestId('sync-elsewhere').innerText()).toBe('Запущена через API; ход виден здесь');
      await eventually(() => progress.count()).toBe(0);
    } finally {
      fake.latencyMs = 0;
    }
    await eventually(() => page.getByTestId('run').first().getAttribute('data-status')).toBe('succeeded');
  }, 180_000);

  it('fits a phone', async () => {
    const page = await suite.open('/admin/sources', PHONE, 'ru');
    await page.getByTestId('connector').waitFor();
    await page.getByTestId('run').first().waitFor();
    expect(await hasNoHorizontalScroll(page)).toBe(true);
    await page.screenshot({ path: '/tmp/data-sources-390.png', fullPage: true });
  });
});
