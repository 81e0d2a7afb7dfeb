import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { segmentaCli } from './support/segmenta-cli.js';
import { monthsAgo, SEED_002_CSV } from './terms-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'segmenta-terms-cli-'));
const dbPath = join(dir, 'cli.duckdb');

/** `segmenta --db <tmp> …` as a user runs it. */
const segmenta = segmentaCli(dbPath);

const file = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('segmenta terms and segmenta order', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("uploads seed 002's table, prices and checks an order, refuses a dynamic segment without a stack", { timeout: 120_000 }, async () => {
    expect((await segmenta('import', 'partners', file('partners.csv', 'id;name;legalForm\nalpha;ООО Альфа;company\nbeta;Бетова;person\n'))).code).toBe(0);
    expect((await segmenta('import', 'products', file('products.csv', 'id,name\ng1,Товар 1\ng2,Товар 2\n'))).code).toBe(0);
    const sales = `id,document,date,partner,product,quantity,revenue\ns1,D1,${monthsAgo(5)},alpha,g1,12,12000\n`;
    expect((await segmenta('import', 'sales', file('sales.csv', sales))).code).toBe(0);
    for (const n of [1, 2, 3, 4, 5, 6]) {
      const created = await segmenta('segments', 'create', file(`s${n}.json`, { id: `segment${n}`, kind: 'product', name: `Сегмент${n}`, method: 'manual' }));
      expect(created.code, created.stderr).toBe(0);
    }
    expect((await segmenta('segments', 'add', 'segment1', 'g1')).code).toBe(0);

    const table = await segmenta('terms', 'table', file('seed002.csv', SEED_002_CSV), '--id', 'seed002', '--name', 'Накопительная скидка');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('Table seed002: 30 cells; discounts +30 ~0 =0 −0; segments +30 (generated 30), reused 0, dropped 0');

    const order = file('order.json', {
      partnerId: 'alpha',
      lines: [
        { productId: 'g1', quantity: 2, price: 1000 },
        { productId: 'g2', quantity: 1, price: 500 },
      ],
    });
    const priced = JSON.parse((await segmenta('order', 'price', order, '--json')).stdout);
    expect(priced.lines.map((l: { discountPercent: number }) => l.discountPercent)).toEqual([1.5, 0]);
    expect(priced.lines[0].rule).toMatchObject({ discountId: 'seed002-segment1-24m-revenue-gte-10000', segmentId: 'cum-segment1-24m-revenue-gte-10000' });
    const table2 = await segmenta('order', 'price', order);
    expect(table2.stdout).toContain('Total 2500 − 30 = 2470');

    expect((await segmenta('segments', 'create', file('dyn.json', { id: 'buyers', name: 'Покупатели', method: 'dynamic', rule: { measure: 'sales.revenue', op: 'gt', value: 0 } }))).code).toBe(0);
    const refused = await segmenta('terms', 'create', 'bans', file('ban.json', { name: 'Стоп', segmentId: 'buyers' }));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('SEGMENT_DYNAMIC_NOT_ALLOWED');
    expect(refused.stderr).toContain('Segment "buyers" (Покупатели) is dynamic');
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    expect((await segmenta('segments', 'create', file('stop.json', { id: 'stop', name: 'Стоп-лист', method: 'manual' }))).code).toBe(0);
    expect((await segmenta('segments', 'add', 'stop', 'beta')).code).toBe(0);
    expect((await segmenta('terms', 'create', 'bans', file('ban2.json', { id: 'stop-list', name: 'Стоп-лист', segmentId: 'stop', reason: 'решение службы безопасности' }))).code).toBe(0);
    const checked = await segmenta('order', 'check', file('check.json', { partnerId: 'beta' }));
    expect(checked.code).toBe(2);
    expect(checked.stdout).toContain('Not allowed (SHIPMENT_BANNED)');
    expect((await segmenta('order', 'check', file('check2.json', { partnerId: 'alpha' }))).code).toBe(0);
    const deleted = await segmenta('segments', 'delete', 'stop');
    expect(deleted.code).toBe(1);
    expect(deleted.stderr).toContain('SEGMENT_IN_USE');
  });
});
