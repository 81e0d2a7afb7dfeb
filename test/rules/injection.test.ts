/**
 * Every identifier of a compiled rule comes from the model registry and every value is a
 * bound parameter: hostile attribute names are refused, hostile property names, values and
 * segment ids are bound and match exactly, and none of them ever appears in the SQL text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors/app-error.js';
import { loadRuleCatalog, type RuleCatalog } from '../../src/rules/catalog.js';
import type { PartnerRecord, World } from '../../src/rules/reference/world.js';
import { ScoreRegistry } from '../../src/rules/vocabulary/scores.js';
import { compileRule, selectMembers } from '../../src/sql/compile/compile-rule.js';
import type { Database } from '../../src/storage/database.js';
import { ENGINES } from '../engines.js';
import { loadWorld } from '../support/load-world.js';

const EVIL = "x'); DROP TABLE partners; --";
const EVIL_SEGMENT = "seg'; DELETE FROM segment_members; --";

const partner = (id: string, name: string, properties: PartnerRecord['properties'] = {}): PartnerRecord => ({
  id,
  name,
  roles: ['customer'],
  legalForm: 'company',
  group: null,
  region: null,
  manager: null,
  type: null,
  birthDate: null,
  registeredAt: null,
  deleted: false,
  email: null,
  phone: null,
  properties,
});

const WORLD: World = {
  regions: [{ id: EVIL, name: 'evil region', parent: null }],
  partnerGroups: [],
  productGroups: [],
  products: [{ id: "tea'1", name: 'Tea', group: null, brand: null, unit: null, properties: {} }],
  partners: [partner("o'neil", "O'Neil'; DROP TABLE partners; --", { [EVIL]: 'yes' }), partner('percent', '100% Tea_Co', { [EVIL]: 'no' }), partner('plain', '100 Tea Co')],
  sales: [{ id: 's1', document: 'd1', date: '2025-01-10', partner: "o'neil", product: "tea'1", quantity: 1, revenue: 100, cost: null, manager: EVIL }],
  interactions: [],
  settlements: [],
  deals: [],
  propertyDefinitions: [{ entity: 'partners', name: EVIL, type: 'string' }],
  segments: [{ id: EVIL_SEGMENT, kind: 'partner', method: 'manual', rule: null, sql: null, parameters: {} }],
  segmentMembers: [{ segmentId: EVIL_SEGMENT, memberId: 'percent' }],
  partnerScores: [],
};

describe.each(ENGINES)('rule injection on $name', (engine) => {
  let db: Database;
  let catalog: RuleCatalog;
  beforeAll(async () => {
    db = await engine.create();
    await loadWorld(db, WORLD);
    catalog = await loadRuleCatalog(db);
  });
  afterAll(async () => db?.close());

  const members = (rule: unknown) => selectMembers(db, rule, { catalog, kind: 'partner', asOf: '2025-02-01' });
  const sqlOf = (rule: unknown) => compileRule(rule, { dialect: db.dialect, catalog, kind: 'partner', asOf: '2025-02-01' }).sql;
  const stillThere = async () => {
    expect(await db.query('SELECT COUNT(*) AS n FROM partners')).toEqual([{ n: 3 }]);
    expect(await db.query('SELECT COUNT(*) AS n FROM segment_members')).toEqual([{ n: 1 }]);
  };

  it('refuses attribute, measure and operator names that are not in the registry', async () => {
    for (const rule of [
      { attr: 'name = name; DROP TABLE partners; --', op: 'filled' },
      { attr: "name' OR '1'='1", op: 'eq', value: 'x' },
      { measure: 'sales.revenue) FROM sales; --', op: 'gt', value: 1 },
      { attr: 'name', op: "eq' OR 1=1 --", value: 'x' },
      { measure: 'sales.revenue', where: { [EVIL]: 'x' }, op: 'gt', value: 0 },
    ]) {
      expect(() => sqlOf(rule), JSON.stringify(rule)).toThrow(AppError);
    }
    await stillThere();
  });

  it('binds property names, values, ids and segment ids; they match exactly and never enter the SQL', async () => {
    const cases: [unknown, string[]][] = [
      [{ attr: `properties.${EVIL}`, op: 'eq', value: 'yes' }, ["o'neil"]],
      [{ attr: 'name', op: 'eq', value: "O'Neil'; DROP TABLE partners; --" }, ["o'neil"]],
      [{ attr: 'id', op: 'in', value: ["o'neil", "'; DELETE FROM partners; --"] }, ["o'neil"]],
      [{ attr: 'region', op: 'notInHierarchy', value: EVIL }, ["o'neil", 'percent', 'plain']],
      [{ inSegment: EVIL_SEGMENT }, ['percent']],
      [{ measure: 'sales.revenue', where: { manager: EVIL, product: "tea'1" }, op: 'eq', value: 100 }, ["o'neil"]],
      // Wildcards in contains / beginsWith are literal text; in like they are wildcards.
      [{ attr: 'name', op: 'contains', value: '100%' }, ['percent']],
      [{ attr: 'name', op: 'contains', value: 'Tea_Co' }, ['percent']],
      [{ attr: 'name', op: 'beginsWith', value: "o'neil'; drop" }, ["o'neil"]],
      [{ attr: 'name', op: 'like', value: '100_Tea%' }, ['plain']],
      [{ attr: 'name', op: 'like', value: '100\\% tea\\_co' }, ['percent']],
    ];
    for (const [rule, expected] of cases) {
      expect(await members(rule), JSON.stringify(rule)).toEqual(expected);
      const sql = sqlOf(rule);
      for (const secret of ['DROP', 'DELETE', "o'neil", 'Tea_Co', '100%', 'yes']) expect(sql, JSON.stringify(rule)).not.toContain(secret);
    }
    await stillThere();
  });

  it('refuses an evaluation date that is not a date', () => {
    expect(() => compileRule({ all: [] }, { dialect: db.dialect, catalog, kind: 'partner', asOf: "2025-01-01'; DROP TABLE partners; --" })).toThrow(/asOf must be a date/);
  });

  it('accepts only dotted identifiers as score names', () => {
    const scores = new ScoreRegistry();
    expect(() => scores.register({ name: "rfm.r'; DROP TABLE partner_scores; --", description: '' })).toThrow(/dotted identifier/);
    scores.register({ name: 'matrix.activity', description: 'activity' });
    expect(scores.has('matrix.activity')).toBe(true);
  });
});
