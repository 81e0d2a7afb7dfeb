/**
 * Business regions of the demo company, a trading house based in Perm: country → macro-region
 * (close to the federal districts; Perm is put under "Урал", as companies of the Kama region
 * draw their sales map, though officially Perm Krai is in the Volga district) → city, and
 * Perm's city districts below Perm. `weight` is the share of partners a city gets.
 */
export interface DemoRegion {
  readonly id: string;
  readonly name: string;
  readonly parent: string | null;
  /** Relative number of partners placed here (0: a grouping node only). */
  readonly weight: number;
  /** Telephone area code, for partners' phone numbers. */
  readonly phoneCode?: string;
  /** Short latin name used in e-mail domains. */
  readonly slug?: string;
}

const country = (id: string, name: string): DemoRegion => ({ id, name, parent: null, weight: 0 });
const area = (id: string, name: string, parent: string): DemoRegion => ({ id, name, parent, weight: 0 });
const city = (id: string, name: string, parent: string, weight: number, phoneCode: string, slug: string = id): DemoRegion => ({
  id,
  name,
  parent,
  weight,
  phoneCode,
  slug,
});

const PERM_DISTRICTS: readonly [string, string][] = [
  ['perm-dzerzhinsky', 'Дзержинский район'],
  ['perm-industrialny', 'Индустриальный район'],
  ['perm-kirovsky', 'Кировский район'],
  ['perm-leninsky', 'Ленинский район'],
  ['perm-motovilikhinsky', 'Мотовилихинский район'],
  ['perm-ordzhonikidzevsky', 'Орджоникидзевский район'],
  ['perm-sverdlovsky', 'Свердловский район'],
];

export const DEMO_REGIONS: readonly DemoRegion[] = [
  country('ru', 'Россия'),
  area('center', 'Центр', 'ru'),
  city('msk', 'Москва', 'center', 60, '495', 'moscow'),
  city('tula', 'Тула', 'center', 6, '4872'),
  city('voronezh', 'Воронеж', 'center', 8, '473'),
  city('yaroslavl', 'Ярославль', 'center', 6, '4852'),
  area('northwest', 'Северо-Запад', 'ru'),
  city('spb', 'Санкт-Петербург', 'northwest', 35, '812', 'spb'),
  city('kaliningrad', 'Калининград', 'northwest', 4, '4012'),
  city('murmansk', 'Мурманск', 'northwest', 3, '8152'),
  area('south', 'Юг', 'ru'),
  city('krasnodar', 'Краснодар', 'south', 12, '861'),
  city('rostov', 'Ростов-на-Дону', 'south', 11, '863'),
  city('volgograd', 'Волгоград', 'south', 7, '8442'),
  area('volga', 'Поволжье', 'ru'),
  city('nnovgorod', 'Нижний Новгород', 'volga', 12, '831', 'nn'),
  city('kazan', 'Казань', 'volga', 14, '843'),
  city('samara', 'Самара', 'volga', 11, '846'),
  city('ufa', 'Уфа', 'volga', 12, '347'),
  city('izhevsk', 'Ижевск', 'volga', 10, '3412'),
  city('kirov', 'Киров', 'volga', 6, '8332'),
  area('ural', 'Урал', 'ru'),
  city('perm', 'Пермь', 'ural', 60, '342'),
  ...PERM_DISTRICTS.map(([id, name]) => city(id, name, 'perm', 25, '342', 'perm')),
  city('berezniki', 'Березники', 'ural', 14, '3424'),
  city('solikamsk', 'Соликамск', 'ural', 8, '34253'),
  city('kungur', 'Кунгур', 'ural', 7, '34271'),
  city('chaykovsky', 'Чайковский', 'ural', 6, '34241'),
  city('ekb', 'Екатеринбург', 'ural', 45, '343', 'ekb'),
  city('chelyabinsk', 'Челябинск', 'ural', 25, '351'),
  city('tyumen', 'Тюмень', 'ural', 14, '3452'),
  city('kurgan', 'Курган', 'ural', 5, '3522'),
  area('siberia', 'Сибирь', 'ru'),
  city('novosibirsk', 'Новосибирск', 'siberia', 14, '383'),
  city('omsk', 'Омск', 'siberia', 8, '3812'),
  city('krasnoyarsk', 'Красноярск', 'siberia', 8, '391'),
  city('irkutsk', 'Иркутск', 'siberia', 5, '3952'),
  area('fareast', 'Дальний Восток', 'ru'),
  city('vladivostok', 'Владивосток', 'fareast', 4, '423'),
  city('khabarovsk', 'Хабаровск', 'fareast', 4, '4212'),
  country('kz', 'Казахстан'),
  city('almaty', 'Алматы', 'kz', 4, '727'),
  city('astana', 'Астана', 'kz', 3, '7172'),
];

/** Regions that partners are placed in (cities and Perm's districts), with their weights. */
export const PARTNER_REGIONS: readonly DemoRegion[] = DEMO_REGIONS.filter((r) => r.weight > 0);
