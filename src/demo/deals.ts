import type { Queryable } from '../sql/queryable.js';
import type { DemoPlan } from './demo-plan.js';
import { FactWriter } from './fact-writer.js';
import type { PartnerProfiles } from './partners.js';
import { Random } from './random.js';
import { ABSENT, caseOf, dayDate, idText, kopecks, orNull } from './sql-text.js';
import { StagedTable, type LoadPipeline } from './staged-table.js';

const DEAL_TYPES = ['Поставка', 'Тендер', 'Комплектация объекта', 'Дилерский договор', 'Сервисный контракт'];
const OPEN_STAGES = ['Квалификация', 'Коммерческое предложение', 'Переговоры', 'Согласование договора'];
const WON_STAGE = 'Сделка успешна';
const LOST_STAGE = 'Сделка провалена';
const STAGES = [...OPEN_STAGES, WON_STAGE, LOST_STAGE];
const LOST_REASONS = ['Высокая цена', 'Выбрали конкурента', 'Сроки поставки', 'Нет бюджета', 'Закупку отложили'];
const OUTCOMES = ['open', 'won', 'lost'];
const OPEN = 0;
const WON = 1;
const LOST = 2;
const BATCH = 200_000;

const N = 0;
const PARTNER = 1;
const TYPE = 2;
const STAGE = 3;
const CREATED = 4;
const CLOSED = 5;
const OUTCOME = 6;
const REASON = 7;
const AMOUNT = 0;

export function createDealsWriter(db: Queryable, plan: DemoPlan, pipeline: LoadPipeline): FactWriter {
  const d = db.dialect;
  const table = new StagedTable(
    db,
    'demo_deals',
    [
      ['n', 'int'],
      ['partner', 'int'],
      ['type', 'int'],
      ['stage', 'int'],
      ['created', 'int'],
      ['closed', 'int'],
      ['outcome', 'int'],
      ['reason', 'int'],
      ['amount', 'double'],
    ],
    (staged) => [
      `INSERT INTO deals (id, partner_id, type, stage, amount, created_at, closed_at, outcome, lost_reason)
       SELECT ${idText('DL', 'n', plan.widths.fact)}, ${idText('P', 'partner', plan.widths.partner)}, ${caseOf('type', DEAL_TYPES)},
         ${caseOf('stage', STAGES)}, ${kopecks('amount')}, ${dayDate(d, 'created')}, ${dayDate(d, orNull('closed'))},
         ${caseOf('outcome', OUTCOMES)}, ${caseOf('reason', LOST_REASONS)}
       FROM ${staged}`,
    ],
  );
  return new FactWriter(table, pipeline, 8, 1, BATCH);
}

/**
 * `count` deals of partner `i`. Young deals are mostly open; older ones won or lost (with the
 * reason); a lead that never bought has only open and lost deals. Amounts follow the
 * partner's buying power.
 */
export function generatePartnerDeals(plan: DemoPlan, profiles: PartnerProfiles, i: number, count: number, out: FactWriter, counter: { deal: number }): void {
  if (count === 0) return;
  const random = Random.stream(plan.seed, 0x4445414c, i);
  const weight = profiles.weight[i]!;
  const from = Math.max(plan.calendar.first, profiles.registered[i]!);
  const scale = 3_000_000 * (1 + Math.sqrt(weight)); // kopecks
  for (let k = 0; k < count; k++) {
    const row = out.add();
    const ints = out.ints;
    const created = plan.calendar.draw(random, from, plan.today);
    const age = plan.today - created;
    const roll = random.next();
    let outcome: number;
    if (weight === 0) outcome = roll < 0.3 && age < 120 ? OPEN : LOST;
    else if (age < 30) outcome = roll < 0.8 ? OPEN : roll < 0.92 ? WON : LOST;
    else if (age < 120) outcome = roll < 0.3 ? OPEN : roll < 0.7 ? WON : LOST;
    else outcome = roll < 0.05 ? OPEN : roll < 0.6 ? WON : LOST;
    ints[N]![row] = ++counter.deal;
    ints[PARTNER]![row] = i + 1;
    ints[TYPE]![row] = random.int(DEAL_TYPES.length);
    ints[CREATED]![row] = created;
    ints[OUTCOME]![row] = outcome;
    ints[STAGE]![row] = outcome === OPEN ? random.int(OPEN_STAGES.length) : outcome === WON ? OPEN_STAGES.length : OPEN_STAGES.length + 1;
    ints[CLOSED]![row] = outcome === OPEN ? ABSENT : Math.min(plan.today, created + random.between(3, Math.max(3, Math.min(age, 90))));
    ints[REASON]![row] = outcome === LOST ? random.int(LOST_REASONS.length) : ABSENT;
    out.doubles[AMOUNT]![row] = Math.round((scale * Math.exp(0.8 * random.normal())) / 100) * 100;
  }
}
