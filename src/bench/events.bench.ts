/**
 * Segment events (issue 18, docs/events.md): what the outbox adds to a first generation of
 * 500,000 members (the same swap with and without a subscription watching the segment), how
 * many events per second reach a local receiver (signed, batches of 100, four requests at
 * once), and the delay from a committed composition change to its delivery (p50/p99) with the
 * dispatcher polling as `segmenta serve` runs it. SEGMENTA_BENCH_EVENTS_MEMBERS changes the size.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createServices } from '../app/services.js';
import { entityColumns, ENTITIES } from '../model/entities.js';
import { addMembers } from '../domain/segments/manual-members.js';
import { replaceComposition } from '../domain/segments/compositions.js';
import { getSegment } from '../domain/segments/segments.repository.js';
import type { BenchContext, BenchEngine, BenchFigure, BenchSection } from './bench-section.js';

const MEMBERS = Number(process.env.SEGMENTA_BENCH_EVENTS_MEMBERS ?? 500_000);
const CHANGES = 60;

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

async function measure(ctx: BenchContext, engine: BenchEngine): Promise<BenchFigure[]> {
  const db = await ctx.openScratch(engine);
  const arrivals = new Map<string, number>();
  let received = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { events: { partner: { id: string } }[] } };
      received += body.data.events.length;
      for (const e of body.data.events) if (!arrivals.has(e.partner.id)) arrivals.set(e.partner.id, performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    ctx.log(`events: ${MEMBERS.toLocaleString('en-US')} partners on ${engine}`);
    // The appender takes every column of the table: id and name given, the rest empty.
    const columns = entityColumns(ENTITIES.partners).map((c) => c.column);
    for (let from = 0; from < MEMBERS + CHANGES; from += 50_000) {
      const rows = Array.from({ length: Math.min(50_000, MEMBERS + CHANGES - from) }, (_, i) =>
        columns.map((c) => (c === 'id' ? `p${String(from + i).padStart(7, '0')}` : c === 'name' ? `Partner ${from + i}` : null)),
      );
      await db.appendRows('partners', columns, rows);
    }
    const services = createServices(db, { events: { secretKey: randomBytes(32).toString('base64'), allowTargets: ['127.0.0.1'] } });
    const manual = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, checkOnCreate: false, competitors: [], archived: false, method: 'manual' as const, rule: null };
    await services.segments.create({ ...manual, id: 'unwatched', name: 'unwatched' });
    await services.segments.create({ ...manual, id: 'watched', name: 'watched' });
    await services.segments.create({ ...manual, id: 'latency', name: 'latency' });
    await services.subscriptions.create({
      id: 'bench',
      name: 'bench',
      segmentIds: ['watched', 'latency'],
      eventTypes: ['segment.member.entered'],
      skipFirstGeneration: false,
      batchSize: 100,
      enabled: true,
      action: { kind: 'webhook', url },
    });
    const everyone = { sql: `SELECT id FROM partners WHERE id < 'p${String(MEMBERS).padStart(7, '0')}'`, params: [] };
    const generate = async (segmentId: string) => {
      const started = performance.now();
      await replaceComposition(db, segmentId, everyone, { runId: null, started: new Date() });
      return (performance.now() - started) / 1000;
    };
    ctx.log('events: first generations without and with a subscription');
    const plain = await generate('unwatched');
    const watched = await generate('watched');

    const f = (metric: string, value: number, unit: string): BenchFigure => ({ metric, engine, value: Math.round(value * 1000) / 1000, unit });
    const generations = [
      f(`first generation of ${MEMBERS.toLocaleString('en-US')} members, nobody subscribed`, plain, 's'),
      f(`first generation of ${MEMBERS.toLocaleString('en-US')} members, watched (outbox written in its transaction)`, watched, 's'),
    ];
    // SEGMENTA_BENCH_EVENTS_DELIVER=0: the generations only (a quick run at a large size).
    if (process.env.SEGMENTA_BENCH_EVENTS_DELIVER === '0') return generations;
    ctx.log('events: delivering them');
    const started = performance.now();
    await services.dispatcher.runOnce();
    const deliverySeconds = (performance.now() - started) / 1000;
    const delivered = received;

    ctx.log(`events: ${CHANGES} single changes, change to delivery`);
    arrivals.clear();
    await services.dispatcher.start();
    const committed = new Map<string, number>();
    const latency = await getSegment(db, 'latency');
    for (let i = 0; i < CHANGES; i++) {
      const id = `p${String(MEMBERS + i).padStart(7, '0')}`;
      await addMembers(db, latency, [id]);
      committed.set(id, performance.now());
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    const deadline = Date.now() + 30_000;
    while (arrivals.size < CHANGES && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await services.dispatcher.stop();
    // A change not delivered within 30 s counts as 30 s (and is counted apart).
    const late = [...committed.keys()].filter((id) => !arrivals.has(id)).length;
    const delays = [...committed].map(([id, at]) => (arrivals.get(id) ?? at + 30_000) - at).sort((a, b) => a - b);
    return [
      ...generations,
      f('single changes not delivered within 30 s', late, 'changes'),
      f('events delivered to a local receiver (batches of 100, fan-out included)', delivered / deliverySeconds, 'events/s'),
      f('events delivered', delivered, 'events'),
      f('change committed → delivered, p50 (dispatcher polling every 500 ms)', percentile(delays, 50), 'ms'),
      f('change committed → delivered, p99', percentile(delays, 99), 'ms'),
    ];
  } finally {
    server.close();
    await db.close();
  }
}

export const eventsBench: BenchSection = {
  name: 'events',
  title: 'Segment events: the outbox in a first generation, webhook throughput and delay',
  async run(ctx) {
    const figures: BenchFigure[] = [];
    for (const engine of ctx.engines) figures.push(...(await measure(ctx, engine)));
    return figures;
  },
};
