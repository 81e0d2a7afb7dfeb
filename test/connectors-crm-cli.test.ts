/**
 * `segmenta connectors add bitrix24|amocrm` against the fake portal and account: the webhook's
 * address and the token come from standard input only, the kind's options become its settings
 * (matching, what to read), a sync runs from the CLI, and an option of another kind is refused
 * with the options the kind does take.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAmo, seedAccount } from './support/fake-amo.js';
import { FakeBitrix24, seedPortal } from './support/fake-b24.js';
import { segmentaCliWithInput } from './support/segmenta-cli.js';

describe('segmenta connectors add for the CRMs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segmenta-crm-cli-'));
  const dbPath = join(dir, 'cli.duckdb');
  const withInput = segmentaCliWithInput(dbPath);
  const cli = (args: string[], input?: string) => withInput(input, ...args);
  const idOf = (stdout: string) => /Added connector (\S+):/.exec(stdout)![1]!;
  const b24 = new FakeBitrix24();
  const amo = new FakeAmo();

  beforeAll(async () => {
    seedPortal(b24, { companies: 30, contacts: 10, deals: 20, activities: 20 });
    seedAccount(amo, { companies: 12, contacts: 6, leads: 10 });
    await Promise.all([b24.start(), amo.start()]);
  });
  afterAll(async () => {
    await Promise.all([b24.stop(), amo.stop()]);
  });

  it('adds Bitrix24 from the webhook address on standard input, with matching, and syncs it', async () => {
    const added = await cli(['connectors', 'add', 'bitrix24', '--secret-stdin', '--name', 'Битрикс24', '--match-field', 'UF_CRM_INN', '--no-activities'], `${b24.webhook}\n`);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).not.toContain(b24.code);
    const id = idOf(added.stdout);
    const [listed] = JSON.parse((await cli(['connectors', 'list', '--json'])).stdout) as { id: string; kind: string; settings: Record<string, unknown>; secret: unknown }[];
    expect(listed).toMatchObject({
      id,
      kind: 'bitrix24',
      secret: { set: true },
      settings: { url: b24.url, user: b24.userId, match: { field: 'UF_CRM_INN', to: 'property', property: 'inn' }, activities: false, contacts: true },
    });
    expect(JSON.stringify(listed)).not.toContain(b24.code);
    expect(readFileSync(dbPath).includes(Buffer.from(b24.code))).toBe(false);

    const tested = await cli(['connectors', 'test', id]);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toContain('Bitrix24 answered');
    const synced = await cli(['connectors', 'sync', id, '--json']);
    expect(synced.code).toBe(0);
    const run = JSON.parse(synced.stdout) as { status: string; mode: string; counts: Record<string, { inserted: number }> };
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full' });
    expect(run.counts.partners).toMatchObject({ inserted: 40 });
    expect(run.counts.deals).toMatchObject({ inserted: 20 });
    expect(run.counts.interactions).toBeUndefined();
    const again = await cli(['connectors', 'sync', id]);
    expect(again.stdout).toMatch(/Synced \(incremental\).*inserted 0, updated 0, deleted 0/);
    expect((await cli(['connectors', 'remove', id])).code).toBe(0);
  }, 120_000);

  it('adds amoCRM with the long-lived token on standard input and syncs it', async () => {
    const added = await cli(
      ['connectors', 'add', 'amocrm', '--url', amo.url, '--secret-stdin', '--match', 'inn', '--match-field', 'ИНН', '--no-leads', '--schedule', 'every 30 minutes'],
      `${amo.token}\n`,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const id = idOf(added.stdout);
    const [listed] = JSON.parse((await cli(['connectors', 'list', '--json'])).stdout) as unknown[];
    expect(listed).toMatchObject({ id, kind: 'amocrm', name: amo.url, schedule: 'every 30 minutes', settings: { url: amo.url, match: 'inn', matchField: 'ИНН', leads: false } });
    expect(JSON.stringify(listed)).not.toContain(amo.token);
    expect(readFileSync(dbPath).includes(Buffer.from(amo.token))).toBe(false);

    const synced = await cli(['connectors', 'sync', id, '--json']);
    expect(synced.code).toBe(0);
    const run = JSON.parse(synced.stdout) as { status: string; counts: Record<string, { inserted: number }> };
    expect(run.status).toBe('succeeded');
    // Its 12 companies hold the INNs of companies Bitrix24 brought (whose property ИНН the match compares): they update those partners; its 6 contacts are new.
    expect(run.counts.partners).toMatchObject({ read: 18, updated: 12, inserted: 6 });
    expect(run.counts.deals).toBeUndefined();
    expect((await cli(['connectors', 'remove', id])).code).toBe(0);
  }, 120_000);

  it("refuses a wrong kind's options, a missing secret and a secret that is not the kind's", async () => {
    const profile = await cli(['connectors', 'add', 'amocrm', '--url', amo.url, '--secret-stdin', '--profile', 'ut11.5'], `${amo.token}\n`);
    expect(profile.code).not.toBe(0);
    expect(profile.stderr).toContain(
      '--profile: not an option of amocrm connections (1c only); amocrm takes --url, --match, --match-field, --match-property, --segments-field, --no-contacts, --no-leads',
    );
    const url = await cli(['connectors', 'add', 'bitrix24', '--url', b24.url, '--secret-stdin'], `${b24.webhook}\n`);
    expect(url.stderr).toContain('--url: not an option of bitrix24 connections (1c, amocrm only)');
    const noContacts = await cli(['connectors', 'add', '1c', '--url', 'http://127.0.0.1:1/base', '--user', 'u', '--no-contacts', '--password-stdin'], 'p\n');
    expect(noContacts.stderr).toContain('--no-contacts: not an option of 1c connections (bitrix24, amocrm only)');
    const noSecret = await cli(['connectors', 'add', 'amocrm', '--url', amo.url]);
    expect(noSecret.stderr).toContain("give the integration's long-lived token on standard input with --secret-stdin");
    const notHook = await cli(['connectors', 'add', 'bitrix24', '--secret-stdin'], 'k7x2secretwebhookcode\n');
    expect(notHook.stderr).toContain("webhook: standard input is not an incoming webhook's address");
    expect(notHook.stderr).not.toContain('k7x2secretwebhookcode');
    const noUrl = await cli(['connectors', 'add', 'amocrm', '--secret-stdin'], `${amo.token}\n`);
    expect(noUrl.stderr).toContain('--url: amocrm connections need --url');
    const property = await cli(['connectors', 'add', 'bitrix24', '--secret-stdin', '--match-property', 'inn'], `${b24.webhook}\n`);
    expect(property.stderr).toContain('--match-property: give the company field to match with --match-field');
    const unknown = await cli(['connectors', 'add', 'sap', '--secret-stdin'], 'x\n');
    expect(unknown.stderr).toMatch(/sap/);
    expect(JSON.parse((await cli(['connectors', 'list', '--json'])).stdout)).toEqual([]);
  }, 60_000);
});
