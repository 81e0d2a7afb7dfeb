import { describe, expect, it } from 'vitest';
import { units } from '../../src/rules/reference/exact.js';

/** The decimal text's ten-thousandths, by string work alone: what `units` must agree with. */
function unitsOfText(text: string): bigint {
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const magnitude = BigInt(whole!) * 10_000n + BigInt(fraction.padEnd(4, '0'));
  return text.startsWith('-') ? -magnitude : magnitude;
}

/** A random decimal of up to `places` places and about `digits` whole digits, as text. */
function randomDecimal(random: () => number, digits: number, places: number): string {
  const whole = String(Math.floor(random() * 10 ** digits));
  const fraction = places ? Array.from({ length: places }, () => String(Math.floor(random() * 10))).join('') : '';
  return `${random() < 0.3 ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

// A small seeded generator: the same numbers on every run.
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('exact amounts for the reference evaluator', () => {
  it('reads every decimal of up to four places as its ten-thousandths, small and large', () => {
    const random = mulberry32(20261208);
    for (let i = 0; i < 50_000; i++) {
      const text = randomDecimal(random, 1 + Math.floor(random() * 15), Math.floor(random() * 5));
      const value = Number(text);
      // Past 15–16 significant digits the double is another decimal: compare with the one it is.
      expect(units(value), text).toBe(unitsOfText(String(value).includes('e') ? text : String(value)));
    }
  });

  it('reads amounts near the edges exactly', () => {
    for (const text of ['0', '0.0001', '-0.0001', '0.1', '0.3', '1.0005', '99999999999.9999', '112589990684.2623', '112589990684.2624', '-112589990684.2624', '900719925474.0991']) {
      expect(units(Number(text)), text).toBe(unitsOfText(String(Number(text))));
    }
  });

  it('refuses a number with more than four decimal places', () => {
    expect(() => units(0.00001)).toThrow(/more than 4 decimal places/);
    expect(() => units(1.23456)).toThrow(/more than 4 decimal places/);
    expect(() => units(1e-7)).toThrow();
  });
});
