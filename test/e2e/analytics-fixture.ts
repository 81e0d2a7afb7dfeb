/**
 * What the analytics screens need beyond the browser tests' company (demo-server.ts): survey
 * answers over the last year and a half for CSI / NPS, and, for the screenshots, computed RFM
 * scores and a matrix. Added through the API (the import upsert by id), so the demo server
 * stays as it is; deterministic and dated relative to today like demo-facts.ts.
 */
import { apiCall, type ApiTarget } from './api.js';
import { addDays, TODAY } from './demo-facts.js';

export interface SurveyAnswer {
  id: string;
  partner: string;
  date: string;
  score: number;
}

/** [days before today, partner, score]: every score 0–10, several partners and managers, a few quarters. */
const ANSWERS: [number, string, number][] = [
  [2, 'p001', 10],
  [6, 'p003', 9],
  [9, 'p006', 3],
  [15, 'p002', 7],
  [21, 'p008', 8],
  [30, 'p009', 0],
  [47, 'p013', 6],
  [58, 'p001', 9],
  [66, 'p010', 2],
  [79, 'p003', 10],
  [95, 'p006', 8],
  [104, 'p002', 5],
  [118, 'p008', 9],
  [131, 'p012', 1],
  [150, 'p009', 10],
  [169, 'p013', 7],
  [187, 'p001', 4],
  [203, 'p010', 9],
  [226, 'p003', 8],
  [241, 'p006', 10],
  [262, 'p012', 3],
  [280, 'p002', 9],
  [301, 'p008', 6],
  [322, 'p001', 10],
  [340, 'p013', 2],
  [358, 'p009', 9],
  // Older than a year: outside the default period.
  [395, 'p003', 1],
  [430, 'p006', 10],
  [470, 'p010', 0],
];

/**
 * Every survey answer of the browser tests' company: the demo's own (`i2`, demo-facts.ts, upserted
 * here with the same values so this list is the whole truth) and the ones above.
 */
export const SURVEY_ANSWERS: readonly SurveyAnswer[] = [
  { id: 'i2', partner: 'p001', date: addDays(TODAY, -40), score: 9 },
  ...ANSWERS.map(([days, partner, score], i) => ({ id: `sv${String(i + 1).padStart(2, '0')}`, partner, date: addDays(TODAY, -days), score })),
];

const call = apiCall;

/** Imports the survey answers (interactions of type survey with a score). */
export async function seedSurveys(target: ApiTarget): Promise<void> {
  await call(
    target,
    'POST',
    '/import/interactions',
    SURVEY_ANSWERS.map((a) => ({ id: a.id, partner: a.partner, date: a.date, type: 'survey', direction: 'out', subject: 'Опрос удовлетворённости (NPS)', score: a.score })),
  );
}

/** Seed 002's matrix on the last 12 months' sales: purchases across, revenue up. */
export const ACTIVITY_MATRIX = {
  id: 'activity-capacity',
  input: {
    name: 'Активность × ёмкость',
    description: '',
    x: { label: 'Покупок за 12 мес.', source: { measure: 'sales.documents', period: { last: { months: 12 } } }, threshold: 6 },
    y: { label: 'Выручка за 12 мес.', source: { measure: 'sales.revenue', period: { last: { months: 12 } } }, threshold: 300_000 },
    filter: { attr: 'roles', op: 'contains', value: 'customer' },
    quadrants: {
      highHigh: { key: 'stars', name: 'Звёзды' },
      highLow: { key: 'cash-cows', name: 'Дойные коровы' },
      lowHigh: { key: 'problem-children', name: 'Трудные дети' },
      lowLow: { key: 'dogs', name: 'Собаки' },
    },
  },
} as const;

const prepared = new Map<string, Promise<void>>();

/** For the screenshots: surveys, RFM computed, the matrix saved — once per server. */
export function prepareAnalyticsScreens(target: ApiTarget): Promise<void> {
  let done = prepared.get(target.url);
  if (!done) {
    done = (async () => {
      await seedSurveys(target);
      await call(target, 'POST', '/analytics/rfm/refresh', {});
      await call(target, 'PUT', `/analytics/matrices/${ACTIVITY_MATRIX.id}`, ACTIVITY_MATRIX.input);
    })();
    prepared.set(target.url, done);
  }
  return done;
}
