import { z } from 'zod';
import type { CellValue, ColumnType } from './report.js';

/**
 * Files for people (SPEC §6, issue 21): with `lang`, an export speaks the language of the UI that
 * asked for it — headings, sheet names, Да/Нет, dates as dd.mm.yyyy (Russian) and money rounded
 * to kopecks — and a Russian CSV is separated by `;` with a decimal comma, which is what Excel
 * and 1C expect under a Russian locale (a `,` file opens there as one column). Without `lang` a
 * file keeps its machine form (field names, ISO dates, true/false, `,`), for integrations.
 */

export const EXPORT_LANGUAGES = ['ru', 'en'] as const;
export type ExportLanguage = (typeof EXPORT_LANGUAGES)[number];

export const langQuery = z
  .enum(EXPORT_LANGUAGES)
  .optional()
  .describe('Write the file for people in this language (headings, names, dd.mm.yyyy, Да/Нет; Russian CSV: `;` and decimal comma); without it, field names and ISO values');

/** A value's kind in an export; `money` and `number` are rounded to two decimals. */
export type ExportType = ColumnType | 'boolean' | 'timestamp';

export interface ExportStyle {
  readonly language: ExportLanguage | null;
  /** The CSV separator. */
  readonly separator: ',' | ';';
  /** A cell for CSV text (numbers with the language's decimal mark). */
  csv(value: CellValue, type: ExportType): CellValue;
  /** A cell for an XLSX sheet (numbers stay numbers, dates become dates). */
  xlsx(value: CellValue, type: ExportType): CellValue | Date;
  /** An XLSX number format for a column of this type, if any. */
  numFmt(type: ExportType): string | undefined;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/;

/** Rounds to kopecks (2 decimals), dropping float noise such as 2594849.040000001. */
export const toKopecks = (value: number): number => Math.round(value * 100) / 100;

function numberOf(value: CellValue, type: ExportType): CellValue {
  if (typeof value !== 'number') return value;
  if (type === 'number') return toKopecks(value);
  if (type === 'share') return Math.round(value * 10_000) / 10_000;
  return value;
}

const RAW: ExportStyle = {
  language: null,
  separator: ',',
  csv: (value) => value,
  xlsx: (value) => value,
  numFmt: (type) => FORMATS[type],
};

const FORMATS: Readonly<Record<ExportType, string | undefined>> = {
  text: undefined,
  number: '#,##0.00',
  integer: '#,##0',
  date: undefined,
  timestamp: undefined,
  boolean: undefined,
  share: '0.00%',
};

function people(language: ExportLanguage): ExportStyle {
  const ru = language === 'ru';
  const yes = ru ? 'Да' : 'Yes';
  const no = ru ? 'Нет' : 'No';
  const date = (text: string): string => {
    const m = ISO_DATE.exec(text);
    if (!m) return text;
    return ru ? `${m[3]}.${m[2]}.${m[1]}` : text;
  };
  const time = (text: string): string => {
    const m = ISO_TIME.exec(text);
    if (!m) return text;
    return ru ? `${m[3]}.${m[2]}.${m[1]} ${m[4]}:${m[5]}` : `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}`;
  };
  const text = (value: CellValue, type: ExportType): CellValue => {
    if (typeof value === 'boolean') return value ? yes : no;
    if (typeof value !== 'string') return value;
    if (type === 'date' || ISO_DATE.test(value)) return date(value);
    if (type === 'timestamp' || ISO_TIME.test(value)) return time(value);
    return value;
  };
  return {
    language,
    separator: ru ? ';' : ',',
    csv(value, type) {
      const n = numberOf(value, type);
      if (typeof n === 'number') return ru ? String(n).replace('.', ',') : n;
      return text(n, type);
    },
    xlsx(value, type) {
      const n = numberOf(value, type);
      if (typeof n === 'number') return n;
      if (typeof n === 'string' && type === 'date') {
        const m = ISO_DATE.exec(n);
        if (m) return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      }
      return text(n, type);
    },
    numFmt: (type) => (type === 'date' ? (ru ? 'dd.mm.yyyy' : 'yyyy-mm-dd') : FORMATS[type]),
  };
}

/** How a file is written for a language (null: the machine form). */
export const exportStyle = (language: ExportLanguage | undefined | null): ExportStyle => (language ? people(language) : RAW);

/** Russian names of the report tables (sheets), by report and table name. */
const RU_TABLES: Readonly<Record<string, string>> = {
  'composition/members': 'Состав',
  'csi-nps/indices': 'CSI и NPS',
  'intersections/overlaps': 'Пересечения',
  'intersections/members': 'В нескольких сегментах',
  'lifecycle/stages': 'Стадии',
  'matrix-scatter/quadrants': 'Партнёры по квадрантам',
  'matrix-scatter/points': 'Партнёры',
  'membership-history/events': 'Вошли и вышли',
  'membership-history/days': 'По дням',
  'renew-ranking/ranking': 'Рейтинг',
  'rfm-grid/customers': 'Клиенты R × F',
  'rfm-grid/revenue': 'Выручка R × F',
  'rfm-grid/cells': 'Ячейки',
  'segment-sales/months': 'По месяцам',
  'settlements/partners': 'Взаиморасчёты по партнёрам',
  'partner-sales/months': 'По месяцам',
};

/** Russian report titles. */
const RU_REPORTS: Readonly<Record<string, string>> = {
  composition: 'Состав сегмента с полями его правила',
  'csi-nps': 'CSI и NPS по кварталам',
  intersections: 'Пересечения сегментов',
  lifecycle: 'Жизненный цикл: текущие, отказавшиеся, ушедшие',
  'matrix-scatter': 'Матрица партнёров',
  'membership-history': 'История состава сегмента',
  'renew-ranking': 'Рейтинг по индексу обновления',
  'rfm-grid': 'RFM: давность × частота',
  'segment-sales': 'Продажи сегмента по месяцам',
  settlements: 'Взаиморасчёты с партнёрами сегмента',
  'partner-sales': 'Продажи и взаиморасчёты партнёра',
};

/** Russian column headings by column key (the same key means the same thing in every report). */
const RU_COLUMNS: Readonly<Record<string, string>> = {
  id: 'Код',
  key: 'Код',
  partnerId: 'Код партнёра',
  memberId: 'Код',
  name: 'Наименование',
  scope: 'Раздел',
  quarter: 'Квартал',
  responses: 'Ответов',
  promoters: 'Промоутеры 9–10',
  passives: 'Нейтральные 7–8',
  detractors: 'Критики 0–6',
  csiHigh: 'CSI: оценки 8–10',
  csiLow: 'CSI: оценки 1–3',
  csi: 'CSI',
  nps: 'NPS',
  averageScore: 'Средняя оценка',
  segment: 'Сегмент',
  segments: 'Сегментов',
  stage: 'Стадия',
  partners: 'Партнёров',
  rule: 'Правило',
  quadrant: 'Квадрант',
  share: 'Доля',
  at: 'Когда',
  event: 'Событие',
  runId: 'Формирование №',
  date: 'Дата',
  entered: 'Вошли',
  left: 'Вышли',
  net: 'Изменение',
  rank: 'Место',
  manager: 'Менеджер',
  index: 'Индекс обновления',
  r: 'R',
  f: 'F',
  total: 'Итого',
  customers: 'Клиентов',
  revenue: 'Выручка',
  customerShare: 'Доля клиентов',
  revenueShare: 'Доля выручки',
  month: 'Месяц',
  cost: 'Себестоимость',
  grossProfit: 'Валовая прибыль',
  quantity: 'Количество',
  documents: 'Документов',
  receivable: 'Дебиторская задолженность (нам должны)',
  payable: 'Кредиторская задолженность (мы должны)',
  balance: 'Сальдо',
  overdueReceivable: 'Просроченная дебиторская',
  maxDaysOverdue: 'Дней просрочки',
};

/** Column keys whose heading is data (a segment's or property's name, a matrix axis): kept as they are. */
const KEPT_HEADING = /^(s:|p:|f\d|x$|y$)/;

/** Report column names by report where the generic word does not fit. */
const RU_COLUMN_OVERRIDES: Readonly<Record<string, string>> = {
  'matrix-scatter/points/name': 'Партнёр',
  'renew-ranking/ranking/name': 'Партнёр',
  'settlements/partners/name': 'Партнёр',
  'intersections/members/segments': 'В скольких сегментах',
  'membership-history/events/name': 'Наименование',
};

export interface ReportWords {
  readonly title: string;
  table(table: { readonly name: string; readonly title: string }): string;
  column(table: { readonly name: string }, column: { readonly key: string; readonly title: string }): string;
  /** The "about" sheet: its name and its headings. */
  readonly about: { readonly sheet: string; readonly field: string; readonly value: string; readonly report: string; readonly generatedAt: string; readonly parameter: string };
  /** The line under a table cut by the report's limit. */
  cut(shown: number, total: number): string;
}

/** The words of a report's file in a language (English: the report's own titles). */
export function reportWords(report: { readonly report: string; readonly title: string }, language: ExportLanguage | null | undefined): ReportWords {
  if (language !== 'ru') {
    return {
      title: report.title,
      table: (t) => t.title,
      column: (_t, c) => c.title,
      about: { sheet: 'Report', field: 'Field', value: 'Value', report: 'report', generatedAt: 'generatedAt', parameter: 'parameter' },
      cut: (shown, total) => `Showing ${shown} of ${total} rows; raise the report's limit to export more`,
    };
  }
  return {
    title: RU_REPORTS[report.report] ?? report.title,
    table: (t) => RU_TABLES[`${report.report}/${t.name}`] ?? t.title,
    column: (t, c) => {
      const override = RU_COLUMN_OVERRIDES[`${report.report}/${t.name}/${c.key}`];
      if (override) return override;
      if (KEPT_HEADING.test(c.key) && c.title !== c.key) return c.title;
      return RU_COLUMNS[c.key] ?? c.title;
    },
    about: { sheet: 'Отчёт', field: 'Поле', value: 'Значение', report: 'Отчёт', generatedAt: 'Сформирован', parameter: 'Параметр' },
    cut: (shown, total) => `Показано ${shown} из ${total} строк; увеличьте ограничение отчёта, чтобы выгрузить больше`,
  };
}
