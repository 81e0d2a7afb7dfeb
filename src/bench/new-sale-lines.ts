import { copyFileSync, existsSync, rmSync } from 'node:fs';
import type { Queryable } from '../sql/queryable.js';

/**
 * What the `incremental` section imports, shared with the probes that trace its pass
 * (delta-probe, kept-measures-probe, swap-probe), so that they measure the same change: `count`
 * new sale lines spread over the partners given, dated asOf, each partner's lines in a document
 * of its own named above every stored one, as CSV.
 */
export function newSaleLinesCsv(partners: readonly string[], products: readonly string[], asOf: string, count: number, prefix: string): string {
  const lines = ['id,document,date,partner,product,quantity,revenue,cost'];
  for (let i = 0; i < count; i++) {
    const partner = partners[i % partners.length]!;
    const product = products[(i * 7) % products.length]!;
    lines.push(`${prefix}${i},${prefix}d${i % partners.length},${asOf},${partner},${product},${1 + (i % 5)},${(100 + (i % 900)).toFixed(2)},${(60 + (i % 500)).toFixed(2)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The partners that get new lines — `count` of them spread evenly over the ids in order (every
 * n-th: arbitrary buyers, not a block of neighbours) — and the first 1,000 products they buy.
 */
export async function changedPartnersAndProducts(db: Queryable, count: number): Promise<{ partners: string[]; products: string[] }> {
  const [{ n } = { n: 0 }] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM partners');
  const step = Math.max(1, Math.floor(Number(n) / count));
  const partners = (await db.query<{ id: string }>('SELECT id FROM partners ORDER BY id'))
    .map((r) => r.id)
    .filter((_, i) => i % step === 0)
    .slice(0, count);
  const products = (await db.query<{ id: string }>('SELECT id FROM products ORDER BY id LIMIT 1000')).map((r) => r.id);
  return { partners, products };
}

/** A DuckDB file copied with its write-ahead log (a probe works on copies of a demo). */
export function copyDuckDBFile(from: string, to: string): void {
  copyFileSync(from, to);
  if (existsSync(`${from}.wal`)) copyFileSync(`${from}.wal`, `${to}.wal`);
}

/** A DuckDB file removed with its log and its spill folder. */
export function removeDuckDBFile(path: string): void {
  for (const p of [path, `${path}.wal`, `${path}.tmp`]) rmSync(p, { recursive: true, force: true });
}
