import type { Database } from '../../src/storage/database.js';
import { loadRuleCatalog } from '../../src/rules/catalog.js';
import { checkRule } from '../../src/rules/check-rule.js';
import { catalogOfWorld } from '../../src/rules/reference/evaluate.js';
import type { World } from '../../src/rules/reference/world.js';
import { instantiate } from './resolve-picks.js';
import type { RuleTemplate } from './rule-arbitrary.js';
import { TEST_SCORES } from './world-arbitrary.js';

/**
 * Stores a random scenario's rule templates as periodic partner segments `<prefix><i>` (those
 * both the world's catalog and the product's own accept), and returns their ids.
 */
export async function storeTemplateSegments(db: Database, world: World, templates: readonly RuleTemplate[], asOf: string, prefix: string): Promise<string[]> {
  const worldCatalog = catalogOfWorld(world, TEST_SCORES);
  // Refreshes read the product's score names only (not the tests' extra one).
  const productCatalog = await loadRuleCatalog(db);
  const ids: string[] = [];
  for (const [i, template] of templates.entries()) {
    const { rule, parameters } = instantiate(template, world, 'partner', asOf);
    if (!checkRule(rule, { kind: 'partner', catalog: worldCatalog, parameters }).ok || !checkRule(rule, { kind: 'partner', catalog: productCatalog, parameters }).ok) continue;
    const id = `${prefix}${i}`;
    await db.run('INSERT INTO segments (id, kind, name, method, rule, sql, parameters) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      id,
      'partner',
      id,
      'periodic',
      JSON.stringify(rule),
      null,
      JSON.stringify(parameters),
    ]);
    ids.push(id);
  }
  return ids;
}
