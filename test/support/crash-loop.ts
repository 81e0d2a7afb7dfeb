/**
 * The crash loop of issue 23 / issue 14 defect 4, shared by test/crash-loop.test.ts (32
 * kills in CI, each operation in turn) and `npm run soak` (1,000, a random mix): a child process refreshes, rebuilds, imports and deletes
 * segments over a small demo and is killed with SIGKILL at a random moment; after each kill the
 * file must open, and every segment must hold exactly one of the compositions its rule gives
 * on the two evaluation dates (or be empty and never generated, when it was deleted and
 * recreated), with history that replays to it, no duplicate memberships, and indexes that find
 * every row (imports of sale lines write the indexed facts).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadDemo } from '../../src/demo/index.js';
import { historyMismatches, duplicateMemberships } from '../../src/domain/health/doctor.js';
import { staleIndexes } from '../../src/domain/health/index-check.js';
import { membersQuery } from '../../src/domain/segments/membership-source.js';
import { getSegment, listSegments } from '../../src/domain/segments/segments.repository.js';
import { createDemoSegments } from '../../src/demo/index.js';
import { createServices } from '../../src/app/services.js';
import type { SegmentInput } from '../../src/domain/segments/segment.schema.js';
import type { Database } from '../../src/storage/database.js';
import { DuckDBDatabase } from '../../src/storage/duckdb-database.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { childCommand } from './bundled-child.js';

/**
 * What the child does, each in a loop until it is killed: batch refreshes, single rebuilds,
 * partner imports, and segment deletes (each followed, in the next round, by the segment
 * created again).
 */
export const CRASH_LOOP_OPERATIONS = ['refresh', 'rebuild', 'import', 'delete'] as const;
export type CrashLoopOperation = (typeof CRASH_LOOP_OPERATIONS)[number];

export interface CrashLoopCounts {
  kills: number;
  /** The file opened without recovery. */
  opens: number;
  /** It opened only after its log was moved aside. */
  recovered: number;
  /** It did not open at all. */
  unopenable: number;
  /** Segments found in neither their old nor their new state, or with history that disagrees. */
  torn: number;
  /** Secondary indexes that miss rows a scan finds (index-check.ts). */
  staleIndexes: number;
  /** Children that ended before the kill (a failure in the child). */
  childFailures: number;
  /**
   * Kills by what the child was doing when it died: an operation, a rebuild's stage
   * (`rebuild:history`…), `start` (before its first operation), or `after:<operation>` (it had
   * just finished one).
   */
  killedIn: Record<string, number>;
  problems: string[];
}

export interface Plan {
  ids: string[];
  dates: string[];
  definitions: SegmentInput[];
  partners: string[];
  products: string[];
  /** A day after both evaluation dates: sale lines imported by the child carry it, so no composition changes. */
  laterDate: string;
  /** segment id → the sorted member lists its rule gives on each date. */
  expected: Record<string, string[][]>;
}

/** What a child is given: the plan without the expected compositions, and the one operation it does, if any. */
export type ChildPlan = Omit<Plan, 'expected'> & { only?: CrashLoopOperation };

const idsOf = async (db: Database, sql: string, params: readonly (string | number)[] = []): Promise<string[]> => (await db.query<{ id: string }>(sql, params)).map((r) => String(r.id)).sort();

/** A small demo and the partner segments (reading no other segment) the loop works on. */
export async function prepareCrashLoop(path: string, options: { partners?: number; segments?: number } = {}): Promise<Plan> {
  const db = await openDatabase({ path, url: '' });
  try {
    const demo = await loadDemo(db, { seed: 23, partners: options.partners ?? 400 });
    await createDemoSegments(createServices(db).segments, { generate: false });
    const candidates = (await listSegments(db, { method: 'periodic', archived: false })).filter(
      (s) => s.kind === 'partner' && s.sql === null && s.rule && !/segment/i.test(JSON.stringify(s.rule)) && !s.checkOnCreate,
    );
    const chosen = candidates.slice(0, options.segments ?? 8);
    const day = new Date(`${demo.today}T00:00:00Z`);
    const dates = [demo.today, new Date(day.getTime() - 240 * 86_400_000).toISOString().slice(0, 10)];
    const expected: Record<string, string[][]> = {};
    for (const segment of chosen) {
      expected[segment.id] = [];
      for (const asOf of dates) {
        const source = await membersQuery(db, segment, asOf);
        expected[segment.id]!.push('ids' in source ? [...source.ids].sort() : await idsOf(db, `SELECT DISTINCT id FROM (${source.sql}) q`, source.params as (string | number)[]));
      }
    }
    const definitions = chosen.map(({ id, kind, name, description, method, rule, sql, parameters, schedule, checkOnCreate, competitors, archived }) => ({
      id,
      kind,
      name,
      description,
      method,
      rule,
      sql,
      parameters,
      schedule,
      checkOnCreate,
      competitors,
      archived,
    })) as SegmentInput[];
    const partners = await idsOf(db, 'SELECT id FROM partners ORDER BY id LIMIT 200');
    const products = await idsOf(db, 'SELECT id FROM products ORDER BY id LIMIT 20');
    const laterDate = new Date(day.getTime() + 400 * 86_400_000).toISOString().slice(0, 10);
    await db.checkpoint();
    return { ids: chosen.map((s) => s.id), dates, definitions, partners, products, laterDate, expected };
  } finally {
    await db.close();
  }
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Checks the file after a kill; returns the problems found (none: whole). */
export async function checkAfterKill(path: string, plan: Plan, counts: CrashLoopCounts): Promise<void> {
  let db: Database;
  try {
    db = await openDatabase({ path, url: '', warn: () => undefined });
  } catch (error) {
    counts.unopenable++;
    counts.problems.push(`kill ${counts.kills}: the file did not open: ${(error as Error).message.split('\n')[0]}`);
    throw error;
  }
  if (db instanceof DuckDBDatabase && db.walRecovery) counts.recovered++;
  else counts.opens++;
  try {
    const torn = new Set<string>();
    for (const m of await historyMismatches(db)) if (plan.ids.includes(m.segmentId)) torn.add(`${m.segmentId} (history disagrees)`);
    if ((await duplicateMemberships(db)) > 0) torn.add('duplicate memberships');
    for (const id of plan.ids) {
      const exists = await db.query('SELECT 1 FROM segments WHERE id = $1', [id]);
      if (!exists.length) continue;
      const members = await idsOf(db, 'SELECT member_id AS id FROM segment_members WHERE segment_id = $1', [id]);
      const generated = await db.query("SELECT 1 FROM segment_runs WHERE segment_id = $1 AND status = 'ok'", [id]);
      const whole = plan.expected[id]!.some((list) => same(members, list)) || (members.length === 0 && generated.length === 0);
      if (!whole) torn.add(`${id} (${members.length} members: neither old nor new)`);
    }
    counts.torn += torn.size;
    for (const t of torn) counts.problems.push(`kill ${counts.kills}: ${t}`);
    // A close after an earlier kill's replayed log could have written an index without its rows.
    for (const stale of await staleIndexes(db)) {
      counts.staleIndexes++;
      counts.problems.push(`kill ${counts.kills}: index ${stale.index} misses rows (${stale.keysMissingRows} of ${stale.keysChecked} keys)`);
    }
    await getSegment(db, plan.ids[0]!).catch(() => undefined);
  } finally {
    await db.close();
  }
}

/**
 * Starts the child (doing only `only` when given, a random mix otherwise) and kills it `delayMs`
 * after it is ready; resolves when it is gone, with what it was doing then (the last `doing`
 * line it printed, or `after:<operation>` when the last line was that operation's `done`).
 *
 * When the child does only one operation, a kill whose delay ends outside it waits for the
 * operation's next start and comes at a random moment of its usual length (measured from the
 * child's `doing`/`done` lines). A short operation such as a delete would otherwise be hit only
 * when the delay happened to fall in its few milliseconds, between longer recreates.
 */
function runAndKill(
  command: readonly string[],
  path: string,
  plan: Plan,
  delayMs: number,
  only: CrashLoopOperation | undefined,
): Promise<{ killed: true; doing: string } | { killed: false; failure: string }> {
  return new Promise((resolve) => {
    const { expected: _expected, ...childPlan } = plan;
    const child = spawn(process.execPath, [...command, path, JSON.stringify({ ...childPlan, only })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let pending = '';
    let last = 'start';
    let startedAt = 0;
    const lengths: number[] = [];
    let ready = false;
    let aiming = false;
    let timer: NodeJS.Timeout | undefined;
    const kill = () => child.kill('SIGKILL');
    const inOnly = () => only !== undefined && (last === only || last.startsWith(`${only}:`));
    /** A random moment of the operation's usual length (the median so far; 1 ms before any). */
    const aimedDelay = () => {
      const sorted = [...lengths].sort((a, b) => a - b);
      return Math.random() * (sorted[Math.floor(sorted.length / 2)] ?? 1);
    };
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const event = /^(doing|done) (\S+)$/.exec(line);
        if (line === 'ready' && !ready) {
          ready = true;
          timer = setTimeout(() => {
            if (only === undefined || inOnly()) kill();
            else aiming = true;
          }, delayMs);
        } else if (event?.[1] === 'doing') {
          last = event[2]!;
          if (last === only) startedAt = performance.now();
          if (aiming && last === only) {
            aiming = false;
            timer = setTimeout(kill, aimedDelay());
          }
        } else if (event?.[1] === 'done') {
          if (event[2] === only) lengths.push(performance.now() - startedAt);
          last = `after:${event[2]!}`;
        }
      }
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL' ? { killed: true, doing: last } : { killed: false, failure: `the child ended on its own: ${stderr.slice(-800)}` });
    });
  });
}

export interface CrashLoopOptions {
  /** Kills come at a random moment up to this long after the child is ready. */
  readonly maxDelayMs?: number;
  /**
   * Each round's child does one operation only, in turn (refresh, rebuild, import, delete,
   * refresh, …), so that a short loop kills every one of them equally often. Otherwise each
   * child does a random mix.
   */
  readonly inTurn?: boolean;
  /**
   * Rounds run this many at once (default 1), each chain of rounds on its own copy of the
   * prepared file: a round mostly waits (the child's start, the delay before its kill), so two
   * chains take about half the time. With `inTurn` each chain does the operations in turn.
   */
  readonly chains?: number;
  readonly log?: (line: string) => void;
}

/** Runs `kills` kill-and-check rounds on the prepared file (and copies of it, with `chains`). */
export async function runCrashLoop(path: string, plan: Plan, kills: number, options: CrashLoopOptions = {}): Promise<CrashLoopCounts> {
  const counts: CrashLoopCounts = { kills: 0, opens: 0, recovered: 0, unopenable: 0, torn: 0, staleIndexes: 0, childFailures: 0, killedIn: {}, problems: [] };
  const command = await childCommand('test/fixtures/crash-loop-child.ts', dirname(path));
  const chains = Math.max(1, options.chains ?? 1);
  // prepareCrashLoop checkpoints and closes the file: a copy of it is whole, with no log beside it.
  const paths = [path, ...Array.from({ length: chains - 1 }, (_, c) => `${path}.chain-${c + 2}`)];
  for (const copy of paths.slice(1)) copyFileSync(path, copy);
  let rounds = 0;
  const runChain = async (file: string, chain: number) => {
    for (let i = chain, round = 0; i < kills; i += chains, round++) {
      const only = options.inTurn ? CRASH_LOOP_OPERATIONS[round % CRASH_LOOP_OPERATIONS.length] : undefined;
      const outcome = await runAndKill(command, file, plan, Math.floor(Math.random() * (options.maxDelayMs ?? 1500)), only);
      if (outcome.killed) {
        counts.kills++;
        counts.killedIn[outcome.doing] = (counts.killedIn[outcome.doing] ?? 0) + 1;
      } else {
        counts.childFailures++;
        counts.problems.push(outcome.failure);
      }
      if (!existsSync(file)) throw new Error(`${file} is gone`);
      await checkAfterKill(file, plan, counts);
      rounds++;
      options.log?.(`${rounds}/${kills}: kills ${counts.kills}, opens ${counts.opens}, recovered ${counts.recovered}, unopenable ${counts.unopenable}, torn ${counts.torn}`);
    }
  };
  await Promise.all(paths.map((file, chain) => runChain(file, chain)));
  return counts;
}

/**
 * How many kills hit each operation (a rebuild's stages added up), in CRASH_LOOP_OPERATIONS
 * order, then `recreate` (a deleted segment created again), `start` (before any operation) and
 * `after` (between an operation's end and the next step).
 */
export function killsByOperation(counts: CrashLoopCounts): Record<string, number> {
  const by: Record<string, number> = Object.fromEntries([...CRASH_LOOP_OPERATIONS, 'recreate', 'start', 'after'].map((op) => [op, 0]));
  for (const [doing, n] of Object.entries(counts.killedIn)) {
    const op = doing.split(':')[0]!;
    by[op] = (by[op] ?? 0) + n;
  }
  return by;
}
