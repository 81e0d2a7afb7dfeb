/**
 * Issue 18: kills (SIGKILL) at random moments of generations and of delivery runs lose no event
 * and duplicate none beyond the documented retry (a message sent again with its same
 * webhook-id). A DuckDB file with a small demo and segments a subscription watches; children in
 * turn regenerate them on alternating dates (entries and exits) or deliver to a receiver on
 * 127.0.0.1 that answers slowly (so kills land between sending and recording), each killed at
 * a random moment. Then one last delivery run, and the check: every event the history says
 * happened reached the receiver under exactly one webhook-id with a valid signature.
 * EVENTS_CRASH_KILLS changes the number of kills (100).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServices } from '../src/app/services.js';
import { eventId } from '../src/domain/segments/outbox.js';
import { openDatabase } from '../src/storage/open-database.js';
import { childCommand } from './support/bundled-child.js';
import { prepareCrashLoop } from './support/crash-loop.js';
import { startReceiver } from './support/webhook-receiver.js';

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

describe('segment events under kills, on duckdb', () => {
  it(`lose no event and duplicate none beyond a retry with the same webhook-id, over ${KILLS} kills`, { timeout: 1_500_000 }, async () => {
    const path = join(dir, 'events.duckdb');
    const plan = await prepareCrashLoop(path, { partners: 200, segments: 4 });
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const secretKey = randomBytes(32).toString('base64');
    const receiver = await startReceiver(secret);
    receiver.delayMs = 30;
    try {
      let db = await openDatabase({ path, url: '' });
      await createServices(db, { events: { secretKey } }).subscriptions.create({
        id: 'watch',
        name: 'watch',
        segmentIds: plan.ids,
        eventTypes: ['segment.member.entered', 'segment.member.left'],
        skipFirstGeneration: false,
        batchSize: 25,
        enabled: true,
        action: { kind: 'webhook', url: receiver.url, secret },
      });
      const since = (await db.query<{ at: string }>("SELECT created_at AS at FROM event_subscriptions WHERE id = 'watch'"))[0]!.at;
      await db.close();

      const command = await childCommand('test/fixtures/events-crash-child.ts', dirname(path));
      const killedIn: Record<string, number> = {};
      const failures: string[] = [];
      for (let i = 0; i < KILLS; i++) {
        const only = i % 2 === 0 ? 'generate' : 'deliver';
        const outcome = await runAndKill(command, path, { ids: plan.ids, dates: plan.dates, only, secretKey }, 1 + Math.floor(Math.random() * (only === 'generate' ? 6 : 10)));
        if (outcome.killed) killedIn[outcome.doing] = (killedIn[outcome.doing] ?? 0) + 1;
        else failures.push(outcome.stderr);
      }
      console.log(`[events crash] ${KILLS} kills in ${JSON.stringify(killedIn)}; ${receiver.requests.length} requests`);
      expect(failures).toEqual([]);
      const during = (prefix: string) => Object.entries(killedIn).reduce((sum, [doing, n]) => sum + (doing.startsWith(prefix) ? n : 0), 0);
      expect(during('deliver')).toBeGreaterThanOrEqual(KILLS / 4);
      expect(during('generate')).toBeGreaterThanOrEqual(KILLS / 4);
      // Some kills fell between a message sent and its outcome recorded.
      if (KILLS >= 50) expect(killedIn['deliver:sending'] ?? 0).toBeGreaterThan(0);

      // The last run: everything left goes out.
      db = await openDatabase({ path, url: '', warn: () => undefined });
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
        console.log(`[events crash] ${expected.length} events in ${receiver.accepted.size} messages; ${resent} requests repeated a webhook-id (the documented retry)`);
      } finally {
        await db.close();
      }
    } finally {
      await receiver.close();
    }
  });
});
