/**
 * Issue 18: kills (SIGKILL) at random moments of generations and of delivery runs lose no event
 * and duplicate none beyond the documented retry (a message sent again with its same
 * webhook-id). A DuckDB file with a small demo and segments a subscription watches; children in
 * turn regenerate them on alternating dates (entries and exits) or deliver to a receiver on
 * 127.0.0.1 that answers slowly (so kills land between sending and recording), each killed at
 * a random moment. Then one last delivery run, and the check: every event the history says
 * happened reached the receiver under exactly one webhook-id with a valid signature.
 * EVENTS_CRASH_KILLS changes the number of kills (100). They run in two chains at once, each on
 * its own copy of the file with its own receiver (half the kills each): a child mostly waits (on
 * its start, the slow receiver, the kill), so two at a time take about half the time.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServices } from '../src/app/services.js';
import { eventId } from '../src/domain/segments/outbox.js';
import { openDatabase } from '../src/storage/open-database.js';
import { childCommand } from './support/bundled-child.js';
import { prepareCrashLoop } from './support/crash-loop.js';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const KILLS = Number(process.env.EVENTS_CRASH_KILLS ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'segmenta-events-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Starts a child and kills it at a random step: after `steps` of its `doing` lines (so that the
 * steps before it finished) and a random 0–20 ms more, inside the next one.
 */
function runAndKill(command: readonly string[], path: string, plan: object, steps: number): Promise<{ killed: boolean; doing: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...command, path, JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!timer && [...stdout.matchAll(/^doing /gm)].length >= steps) timer = setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 20));
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      const doing = [...stdout.matchAll(/^doing (\S+)$/gm)].at(-1)?.[1] ?? 'start';
      resolve({ killed: signal === 'SIGKILL', doing, stderr: stderr.slice(-800) });
    });
  });
}

/** One chain: its copy of the file, watched by a subscription that delivers to its own receiver. */
interface Chain {
  readonly path: string;
  readonly receiver: WebhookReceiver;
  /** When the subscription was made: the history since then is what must reach the receiver. */
  readonly since: string;
}

async function startChain(path: string, ids: readonly string[], secretKey: string): Promise<Chain> {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startReceiver(secret);
  receiver.delayMs = 30;
  const db = await openDatabase({ path, url: '' });
  try {
    await createServices(db, { events: { secretKey } }).subscriptions.create({
      id: 'watch',
      name: 'watch',
      segmentIds: [...ids],
      eventTypes: ['segment.member.entered', 'segment.member.left'],
      skipFirstGeneration: false,
      batchSize: 25,
      enabled: true,
      action: { kind: 'webhook', url: receiver.url, secret },
    });
    const since = (await db.query<{ at: string }>("SELECT created_at AS at FROM event_subscriptions WHERE id = 'watch'"))[0]!.at;
    return { path, receiver, since };
  } finally {
    await db.close();
  }
}

/** The last delivery run of a chain's file, then the check of everything its receiver got. */
async function checkChain({ path, receiver, since }: Chain, secretKey: string): Promise<void> {
  const db = await openDatabase({ path, url: '', warn: () => undefined });
  try {
    const services = createServices(db, { events: { secretKey, allowTargets: ['127.0.0.1'], dispatcher: { retrySchedule: [0, 0, 0, 0, 0, 0, 0, 0] } } });
    await services.dispatcher.releaseStaleClaims();
    await services.dispatcher.runOnce();
    expect(await db.query("SELECT status, COUNT(*) AS n FROM event_deliveries WHERE status <> 'delivered' GROUP BY status")).toEqual([]);
    expect(await db.query('SELECT COUNT(*) AS n FROM segment_changes WHERE NOT dispatched')).toEqual([{ n: 0 }]);

    // The history (written in the same transactions) is what happened: an event for each of its rows since the subscription.
    const history = await db.query<{ segment_id: string; member_id: string; event: string }>(
      'SELECT segment_id, member_id, event FROM segment_history WHERE occurred_at >= CAST($1 AS TIMESTAMP) ORDER BY segment_id, member_id, event',
      [since],
    );
    const outbox = await db.query<{ segment_id: string; version: number; transition: string; member_id: string }>(
      'SELECT segment_id, version, transition, member_id FROM segment_events ORDER BY segment_id, member_id, transition',
    );
    expect(outbox.map((e) => `${e.segment_id}|${e.member_id}|${e.transition}`)).toEqual(history.map((h) => `${h.segment_id}|${h.member_id}|${h.event}`));
    expect(history.length).toBeGreaterThan(20);

    // Each event reached the receiver, under exactly one webhook-id, every request signed.
    expect(receiver.requests.every((r) => r.valid)).toBe(true);
    const received = receiver.eventIds();
    const expected = outbox.map((e) => eventId(e.segment_id, Number(e.version), e.transition, e.member_id)).sort();
    expect([...received.keys()].sort()).toEqual(expected);
    const inTwoMessages = [...received].filter(([, messages]) => messages.size !== 1);
    expect(inTwoMessages).toEqual([]);
    const resent = receiver.requests.length - receiver.accepted.size;
    console.log(`[events crash] ${path}: ${expected.length} events in ${receiver.accepted.size} messages; ${resent} requests repeated a webhook-id (the documented retry)`);
  } finally {
    await db.close();
  }
}

describe('segment events under kills, on duckdb', () => {
  it(`lose no event and duplicate none beyond a retry with the same webhook-id, over ${KILLS} kills`, { timeout: 1_500_000 }, async () => {
    const first = join(dir, 'events-1.duckdb');
    const second = join(dir, 'events-2.duckdb');
    const plan = await prepareCrashLoop(first, { partners: 200, segments: 4 });
    // prepareCrashLoop checkpoints and closes: the file is whole, with no log beside it.
    copyFileSync(first, second);
    const secretKey = randomBytes(32).toString('base64');
    const chains: Chain[] = [];
    try {
      for (const path of [first, second]) chains.push(await startChain(path, plan.ids, secretKey));
      const command = await childCommand('test/fixtures/events-crash-child.ts', dir);
      const killedIn: Record<string, number> = {};
      const failures: string[] = [];
      // Kills 0, 2, 4 … go to the first chain, 1, 3, 5 … to the second; each chain alternates generations and deliveries.
      const runChain = async (chain: Chain, offset: number) => {
        for (let i = offset; i < KILLS; i += chains.length) {
          const only = Math.floor(i / chains.length) % 2 === 0 ? 'generate' : 'deliver';
          const outcome = await runAndKill(command, chain.path, { ids: plan.ids, dates: plan.dates, only, secretKey }, 1 + Math.floor(Math.random() * (only === 'generate' ? 6 : 10)));
          if (outcome.killed) killedIn[outcome.doing] = (killedIn[outcome.doing] ?? 0) + 1;
          else failures.push(outcome.stderr);
        }
      };
      await Promise.all(chains.map((chain, offset) => runChain(chain, offset)));
      const requests = chains.reduce((sum, chain) => sum + chain.receiver.requests.length, 0);
      console.log(`[events crash] ${KILLS} kills in ${JSON.stringify(killedIn)}; ${requests} requests`);
      expect(failures).toEqual([]);
      const during = (prefix: string) => Object.entries(killedIn).reduce((sum, [doing, n]) => sum + (doing.startsWith(prefix) ? n : 0), 0);
      expect(during('deliver')).toBeGreaterThanOrEqual(KILLS / 4);
      expect(during('generate')).toBeGreaterThanOrEqual(KILLS / 4);
      // Some kills fell between a message sent and its outcome recorded.
      if (KILLS >= 50) expect(killedIn['deliver:sending'] ?? 0).toBeGreaterThan(0);

      // The last run of each file: everything left goes out, and each receiver got its file's events.
      for (const chain of chains) await checkChain(chain, secretKey);
    } finally {
      for (const chain of chains) await chain.receiver.close();
    }
  });
});
