import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { segmentaCli } from './support/segmenta-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'segmenta-segments-cli-'));
const dbPath = join(dir, 'cli.duckdb');

/** `segmenta --db <tmp> …` as a user runs it. */
const segmenta = segmentaCli(dbPath);

describe('segmenta segments', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, generates, lists members, explains, and reports errors without a stack', async () => {
    writeFileSync(join(dir, 'regions.csv'), 'id,name,parent\nru,Россия,\nperm,Пермь,ru\nmsk,Москва,ru\n');
    writeFileSync(join(dir, 'partners.csv'), 'id;name;legalForm;region\np1;ООО Пермь;company;perm\np2;Иванов;person;perm\np3;АО Москва;company;msk\n');
    expect((await segmenta('import', 'regions', join(dir, 'regions.csv'))).code).toBe(0);
    expect((await segmenta('import', 'partners', join(dir, 'partners.csv'))).code).toBe(0);
    writeFileSync(join(dir, 'perm.json'), JSON.stringify({ id: 'perm', name: 'Пермь', method: 'periodic', rule: { attr: 'region', op: 'inHierarchy', value: 'perm' } }));
    const created = await segmenta('segments', 'create', join(dir, 'perm.json'));
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: 'perm', method: 'periodic' });

    const refreshed = await segmenta('segments', 'refresh', 'perm');
    expect(refreshed.stdout).toMatch(/^perm: 2 members \(\+2 −0\) in \d+ ms/);
    const csv = await segmenta('segments', 'members', 'perm', '--csv');
    expect(
      csv.stdout
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    ).toEqual(['p1', 'p2']);
    const explained = JSON.parse((await segmenta('segments', 'explain', 'perm', 'p3')).stdout);
    expect(explained).toMatchObject({ member: false, ruleMatched: false, rule: { value: 'msk', matched: false } });

    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ id: 'bad', name: 'Bad', method: 'dynamic', rule: { attr: 'colour', op: 'eq', value: 1 } }));
    const bad = await segmenta('segments', 'create', join(dir, 'bad.json'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('RULE_INVALID');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
