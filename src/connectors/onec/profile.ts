/**
 * Mapping profiles: which 1C objects and fields Segmenta reads, per configuration and version.
 * UT 11.4, UT 11.5 and ERP 2.x share one shape for what is read here; a base that differs is
 * found by checking the profile against its `$metadata` (test connection, and each sync).
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
}

export interface OneCProfile {
  readonly name: OneCProfileName;
  readonly objects: OneCObjects;
  /** Fields read of each object (what `$metadata` must have). */
  readonly fields: Readonly<Record<keyof OneCObjects, readonly string[]>>;
  /** Objects only publishing needs: missing ones do not stop a sync. */
  readonly optional: readonly (keyof OneCObjects)[];
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
  },
  /** Publishing, and the partners' additional properties (read when the tabular section and the definitions are published). */
  optional: ['segments', 'segmentMembers', 'propertyDefinitions', 'propertyValues'],
};

export const PROFILES: Readonly<Record<OneCProfileName, OneCProfile>> = {
  'ut11.5': { name: 'ut11.5', ...ut11 },
  'ut11.4': { name: 'ut11.4', ...ut11 },
  erp2: { name: 'erp2', ...ut11 },
};

/** The partners' tabular section of additional properties (Свойство_Key, Значение, Значение_Type). */
export const PROPERTIES_SECTION = 'ДополнительныеРеквизиты';

/** The receivables' balance virtual table of the register. */
export const balanceOf = (recordTypeSet: string): string => recordTypeSet.replace(/_RecordType$/, '');
