/**
 * The OData client against the fake 1C, at the protocol level: percent-encoded Cyrillic paths,
 * paging under a stable order, literals, 1C's error JSON, `$inlinecount` (which makes 1C ignore
 * the paging, so the client never sends it), the HTML sign-in page with status 200, 404 for an
 * object not published, retries of 5xx answers, $metadata parsed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMetadata } from '../src/connectors/onec/metadata.js';
import { datetimeLiteral, guidLiteral, ODataClient } from '../src/connectors/onec/odata-client.js';
import { Fake1C } from './support/fake-1c.js';
import { generateCompany, guid, serve } from './support/onec-company.js';

let fake: Fake1C;
let client: ODataClient;
beforeAll(async () => {
  fake = new Fake1C();
  serve(generateCompany({ partners: 30, products: 5, docs: 20 }), fake);
  await fake.start();
  client = new ODataClient({ url: fake.url, user: fake.user, password: fake.password, requestsPerSecond: 1000, backoffMs: 1, attempts: 3 });
});
afterAll(() => fake.stop());

describe('1C OData client', () => {
  it('percent-encodes Cyrillic names and reads every page under a stable order', async () => {
    expect(client.urlOf('Catalog_Партнеры', { select: ['Ref_Key'], top: 5 })).toContain(
      '/odata/standard.odata/Catalog_%D0%9F%D0%B0%D1%80%D1%82%D0%BD%D0%B5%D1%80%D1%8B?$format=json&$select=Ref_Key&$top=5',
    );
    const from = fake.log.length;
    const pages: number[] = [];
    const refs: string[] = [];
    for await (const page of client.pages('Catalog_Партнеры', { select: ['Ref_Key', 'Description'], orderby: 'Ref_Key' }, 7)) {
      pages.push(page.length);
      refs.push(...page.map((r) => String(r.Ref_Key)));
    }
    expect(refs).toHaveLength(fake.rows('Catalog_Партнеры').length);
    expect(new Set(refs).size).toBe(refs.length);
    expect(refs).toEqual([...refs].sort());
    expect(pages.slice(0, -1).every((n) => n === 7)).toBe(true);
    expect(fake.requests(from).map((r) => r.query.$skip ?? '0')).toEqual(pages.map((_, i) => String(i * 7)).concat(pages.length * 7 === refs.length ? [String(refs.length)] : []));
  });

  it('filters with guid and datetime literals; an unsupported function is refused with 1C’s error message', async () => {
    const id = guid('p3');
    expect(await client.get('Catalog_Партнеры', { select: ['Ref_Key'], filter: `Ref_Key eq ${guidLiteral(id)}` })).toEqual([{ Ref_Key: id }]);
    const recent = await client.get('AccumulationRegister_ВыручкаИСебестоимостьПродаж_RecordType', { filter: `Period ge ${datetimeLiteral('2000-01-01')}`, top: 3 });
    expect(recent).toHaveLength(3);
    await expect(client.get('Catalog_Партнеры', { filter: "tolower(Description) eq 'x'" })).rejects.toMatchObject({
      code: 'CONNECTOR_REMOTE_ERROR',
      message: expect.stringContaining('Функция tolower не поддерживается'),
    });
  });

  it('$inlinecount makes the fake ignore $top, as 1C does', async () => {
    const res = await fetch(`${client.urlOf('Catalog_Партнеры', { top: 2 })}&$inlinecount=allpages`, {
      headers: { authorization: `Basic ${Buffer.from(`${fake.user}:${fake.password}`).toString('base64')}` },
    });
    const body = (await res.json()) as { value: unknown[]; 'odata.count': string };
    expect(body.value.length).toBe(fake.rows('Catalog_Партнеры').length);
    expect(Number(body['odata.count'])).toBe(body.value.length);
  });

  it('tells a sign-in page answered with 200, an unpublished object and a busy server apart', async () => {
    const wrong = new ODataClient({ url: fake.url, user: fake.user, password: 'x', requestsPerSecond: 1000 });
    await expect(wrong.get('Catalog_Партнеры')).rejects.toMatchObject({ code: 'CONNECTOR_AUTH_FAILED', details: { object: 'Catalog_Партнеры', reason: expect.stringContaining('HTML') } });
    await expect(client.get('Catalog_Контрагенты')).rejects.toMatchObject({ code: 'CONNECTOR_OBJECT_UNPUBLISHED', details: { object: 'Catalog_Контрагенты' } });
    fake.busy = 2;
    const before = client.requests;
    expect(await client.get('Catalog_Пользователи', { top: 1 })).toHaveLength(1);
    expect(client.requests - before).toBe(3);
    fake.busy = 5;
    await expect(client.get('Catalog_Пользователи', { top: 1 })).rejects.toMatchObject({ code: 'CONNECTOR_REMOTE_ERROR', details: { status: 503 } });
    fake.busy = 0;
  });

  it('reads $metadata: entity sets with their properties', async () => {
    const metadata = parseMetadata(await client.metadata());
    expect(metadata.entitySets.get('Catalog_Партнеры')).toContain('БизнесРегион_Key');
    expect(metadata.entitySets.has('InformationRegister_ПартнерыСегмента')).toBe(true);
  });
});
