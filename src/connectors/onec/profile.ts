/**
 * Mapping profiles: which 1C objects and fields Segmenta reads, per configuration and version.
 * UT 11.4, UT 11.5 and ERP 2.x share one shape for what is read here but for the prices register
 * (UT 11.5's is ЦеныНоменклатуры25); a base that differs is found by checking the profile against
 * its `$metadata` (test connection, and each sync).
 */

export const ONEC_PROFILES = ['ut11.5', 'ut11.4', 'erp2'] as const;
export type OneCProfileName = (typeof ONEC_PROFILES)[number];

export interface OneCObjects {
  readonly partners: string;
  readonly regions: string;
  readonly users: string;
  readonly products: string;
  readonly partnerKeys: string;
  readonly productKeys: string;
  readonly settlementObjects: string;
  readonly sales: string;
  readonly receivables: string;
  readonly segments: string;
  readonly segmentMembers: string;
  readonly propertyDefinitions: string;
  readonly propertyValues: string;
  /** Interactions: the documents of 1C's "Взаимодействия" and the contact persons they may name. */
  readonly calls: string;
  readonly meetings: string;
  readonly lettersIn: string;
  readonly lettersOut: string;
  readonly contactPersons: string;
  readonly deals: string;
  readonly dealLossReasons: string;
  /** Prices: the price types, their currencies, the prices register. */
  readonly priceTypes: string;
  readonly currencies: string;
  readonly prices: string;
}

/** Where an interaction document names the partner: a field (a composite reference with `<field>_Type`) or a tabular section's field. */
export type ContactField = { readonly field: string } | { readonly section: string; readonly field: string };

/** One interaction document of the profile, mapped to Segmenta's interactions. */
export interface InteractionSource {
  readonly object: 'calls' | 'meetings' | 'lettersIn' | 'lettersOut';
  /** Segmenta's interaction type. */
  readonly type: 'call' | 'meeting' | 'email';
  /** A fixed direction, or the boolean field that says "incoming". */
  readonly direction: 'in' | 'out' | null | { readonly incomingField: string };
  readonly contact: ContactField;
}

export interface OneCProfile {
  readonly name: OneCProfileName;
  readonly objects: OneCObjects;
  /** Fields read of each object (what `$metadata` must have). */
  readonly fields: Readonly<Record<keyof OneCObjects, readonly string[]>>;
  /** Fields read when `$metadata` has them (not every release has them): missing ones are left out, not an error. */
  readonly whenPublished: Readonly<Partial<Record<keyof OneCObjects, readonly string[]>>>;
  /** Objects a sync can do without (publishing, optional data): missing ones are reported, not fatal. */
  readonly optional: readonly (keyof OneCObjects)[];
  readonly interactions: readonly InteractionSource[];
}

const ut11: Omit<OneCProfile, 'name'> = {
  objects: {
    partners: 'Catalog_Партнеры',
    regions: 'Catalog_БизнесРегионы',
    users: 'Catalog_Пользователи',
    products: 'Catalog_Номенклатура',
    partnerKeys: 'Catalog_КлючиАналитикиУчетаПоПартнерам',
    productKeys: 'Catalog_КлючиАналитикиУчетаНоменклатуры',
    settlementObjects: 'Catalog_ОбъектыРасчетов',
    sales: 'AccumulationRegister_ВыручкаИСебестоимостьПродаж_RecordType',
    receivables: 'AccumulationRegister_РасчетыСКлиентамиПоСрокам_RecordType',
    segments: 'Catalog_СегментыПартнеров',
    segmentMembers: 'InformationRegister_ПартнерыСегмента',
    propertyDefinitions: 'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения',
    propertyValues: 'Catalog_ЗначенияСвойствОбъектов',
    calls: 'Document_ТелефонныйЗвонок',
    meetings: 'Document_Встреча',
    lettersIn: 'Document_ЭлектронноеПисьмоВходящее',
    lettersOut: 'Document_ЭлектронноеПисьмоИсходящее',
    contactPersons: 'Catalog_КонтактныеЛицаПартнеров',
    deals: 'Catalog_СделкиСКлиентами',
    dealLossReasons: 'Catalog_ПричиныПроигрышаСделок',
    priceTypes: 'Catalog_ВидыЦен',
    currencies: 'Catalog_Валюты',
    prices: 'InformationRegister_ЦеныНоменклатуры_RecordType',
  },
  fields: {
    partners: [
      'Ref_Key',
      'DataVersion',
      'DeletionMark',
      'Description',
      'Parent_Key',
      'IsFolder',
      'БизнесРегион_Key',
      'ОсновнойМенеджер_Key',
      'ДатаРегистрации',
      'ЮрФизЛицо',
      'Клиент',
      'Поставщик',
      'Конкурент',
    ],
    regions: ['Ref_Key', 'DataVersion', 'DeletionMark', 'Description', 'Parent_Key'],
    users: ['Ref_Key', 'DataVersion', 'DeletionMark', 'Description'],
    products: ['Ref_Key', 'DataVersion', 'DeletionMark', 'Description', 'Parent_Key', 'IsFolder'],
    partnerKeys: ['Ref_Key', 'DataVersion', 'Партнер_Key'],
    productKeys: ['Ref_Key', 'DataVersion', 'Номенклатура_Key'],
    settlementObjects: ['Ref_Key', 'DataVersion', 'Партнер_Key'],
    sales: ['Period', 'Recorder', 'LineNumber', 'Active', 'АналитикаУчетаПоПартнерам_Key', 'АналитикаУчетаНоменклатуры_Key', 'Количество', 'СуммаВыручки', 'Стоимость', 'Менеджер_Key'],
    receivables: ['Period', 'ОбъектРасчетов_Key', 'ДатаПлановогоПогашения', 'Долг'],
    segments: ['Ref_Key', 'Description'],
    segmentMembers: ['Сегмент_Key', 'Партнер_Key'],
    propertyDefinitions: ['Ref_Key', 'DataVersion', 'Description'],
    propertyValues: ['Ref_Key', 'DataVersion', 'Description'],
    calls: ['Ref_Key', 'DataVersion', 'DeletionMark', 'Date', 'Тема', 'Входящий', 'АбонентКонтакт', 'АбонентКонтакт_Type'],
    meetings: ['Ref_Key', 'DataVersion', 'DeletionMark', 'Date', 'Тема', 'Участники'],
    lettersIn: ['Ref_Key', 'DataVersion', 'DeletionMark', 'Date', 'Тема', 'ОтправительКонтакт', 'ОтправительКонтакт_Type'],
    lettersOut: ['Ref_Key', 'DataVersion', 'DeletionMark', 'Date', 'Тема', 'ПолучателиПисьма'],
    contactPersons: ['Ref_Key', 'DataVersion', 'Владелец_Key'],
    deals: ['Ref_Key', 'DataVersion', 'DeletionMark', 'Description', 'Партнер_Key', 'Статус', 'ДатаНачала'],
    dealLossReasons: ['Ref_Key', 'DataVersion', 'Description'],
    priceTypes: ['Ref_Key', 'DataVersion', 'DeletionMark', 'Description', 'ВалютаЦены_Key', 'ЦенаВключаетНДС'],
    currencies: ['Ref_Key', 'DataVersion', 'Description'],
    prices: ['Period', 'Recorder', 'LineNumber', 'Active', 'ВидЦены_Key', 'Номенклатура_Key', 'Цена'],
  },
  whenPublished: {
    deals: ['ДатаЗавершения', 'Закрыта', 'ПричинаПроигрышаСделки_Key'],
    prices: ['Характеристика_Key', 'Упаковка_Key'],
  },
  /**
   * Publishing; the additional properties (read when the tabular section and the definitions
   * are published); interactions, deals, prices and 1C's own segments: each read when published.
   */
  optional: [
    'segments',
    'segmentMembers',
    'propertyDefinitions',
    'propertyValues',
    'calls',
    'meetings',
    'lettersIn',
    'lettersOut',
    'contactPersons',
    'deals',
    'dealLossReasons',
    'priceTypes',
    'currencies',
    'prices',
  ],
  interactions: [
    { object: 'calls', type: 'call', direction: { incomingField: 'Входящий' }, contact: { field: 'АбонентКонтакт' } },
    { object: 'meetings', type: 'meeting', direction: null, contact: { section: 'Участники', field: 'Контакт' } },
    { object: 'lettersIn', type: 'email', direction: 'in', contact: { field: 'ОтправительКонтакт' } },
    { object: 'lettersOut', type: 'email', direction: 'out', contact: { section: 'ПолучателиПисьма', field: 'Контакт' } },
  ],
};

export const PROFILES: Readonly<Record<OneCProfileName, OneCProfile>> = {
  // UT 11.5 keeps prices in the register of release 2.5 (per packaging and characteristic).
  'ut11.5': { name: 'ut11.5', ...ut11, objects: { ...ut11.objects, prices: 'InformationRegister_ЦеныНоменклатуры25_RecordType' } },
  'ut11.4': { name: 'ut11.4', ...ut11 },
  erp2: { name: 'erp2', ...ut11 },
};

/** The tabular section of additional properties of partners and products (Свойство_Key, Значение, Значение_Type). */
export const PROPERTIES_SECTION = 'ДополнительныеРеквизиты';

/** The receivables' balance virtual table of the register. */
export const balanceOf = (recordTypeSet: string): string => recordTypeSet.replace(/_RecordType$/, '');
