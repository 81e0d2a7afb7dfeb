/**
 * Names of the per-partner scores a rule may read (`{"score": "rfm.r", …}`), stored in
 * `partner_scores`. The analytics module computes and stores them; rules can name them
 * before any is computed (a partner without a stored score has no value).
 */
export interface ScoreDef {
  readonly name: string;
  readonly description: string;
}

export class ScoreRegistry {
  private readonly scores = new Map<string, ScoreDef>();

  constructor(initial: readonly ScoreDef[] = []) {
    for (const score of initial) this.register(score);
  }

  /** Adds a score name; a name is a dotted identifier such as `rfm.r` or `matrix.activity`. */
  register(score: ScoreDef): void {
    if (!/^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$/.test(score.name)) {
      throw new Error(`A score name is a dotted identifier like "rfm.r", not "${score.name}"`);
    }
    this.scores.set(score.name, Object.freeze({ ...score }));
  }

  has(name: string): boolean {
    return this.scores.has(name);
  }

  get(name: string): ScoreDef | undefined {
    return this.scores.get(name);
  }

  list(): ScoreDef[] {
    return [...this.scores.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** RFM scores of SPEC §4, 1–5 each. */
export const RFM_SCORES: readonly ScoreDef[] = [
  { name: 'rfm.r', description: 'Recency score, 1–5 (5: bought most recently)' },
  { name: 'rfm.f', description: 'Frequency score, 1–5 (5: buys most often)' },
  { name: 'rfm.m', description: 'Monetary score, 1–5 (5: spends most)' },
];

/** The registry rules are checked against unless a caller passes its own. */
export const SCORES = new ScoreRegistry(RFM_SCORES);
