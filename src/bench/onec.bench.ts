import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createServices } from '../app/services.js';
import type { BenchFigure, BenchSection } from './bench-section.js';

/**
 * 1C sync throughput (issue 16): a generated company served by the fake 1C in a process of its
 * own (so the figures are the connector's), synced in full into an empty database: register rows
 * per second over the whole sync (reading pages over HTTP, mapping, the one-transaction apply),
 * then an incremental sync with nothing changed. Size: BENCH_ONEC_PARTNERS (default 10,000) and
 * BENCH_ONEC_DOCS (default 100,000 documents, about 200,000 register rows); the full size
 * is 100,000 partners and 1,000,000 documents (2M rows). Peak memory is the child's, reported by main.
 */
export const onecSection: BenchSection = {
  name: 'onec',
  title: '1C OData sync throughput (fake 1C)',
  async run(ctx) {
    const partners = Number(process.env.BENCH_ONEC_PARTNERS ?? 10_000);
    const docs = Number(process.env.BENCH_ONEC_DOCS ?? 100_000);
    const script = fileURLToPath(new URL('./onec-fake/serve-fake.js', import.meta.url));
    const child = spawn(process.execPath, [script, String(partners), String(docs)], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const fake = JSON.parse(line.toString('utf8')) as { url: string; user: string; password: string; lines: number };
      ctx.log(`fake 1C: ${partners} partners, ${fake.lines} register rows`);
      const figures: BenchFigure[] = [];
      for (const engine of ctx.engines) {
        const db = await ctx.openScratch(engine);
        try {
          const services = createServices(db, { connectors: { secretKey: { key: randomBytes(32) } } });
          const connector = await services.connectors.create({
            kind: '1c',
            name: 'bench',
            settings: { url: fake.url, user: fake.user, timezone: 'Europe/Moscow', requestsPerSecond: 1000, pageSize: 5000 },
            secret: fake.password,
          });
          let started = performance.now();
          const full = await services.connectors.sync(connector.id, { trigger: 'cli', onStage: (stage) => ctx.log(`${engine}: ${stage}`) });
          const fullSeconds = (performance.now() - started) / 1000;
          started = performance.now();
          const again = await services.connectors.sync(connector.id, { trigger: 'cli' });
          const incrementalSeconds = (performance.now() - started) / 1000;
          figures.push(
            { metric: `full sync: ${fake.lines} register rows, ${partners} partners`, engine, value: Math.round(fullSeconds * 10) / 10, unit: 's' },
            { metric: 'full sync throughput', engine, value: Math.round(fake.lines / fullSeconds), unit: 'register rows/s' },
            { metric: 'full sync requests', engine, value: full.requests, unit: 'requests' },
            { metric: 'incremental sync, nothing changed', engine, value: Math.round(incrementalSeconds * 10) / 10, unit: 's' },
            { metric: 'incremental sync requests', engine, value: again.requests, unit: 'requests' },
          );
        } finally {
          await db.close();
        }
      }
      return figures;
    } finally {
      child.stdin.end();
      child.kill();
    }
  },
};
