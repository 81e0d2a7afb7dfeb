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

/** RFM scores of SPEC §4 (docs/analytics.md): 1–5 each (bins configurable), among customers with purchases in the window. */
export const RFM_SCORES: readonly ScoreDef[] = [
  { name: 'rfm.r', description: 'Recency score, 1–5 (5: bought most recently)' },
  { name: 'rfm.f', description: 'Frequency score, 1–5 (5: buys most often)' },
  { name: 'rfm.m', description: 'Monetary score, 1–5 (5: spends most)' },
];

/** The raw RFM values the scores are binned from, and the three scores as one number. */
export const RFM_VALUE_SCORES: readonly ScoreDef[] = [
  { name: 'rfm.recency', description: 'Days from the last purchase in the RFM window to the evaluation date' },
  { name: 'rfm.frequency', description: 'Purchase documents in the RFM window' },
  { name: 'rfm.monetary', description: 'Revenue in the RFM window (returns reduce it)' },
  { name: 'rfm.code', description: 'The three scores as one number: 100·R + 10·F + M (555: the best)' },
];

/** The renew index of seed 002: the sum of chosen 1–5 properties, to rank refused leads. */
export const RENEW_SCORES: readonly ScoreDef[] = [{ name: 'renew.index', description: 'Renew index: the sum of the chosen 1–5 properties (higher: more worth renewing contact)' }];

/** The registry rules are checked against unless a caller passes its own. */
export const SCORES = new ScoreRegistry([...RFM_SCORES, ...RFM_VALUE_SCORES, ...RENEW_SCORES]);
