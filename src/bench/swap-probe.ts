/**
 * A probe, not product code (docs/benchmarks.md "Incremental pass, session 13: the swap side"):
 * the incremental pass of section `incremental` with every statement it sends timed in process
 * CPU (DuckDB's threads are in-process), on a copy of a prepared demo.
 *
 *   npx tsx src/bench/swap-probe.ts prepare <demo .duckdb> <prepared .duckdb>
 *       the section's 100 segments created and refreshed, its 50k new lines imported
 *   npx tsx src/bench/swap-probe.ts pass <prepared .duckdb>
 *       a copy of it, its columns read once (warm, as the section leaves them), the pass traced
 *   npx tsx src/bench/swap-probe.ts variants <prepared .duckdb>
 *       other SQL shapes of the swap's statements, each against today's in one process (who
 *       left and the new compositions synthetic: 5 % of the stored rows leave, 50 partners enter)
 */
import { readFileSync } from 'node:fs';
import { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { createServices } from '../app/services.js';
import { refreshSegments } from '../domain/segments/batch-refresh.js';
import { importData } from '../import/importer.js';
import { DuckDBDatabase } from '../storage/duckdb-database.js';
import { migrate } from '../storage/migrate.js';
import { changedPartnersAndProducts, copyDuckDBFile, newSaleLinesCsv, removeDuckDBFile } from './new-sale-lines.js';
import { readVocabulary, realisticSegments } from './segment-templates.js';

const PREFIX = 'bench-incr-';
const NEW_LINES = 50_000;
const CHANGED = 10_000;

async function asOfOf(db: DuckDBDatabase): Promise<string> {
  const [{ d } = { d: '' }] = await db.query<{ d: string }>('SELECT CAST(MAX(date) AS VARCHAR) AS d FROM sales');
  return d;
}

async function prepare(demo: string, prepared: string): Promise<void> {
  removeDuckDBFile(prepared);
  copyDuckDBFile(demo, prepared);
  const db = await DuckDBDatabase.open(prepared);
  try {
    await migrate(db);
    const asOf = await asOfOf(db);
    const segments = realisticSegments(100, await readVocabulary(db), 1, PREFIX);
    const services = createServices(db);
    for (const segment of segments) await services.segments.create(segment);
    await refreshSegments(
      db,
      segments.map((s) => s.id),
      { trigger: 'cli', asOf },
    );
    const { partners, products } = await changedPartnersAndProducts(db, CHANGED);
    await importData(db, [newSaleLinesCsv(partners, products, asOf, NEW_LINES, PREFIX)], { entity: 'sales', format: 'csv' });
    await db.run('CHECKPOINT');
  } finally {
    await db.close();
  }
}

interface Timing {
  sql: string;
  cpu: number;
  wall: number;
}
const timings: Timing[] = [];
let depth = 0;

/** Every statement sent through the driver timed (nested calls counted once). */
function hookDriver(): void {
  const wrap = (proto: Record<string, unknown>, name: string, textOf: (args: unknown[]) => string) => {
    const original = proto[name] as (...args: unknown[]) => Promise<unknown>;
    proto[name] = async function (this: unknown, ...args: unknown[]) {
      if (depth > 0) return original.apply(this, args);
      depth++;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        const c = process.cpuUsage(c0);
        timings.push({ sql: textOf(args), cpu: (c.user + c.system) / 1000, wall: performance.now() - t0 });
        depth--;
      }
    };
  };
  const proto = DuckDBConnection.prototype as unknown as Record<string, unknown>;
  wrap(proto, 'run', (args) => String(args[0]));
  wrap(proto, 'runAndReadAll', (args) => String(args[0]));
  // Statements with parameters on the database's own connection (their text is not kept).
  wrap(DuckDBPreparedStatement.prototype as unknown as Record<string, unknown>, 'runAndReadAll', () => '(a prepared statement)');
}

const short = (text: string) => text.replaceAll(/\s+/g, ' ').slice(0, 150);

async function pass(prepared: string): Promise<void> {
  const path = `${prepared}.pass-${process.pid}.duckdb`;
  copyDuckDBFile(prepared, path);
  const db = await DuckDBDatabase.open(path);
  try {
    const asOf = await asOfOf(db);
    const ids = (await db.query<{ id: string }>(`SELECT id FROM segments WHERE id LIKE '${PREFIX}%' ORDER BY id`)).map((r) => r.id);
    // Warm: the columns the section's full batch and reference read before its pass.
    await db.query('SELECT COUNT(*), MAX(segment_id), MAX(member_id), MAX(added_at) FROM segment_members');
    await db.query('SELECT COUNT(*), SUM(revenue), MAX(document), MAX(product_id), MAX(partner_id), MAX(date), SUM(quantity), SUM(cost) FROM sales');
    hookDriver();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await refreshSegments(db, ids, { trigger: 'cli', asOf, mode: 'incremental' });
    const c = process.cpuUsage(c0);
    const total = { cpu: (c.user + c.system) / 1000, wall: performance.now() - t0 };
    const failed = result.segments.filter((s) => s.status !== 'ok');
    if (failed.length) throw new Error(`failed: ${failed.map((f) => f.error).join('; ')}`);
    const inStatements = timings.reduce((s, t) => s + t.cpu, 0);
    console.log(`load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    console.log(`pass: cpu ${total.cpu.toFixed(0)} ms, wall ${total.wall.toFixed(0)} ms; ${timings.length} statements, ${inStatements.toFixed(0)} ms cpu inside them; partners ${result.partners}`);
    for (const t of [...timings].sort((a, b) => b.cpu - a.cpu).slice(0, Number(process.env.TOP ?? 25))) {
      console.log(`${t.cpu.toFixed(0).padStart(6)} ms cpu ${t.wall.toFixed(0).padStart(6)} ms wall  ${short(t.sql)}`);
    }
    // What the pass left, to compare runs of two versions of the code.
    const [sig] = await db.query<{ n: number; h: string }>(
      `SELECT COUNT(*) AS n, CAST(SUM(hash(segment_id || ':' || member_id)) AS VARCHAR) AS h FROM segment_members WHERE segment_id LIKE '${PREFIX}%'`,
    );
    const [hist] = await db.query<{ n: number; h: string }>(
      `SELECT COUNT(*) AS n, CAST(SUM(hash(segment_id || ':' || member_id || ':' || event)) AS VARCHAR) AS h FROM segment_history WHERE segment_id LIKE '${PREFIX}%'`,
    );
    console.log(`memberships ${sig?.n} ${sig?.h}; history ${hist?.n} ${hist?.h}`);
  } finally {
    await db.close();
    removeDuckDBFile(path);
  }
}

/** Other shapes of the swap's statements, timed in CPU against today's, on a copy of the prepared demo. */
async function variants(prepared: string): Promise<void> {
  const path = `${prepared}.variants-${process.pid}.duckdb`;
  copyDuckDBFile(prepared, path);
  const db = await DuckDBDatabase.open(path);
  try {
    await db.session(async (s) => {
      const cpu = async (label: string, statement: string, rollback = false) => {
        if (rollback) await s.run('BEGIN');
        const c0 = process.cpuUsage();
        await s.run(statement);
        const c = process.cpuUsage(c0);
        if (rollback) await s.run('ROLLBACK');
        console.log(`${label.padEnd(60)} cpu ${((c.user + c.system) / 1000).toFixed(0).padStart(5)} ms`);
      };
      console.log(`load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
      await s.run('CREATE TEMPORARY TABLE refresh_dirty AS SELECT DISTINCT partner_id FROM partner_changes WHERE partner_id IS NOT NULL');
      // 71 of the 100 segments, as the section's pass swaps (the others read no sale line).
      await s.run(`CREATE TEMPORARY TABLE refresh_runs AS SELECT id AS segment_id FROM segments WHERE id LIKE '${PREFIX}%' ORDER BY hash(id) LIMIT 71`);
      await s.query('SELECT COUNT(*), MAX(segment_id), MAX(member_id) FROM segment_members');
      const stored =
        'SELECT m.rowid AS row_id, m.segment_id, m.member_id FROM segment_members m JOIN refresh_runs r ON r.segment_id = m.segment_id WHERE m.member_id IN (SELECT d.partner_id FROM refresh_dirty d)';
      await s.run(`CREATE TEMPORARY TABLE refresh_stored AS ${stored}`);
      await s.run(
        'CREATE TEMPORARY TABLE refresh_new AS SELECT segment_id, member_id FROM refresh_stored WHERE hash(member_id || segment_id) % 20 <> 0 UNION ALL ' +
          'SELECT r.segment_id, d.partner_id FROM refresh_runs r, (SELECT partner_id FROM refresh_dirty ORDER BY hash(partner_id) LIMIT 50) d ' +
          'WHERE NOT EXISTS (SELECT 1 FROM refresh_stored x WHERE x.segment_id = r.segment_id AND x.member_id = d.partner_id)',
      );
      await s.run('CREATE TEMPORARY TABLE refresh_left AS SELECT * FROM refresh_stored WHERE hash(member_id || segment_id) % 20 = 0');
      const notIn = (a: string, b: string) => `NOT EXISTS (SELECT 1 FROM ${b} x WHERE x.segment_id = ${a}.segment_id AND x.member_id = ${a}.member_id)`;
      for (let round = 1; round <= 3; round++) {
        console.log(`--- round ${round}`);
        await cpu('stored: today (JOIN runs, member_id IN dirty)', `CREATE OR REPLACE TEMPORARY TABLE v AS ${stored}`);
        await cpu(
          'stored: no segment filter',
          'CREATE OR REPLACE TEMPORARY TABLE v AS SELECT rowid AS row_id, segment_id, member_id FROM segment_members WHERE member_id IN (SELECT partner_id FROM refresh_dirty)',
        );
        await cpu(
          'stored: rowid and member_id only',
          'CREATE OR REPLACE TEMPORARY TABLE v AS SELECT rowid AS row_id, member_id FROM segment_members WHERE member_id IN (SELECT partner_id FROM refresh_dirty)',
        );
        await cpu('stored: a COUNT only', 'CREATE OR REPLACE TEMPORARY TABLE v AS SELECT COUNT(*) FROM segment_members WHERE member_id IN (SELECT partner_id FROM refresh_dirty)');
        await cpu('decoding member_id alone: MAX(length(member_id))', 'CREATE OR REPLACE TEMPORARY TABLE v AS SELECT MAX(length(member_id)) FROM segment_members');
        await cpu(
          '... rowid BETWEEN 1M AND 1.1M (pushed into the scan)',
          'CREATE OR REPLACE TEMPORARY TABLE v AS SELECT MAX(length(member_id)) FROM segment_members WHERE rowid BETWEEN 1000000 AND 1100000',
        );
        await cpu('... rowid IN (who left)', 'CREATE OR REPLACE TEMPORARY TABLE v AS SELECT MAX(length(member_id)) FROM segment_members WHERE rowid IN (SELECT row_id FROM refresh_left)');
        await cpu('every rowid counted', 'CREATE OR REPLACE TEMPORARY TABLE v AS SELECT COUNT(*) FROM segment_members WHERE rowid >= 0');
        await cpu('who entered: NOT EXISTS (before)', `CREATE OR REPLACE TEMPORARY TABLE v AS SELECT n.segment_id, n.member_id FROM refresh_new n WHERE ${notIn('n', 'refresh_stored')}`);
        await cpu('who left: NOT EXISTS (before)', `CREATE OR REPLACE TEMPORARY TABLE v AS SELECT m.row_id, m.segment_id, m.member_id FROM refresh_stored m WHERE ${notIn('m', 'refresh_new')}`);
        await cpu(
          'who entered and left: one full join (now)',
          'CREATE OR REPLACE TEMPORARY TABLE v AS SELECT COALESCE(n.segment_id, m.segment_id) AS segment_id, COALESCE(n.member_id, m.member_id) AS member_id, m.row_id, n.segment_id IS NULL AS gone ' +
            'FROM refresh_new n FULL JOIN refresh_stored m ON m.segment_id = n.segment_id AND m.member_id = n.member_id WHERE n.segment_id IS NULL OR m.segment_id IS NULL',
        );
        await cpu('delete: rowid IN (SELECT row_id …) (today)', 'DELETE FROM segment_members WHERE rowid IN (SELECT row_id FROM refresh_left)', true);
        await cpu('delete: USING refresh_left', 'DELETE FROM segment_members USING refresh_left l WHERE segment_members.rowid = l.row_id', true);
        await cpu('delete: one row by rowid', 'DELETE FROM segment_members WHERE rowid = 12345', true);
        await cpu('stored sizes: grouped count of every membership', 'CREATE OR REPLACE TEMPORARY TABLE v AS SELECT segment_id, COUNT(*) AS size FROM segment_members GROUP BY segment_id');
      }
    });
  } finally {
    await db.close();
    removeDuckDBFile(path);
  }
}

const [command, a, b] = process.argv.slice(2);
if (command === 'prepare' && a && b) await prepare(a, b);
else if (command === 'pass' && a) await pass(a);
else if (command === 'variants' && a) await variants(a);
else throw new Error('usage: swap-probe.ts prepare <demo> <prepared> | pass <prepared> | variants <prepared>');
