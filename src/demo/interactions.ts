import type { Queryable } from '../sql/queryable.js';
import type { DemoPlan } from './demo-plan.js';
import { FactWriter } from './fact-writer.js';
import type { PartnerProfiles } from './partners.js';
import { cumulative, Random } from './random.js';
import { ABSENT, caseOf, dayDate, idText, orNull } from './sql-text.js';
import { StagedTable, type LoadPipeline } from './staged-table.js';

/** Interaction types (SPEC §1), how common each is, which way it usually goes, what it is about. */
const TYPES = [
  { id: 'call', weight: 38, inbound: 0.5, subjects: ['Уточнение заказа', 'Сверка цен', 'Звонок по отгрузке', 'Напоминание об оплате', 'Предложение новинок'] },
  { id: 'email', weight: 25, inbound: 0.4, subjects: ['Запрос прайс-листа', 'Коммерческое предложение', 'Счёт на оплату', 'Акт сверки'] },
  { id: 'meeting', weight: 10, inbound: 0.1, subjects: ['Встреча с закупщиком', 'Презентация продукции', 'Обсуждение договора'] },
  { id: 'letter', weight: 5, inbound: 0.2, subjects: ['Претензия', 'Гарантийное письмо', 'Поздравление с праздником'] },
  { id: 'request', weight: 12, inbound: 1, subjects: ['Заявка с сайта', 'Запрос на поставку', 'Вопрос по гарантии'] },
  { id: 'survey', weight: 10, inbound: 0, subjects: ['Опрос удовлетворённости (NPS)', 'Оценка качества доставки'] },
] as const;
const TYPE_WEIGHTS = cumulative(TYPES.map((t) => t.weight));
const SURVEY = TYPES.findIndex((t) => t.id === 'survey');
/** Subjects of all types in one list; a type's subjects start at SUBJECT_START[type]. */
const SUBJECTS = TYPES.flatMap((t) => t.subjects);
const SUBJECT_START = TYPES.map((_, k) => TYPES.slice(0, k).reduce((n, t) => n + t.subjects.length, 0));
const RESULTS = ['Договорились', 'Отправлено КП', 'Ждём ответа', 'Без результата', 'Перезвонить', 'Вопрос решён'];
const BATCH = 1_000_000;

const N = 0;
const PARTNER = 1;
const DAY = 2;
const TYPE = 3;
const INBOUND = 4;
const SUBJECT = 5;
const SCORE = 6;
const RESULT = 7;

export function createInteractionsWriter(db: Queryable, plan: DemoPlan, pipeline: LoadPipeline): FactWriter {
  const d = db.dialect;
  const table = new StagedTable(
    db,
    'demo_interactions',
    [
      ['n', 'int'],
      ['partner', 'int'],
      ['day', 'int'],
      ['type', 'int'],
      ['inbound', 'int'],
      ['subject', 'int'],
      ['score', 'int'],
      ['result', 'int'],
    ],
    (staged) => [
      `INSERT INTO interactions (id, partner_id, date, type, direction, subject, score, result)
       SELECT ${idText('I', 'n', plan.widths.fact)}, ${idText('P', 'partner', plan.widths.partner)}, ${dayDate(d, 'day')},
         ${caseOf(
           'type',
           TYPES.map((t) => t.id),
         )}, CASE WHEN inbound = 1 THEN 'in' ELSE 'out' END,
         ${caseOf('subject', SUBJECTS)}, ${orNull('score')}, ${caseOf('result', RESULTS)}
       FROM ${staged}`,
    ],
  );
  return new FactWriter(table, pipeline, 8, 0, BATCH);
}

/**
 * `count` interactions of partner `i` — calls, e-mails, meetings, letters, requests and
 * surveys — over its history (a churned partner hears from us a while after it stopped
 * buying). Survey scores (0–10) scatter around how satisfied the partner is.
 */
export function generatePartnerInteractions(plan: DemoPlan, profiles: PartnerProfiles, i: number, count: number, out: FactWriter, counter: { interaction: number }): void {
  if (count === 0) return;
  const random = Random.stream(plan.seed, 0x494e5452, i);
  const from = Math.max(plan.calendar.first, profiles.registered[i]!);
  const to = Math.min(plan.today, profiles.lastActive[i]! + 90);
  const satisfaction = profiles.satisfaction[i]!;
  for (let k = 0; k < count; k++) {
    const row = out.add();
    const ints = out.ints;
    const type = random.weighted(TYPE_WEIGHTS);
    const t = TYPES[type]!;
    ints[N]![row] = ++counter.interaction;
    ints[PARTNER]![row] = i + 1;
    ints[DAY]![row] = plan.calendar.draw(random, from, to);
    ints[TYPE]![row] = type;
    ints[INBOUND]![row] = random.chance(t.inbound) ? 1 : 0;
    ints[SUBJECT]![row] = SUBJECT_START[type]! + random.int(t.subjects.length);
    ints[SCORE]![row] = type === SURVEY ? Math.max(0, Math.min(10, Math.round(satisfaction + 1.6 * random.normal()))) : ABSENT;
    ints[RESULT]![row] = random.chance(0.85) ? random.int(RESULTS.length) : ABSENT;
  }
}
