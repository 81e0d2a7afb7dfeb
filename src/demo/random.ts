/**
 * A small, fast, seeded pseudo-random generator (mulberry32), so the demo company is the same
 * for the same seed on every engine and every run. Each partner draws from its own stream
 * (`Random.stream(seed, STREAM, index)`), so one partner's rows do not depend on how many
 * numbers the partners before it used.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** A generator for one purpose and one index, e.g. the sales of partner 42. */
  static stream(seed: number, stream: number, index = 0): Random {
    return new Random(mix(mix(mix(0x9e3779b9, seed), stream), index));
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A whole number in [low, high], both included. */
  between(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** An index drawn by weight from a table of cumulative weights (see `cumulative`). */
  weighted(cumulativeWeights: Float64Array): number {
    const total = cumulativeWeights[cumulativeWeights.length - 1]!;
    return lowerBound(cumulativeWeights, this.next() * total);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Pareto with minimum 1: a long tail (alpha ≈ 1.2 gives 80/20). */
  pareto(alpha: number): number {
    return Math.pow(1 - this.next(), -1 / alpha);
  }

  /** Poisson by inversion (small means) or a rounded normal (large means). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** 1 + a geometric number of extra items with the given mean extra. */
  countFrom1(meanExtra: number): number {
    if (meanExtra <= 0) return 1;
    const q = meanExtra / (1 + meanExtra);
    return 1 + Math.floor(Math.log(1 - this.next()) / Math.log(q));
  }
}

/** Mixes a number into a 32-bit hash (murmur3 finaliser); used to derive stream seeds. */
export function mix(hash: number, value: number): number {
  let h = (hash ^ Math.imul(value | 0, 0xcc9e2d51)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Running sums of weights, for `Random.weighted`. */
export function cumulative(weights: ArrayLike<number>): Float64Array {
  const sums = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) sums[i] = total += weights[i]!;
  return sums;
}

/** The first index whose value is greater than x (values ascending). */
export function lowerBound(values: Float64Array, x: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid]! > x) high = mid;
    else low = mid + 1;
  }
  return low;
}
