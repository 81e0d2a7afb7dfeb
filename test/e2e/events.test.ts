/**
 * Issue 18 in Chromium against the real service: an analyst's screens for event subscriptions —
 * creating a webhook (its secret shown once), sending a test event that a receiver on 127.0.0.1
 * verifies, the delivery log with its status and attempts, resending with the same webhook-id,
 * and the segment card telling which subscriptions watch the segment. In English and Russian.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { browserSuite } from './browser-suite.js';
import { DESKTOP, shouldSkipBrowserSuite } from './browser.js';

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
const SHOTS = join(tmpdir(), 'segmenta-events-e2e');

describe.skipIf(shouldSkipBrowserSuite())('event subscriptions in Chromium', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startReceiver('');
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => receiver?.close());
  const suite = browserSuite({ server: { events: { secretKey: randomBytes(32).toString('base64'), allowTargets: ['127.0.0.1'] } } });

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
});
