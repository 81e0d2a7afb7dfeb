import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

describe.each(ENGINES)('directories and partner sorting on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    await db.run("INSERT INTO regions (id, name, parent_id) VALUES ('ru', 'Россия', NULL), ('ural', 'Урал', 'ru'), ('perm', 'Пермь', 'ural')");
    await db.run("INSERT INTO managers (id, name) VALUES ('m2', 'Кузнецов'), ('m1', 'Смирнова')");
    await db.run("INSERT INTO partners (id, name, registered_at) VALUES ('a', 'Альфа', '2020-01-05'), ('b', 'Бета', NULL), ('c', 'Гамма', '2022-03-01'), ('d', 'Дельта', '2021-07-15')");
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('lists a hierarchy directory with parents, by name', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/directories/regions' });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      { id: 'perm', name: 'Пермь', parent: 'ural' },
      { id: 'ru', name: 'Россия', parent: null },
      { id: 'ural', name: 'Урал', parent: 'ru' },
    ]);
  });

  it('lists a flat directory with null parents', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/directories/managers' });
    expect(res.json().items).toEqual([
      { id: 'm2', name: 'Кузнецов', parent: null },
      { id: 'm1', name: 'Смирнова', parent: null },
    ]);
  });

  it('refuses an unknown directory with a 400 naming it', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/directories/planets' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.details.issues[0].path).toBe('params.name');
  });

  it('sorts partners both ways, partners without the value last either way', async () => {
    const ids = async (query: string) => (await app.inject({ method: 'GET', url: `/api/partners?${query}` })).json().items.map((p: { id: string }) => p.id);
    expect(await ids('sort=registeredAt')).toEqual(['a', 'd', 'c', 'b']);
    expect(await ids('sort=registeredAt&order=desc')).toEqual(['c', 'd', 'a', 'b']);
    expect(await ids('sort=id&order=desc')).toEqual(['d', 'c', 'b', 'a']);
    const bad = await app.inject({ method: 'GET', url: '/api/partners?order=sideways' });
    expect(bad.statusCode).toBe(400);
  });
});
