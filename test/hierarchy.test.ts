import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCycles, rebuildClosure } from '../src/domain/hierarchy/closure.js';
import { ENTITIES } from '../src/model/entities.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

describe.each(ENGINES)('hierarchy closure on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => db.close());

  it('lists every node below a region, itself included', async () => {
    await db.run(
      "INSERT INTO regions (id, name, parent_id) VALUES ('ru', 'Россия', NULL), ('pfo', 'ПФО', 'ru'), ('perm', 'Пермь', 'pfo'), ('perm-d', 'Дзержинский район', 'perm'), ('msk', 'Москва', 'ru')",
    );
    await rebuildClosure(db, ENTITIES.regions);
    const below = await db.query<{ id: string }>("SELECT descendant_id AS id FROM regions_closure WHERE ancestor_id = 'pfo' ORDER BY id");
    expect(below.map((r) => r.id)).toEqual(['perm', 'perm-d', 'pfo']);
    const [deep] = await db.query("SELECT depth FROM regions_closure WHERE ancestor_id = 'ru' AND descendant_id = 'perm-d'");
    expect(deep).toEqual({ depth: 3 });
    expect(await findCycles(db, ENTITIES.regions)).toEqual([]);
  });

  it('finds parent cycles without looping forever', async () => {
    await db.run("INSERT INTO partner_groups (id, name, parent_id) VALUES ('a', 'A', 'b'), ('b', 'B', 'a'), ('c', 'C', 'a'), ('s', 'S', 's')");
    await rebuildClosure(db, ENTITIES.partnerGroups);
    expect(await findCycles(db, ENTITIES.partnerGroups)).toEqual(['a', 'b', 's']);
  });
});
