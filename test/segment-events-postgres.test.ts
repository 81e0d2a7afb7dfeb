/**
 * Issue 18 on a real PostgreSQL (DATABASE_URL): two server processes' dispatchers (two
 * connection pools, two in-process locks) working one database at once fan each change out once
 * and send each message once — their claims (`FOR UPDATE SKIP LOCKED`) never take the same row.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../src/app/services.js';
import { addMembers } from '../src/domain/segments/manual-members.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import type { Database } from '../src/storage/database.js';
import { PostgresDatabase } from '../src/storage/postgres-database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const postgres = ENGINES.find((e) => e.name === 'postgres');
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const KEY = randomBytes(32).toString('base64');

describe.skipIf(!postgres)('segment events with two processes on one PostgreSQL', () => {
  let db: Database;
  let other: Database;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    db = await postgres!.create();
    const schema = (await db.query<{ s: string }>('SELECT current_schema() AS s'))[0]!.s;
    other = await PostgresDatabase.connect(process.env.DATABASE_URL!, { schema });
    await loadSmallCompany(db);
    receiver = await startReceiver(SECRET);
    receiver.delayMs = 15;
  });
  afterAll(async () => {
    await receiver.close();
    await other.close();
    await db.close();
  });

  it('claims each change and each message once', async () => {
    const options = { events: { secretKey: KEY, allowTargets: ['127.0.0.1'], dispatcher: { retrySchedule: [0, 0, 0] } } };
    const first = createServices(db, options);
    const second = createServices(other, options);
    const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, checkOnCreate: false, competitors: [], archived: false, method: 'manual' as const, rule: null };
    const ids = Array.from({ length: 12 }, (_, i) => `s${i}`);
    for (const id of ids) await first.segments.create({ ...base, id, name: id });
    await first.subscriptions.create({
      id: 'both',
      name: 'both',
      segmentIds: ids,
      eventTypes: ['segment.member.entered', 'segment.member.left'],
      skipFirstGeneration: false,
      batchSize: 1,
      enabled: true,
      action: { kind: 'webhook', url: receiver.url, secret: SECRET },
    });
    let expected = 0;
    for (const id of ids) {
      const segment = await getSegment(db, id);
      expected += await addMembers(db, segment, ['p1', 'p2', 'p3']);
    }
    await Promise.all([first.dispatcher.runOnce(), second.dispatcher.runOnce(), first.dispatcher.runOnce(), second.dispatcher.runOnce()]);
    await first.dispatcher.runOnce();
    expect(receiver.accepted.size).toBe(expected);
    // Sent once each: no message went out twice.
    expect(receiver.requests.length).toBe(expected);
    expect(receiver.requests.every((r) => r.valid)).toBe(true);
    expect(await db.query("SELECT COUNT(*) AS n FROM event_deliveries WHERE status = 'delivered'")).toEqual([{ n: expected }]);
    expect(await db.query('SELECT COUNT(*) AS n FROM segment_changes WHERE NOT dispatched')).toEqual([{ n: 0 }]);
    // Attempted once each.
    const attempts = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM event_delivery_attempts');
    expect(Number(attempts[0]!.n)).toBe(expected);
  });
});
