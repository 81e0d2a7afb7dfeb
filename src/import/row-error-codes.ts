/**
 * Why a row of an imported file is bad, as a code and its values, besides the English sentence
 * (RowError.reason): the API says it in the language of `?lang=`, and the import screen in the
 * UI's language, both with rowReasonIn (the one place of the Russian texts; the web imports this
 * module). A reason without a code (rare file-shape problems) stays English.
 */

export const ROW_ERROR_CODES = [
  'notText',
  'notNumber',
  'numberTooLarge',
  'notWholeNumber',
  'wholeNumberTooLarge',
  'notDate',
  'notDateTime',
  'notBoolean',
  'notOneOf',
  'belowMin',
  'aboveMax',
  'tooLong',
  'missing',
  'unknownReference',
  'propertyText',
  'propertyNumber',
  'propertyDate',
  'propertyBoolean',
  'fieldCount',
  'ownAncestor',
] as const;
export type RowErrorCode = (typeof ROW_ERROR_CODES)[number];

export type RowErrorParams = Readonly<Record<string, string | number>>;

/** A reason's code and values. */
export interface RowErrorSaid {
  readonly code: RowErrorCode;
  readonly params: RowErrorParams;
}

export const said = (code: RowErrorCode, params: RowErrorParams = {}): RowErrorSaid => ({ code, params });

/** The reasons in Russian (the English ones are the sentences the checks write). */
export const ROW_REASONS_RU: Readonly<Record<RowErrorCode, string>> = {
  notText: '{{value}} — не текст; если это текст, возьмите его в кавычки',
  notNumber: '{{value}} — не число',
  numberTooLarge: '{{value}} — слишком большое число (не больше {{digits}} цифр до запятой)',
  notWholeNumber: '{{value}} — не целое число',
  wholeNumberTooLarge: '{{value}} — слишком большое для целого числа',
  notDate: '{{value}} — не дата (пишите ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)',
  notDateTime: '{{value}} — не дата и время (пишите, например, 2024-03-01T10:30:00Z)',
  notBoolean: '{{value}} — не «да» или «нет» (пишите да/нет, true/false или 1/0)',
  notOneOf: '{{value}} — не одно из значений: {{allowed}}',
  belowMin: '{{value}} меньше минимума {{min}}',
  aboveMax: '{{value}} больше максимума {{max}}',
  tooLong: 'длина {{length}} символов; допустимо не больше {{max}}',
  missing: 'не заполнено поле {{field}}: оно обязательно',
  unknownReference: 'нет такого значения в справочнике «{{target}}»: {{value}}',
  propertyText: 'свойство «{{name}}» хранит текст; {{value}} не подходит',
  propertyNumber: 'свойство «{{name}}» хранит числа; {{value}} — не число',
  propertyDate: 'свойство «{{name}}» хранит даты; {{value}} — не дата (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)',
  propertyBoolean: 'свойство «{{name}}» хранит да/нет; {{value}} не подходит',
  fieldCount: 'в строке {{count}} полей, а в заголовке {{expected}} (дробное число с запятой в файле с разделителем «,» берите в кавычки или используйте «;»)',
  ownAncestor: '«{{id}}» оказался бы собственным предком: {{path}}',
};

/** What a reference points to, in Russian (unknownReference's `entity`). */
const TARGETS_RU: Readonly<Record<string, string>> = {
  partnerGroups: 'группы партнёров',
  regions: 'регионы',
  productGroups: 'группы товаров',
  partnerTypes: 'типы партнёров',
  managers: 'менеджеры',
  partners: 'партнёры',
  products: 'товары',
  price_types: 'виды цен',
};

/** A row error's reason in a language: Russian from its code, else the English sentence. */
export function rowReasonIn(language: 'ru' | 'en' | undefined, error: { readonly reason: string; readonly code?: RowErrorCode | undefined; readonly params?: RowErrorParams | undefined }): string {
  if (language !== 'ru' || !error.code) return error.reason;
  const params: Record<string, string | number> = { ...error.params };
  if (error.code === 'unknownReference' && typeof params.entity === 'string') params.target = TARGETS_RU[params.entity] ?? params.target ?? params.entity;
  return ROW_REASONS_RU[error.code].replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(params[name] ?? ''));
}

/** The listed errors of a report (or of IMPORT_BAD_ROWS' details) with their reasons in `language`. */
export function errorsIn<E extends { readonly reason: string; readonly code?: RowErrorCode | undefined; readonly params?: RowErrorParams | undefined }>(
  errors: readonly E[],
  language: 'ru' | 'en' | undefined,
): E[] {
  return language === 'ru' ? errors.map((e) => ({ ...e, reason: rowReasonIn(language, e) })) : [...errors];
}
