import type { EntityName } from '../model/entities.js';

/**
 * Column headings people's files really have — Russian names, and the export headings of 1C,
 * Bitrix24 and amoCRM — by entity, for each target: a field's API name, one role flag
 * (`role_customer`) or an additional property (`properties.inn`). Matched after
 * `normalizeHeading` (any case, ё = е, spaces and punctuation ignored). The table in
 * docs/import.md#headings lists them; a file's own heading may be mapped to anything else.
 */
export const HEADINGS: Readonly<Record<EntityName, Readonly<Record<string, readonly string[]>>>> = {
  partnerGroups: {
    id: ['Код', 'Идентификатор', 'ИД'],
    name: ['Наименование', 'Название', 'Группа'],
    parent: ['Родитель', 'Родительская группа', 'Входит в группу'],
  },
  regions: {
    id: ['Код', 'Идентификатор', 'ИД'],
    name: ['Наименование', 'Название', 'Регион', 'Бизнес-регион'],
    parent: ['Родитель', 'Входит в регион'],
  },
  productGroups: {
    id: ['Код', 'Идентификатор', 'ИД'],
    name: ['Наименование', 'Название', 'Группа'],
    parent: ['Родитель', 'Родительская группа'],
  },
  partnerTypes: {
    id: ['Код', 'Идентификатор', 'ИД'],
    name: ['Наименование', 'Название', 'Тип'],
  },
  managers: {
    id: ['Код', 'Идентификатор', 'ИД'],
    name: ['Наименование', 'ФИО', 'Имя', 'Менеджер', 'Сотрудник', 'Пользователь'],
  },
  partners: {
    id: ['Код', 'Идентификатор', 'ИД', 'Код партнера', 'Код контрагента'],
    name: ['Наименование', 'Название', 'Название компании', 'Партнер', 'Контрагент', 'Компания', 'Рабочее наименование'],
    legalForm: ['Юр./физ. лицо', 'Юридическое/физическое лицо', 'Вид контрагента', 'Юридическое лицо'],
    group: ['Группа', 'Группа партнеров', 'Группа контрагентов', 'Родитель'],
    region: ['Регион', 'Бизнес-регион', 'Бизнес регион'],
    manager: ['Основной менеджер', 'Менеджер', 'Ответственный', 'Ответственный менеджер'],
    type: ['Тип', 'Тип компании', 'Тип контакта', 'Тип партнера', 'Тип клиента'],
    birthDate: ['Дата рождения'],
    registeredAt: ['Дата регистрации', 'Дата создания', 'Создан', 'Дата добавления'],
    deleted: ['Пометка удаления', 'Удален'],
    email: ['E-mail', 'Электронная почта', 'Почта', 'Рабочий e-mail', 'Email рабочий'],
    phone: ['Телефон', 'Рабочий телефон', 'Мобильный телефон', 'Телефон рабочий'],
    role_customer: ['Клиент', 'Является клиентом', 'Покупатель'],
    role_supplier: ['Поставщик', 'Является поставщиком'],
    role_competitor: ['Конкурент', 'Является конкурентом'],
    role_other: ['Прочие отношения'],
    roles: ['Роли', 'Отношения'],
    'properties.inn': ['ИНН'],
    'properties.kpp': ['КПП'],
    'properties.industry': ['Сфера деятельности', 'Отрасль'],
  },
  products: {
    id: ['Код', 'Идентификатор', 'ИД', 'Код номенклатуры'],
    name: ['Наименование', 'Название', 'Номенклатура', 'Товар', 'Название товара'],
    group: ['Группа', 'Группа номенклатуры', 'Группа товаров', 'Родитель', 'Раздел'],
    brand: ['Марка', 'Бренд', 'Производитель', 'Торговая марка'],
    unit: ['Единица измерения', 'Ед. изм.', 'Единица', 'Ед.'],
    'properties.article': ['Артикул'],
  },
  sales: {
    id: ['Код', 'Идентификатор', 'ИД', 'Код строки', 'Ключ'],
    document: ['Документ', 'Регистратор', 'Документ продажи', 'Реализация', 'Номер документа'],
    date: ['Дата', 'Период', 'Дата документа', 'Дата продажи'],
    partner: ['Партнер', 'Контрагент', 'Клиент', 'Покупатель', 'Компания'],
    product: ['Номенклатура', 'Товар', 'Продукт'],
    quantity: ['Количество', 'Кол-во', 'Кол.'],
    revenue: ['Выручка', 'Сумма', 'Сумма выручки', 'Сумма продажи', 'Сумма с НДС'],
    cost: ['Себестоимость', 'Стоимость'],
    manager: ['Менеджер', 'Ответственный', 'Основной менеджер'],
  },
  interactions: {
    id: ['Код', 'Идентификатор', 'ИД'],
    partner: ['Партнер', 'Контрагент', 'Клиент', 'Компания'],
    date: ['Дата', 'Дата создания', 'Начало', 'Период'],
    type: ['Тип', 'Тип дела', 'Вид', 'Вид взаимодействия'],
    direction: ['Направление'],
    subject: ['Тема', 'Описание', 'Название'],
    score: ['Оценка'],
    result: ['Результат'],
  },
  settlements: {
    id: ['Код', 'Идентификатор', 'ИД'],
    partner: ['Партнер', 'Контрагент', 'Клиент'],
    date: ['Дата', 'Период', 'Дата документа'],
    amount: ['Сумма', 'Сумма долга', 'Долг'],
    dueDate: ['Срок оплаты', 'Дата оплаты', 'Срок'],
  },
  deals: {
    id: ['Код', 'Идентификатор', 'ИД'],
    partner: ['Компания', 'Партнер', 'Контрагент', 'Клиент'],
    type: ['Тип', 'Тип сделки'],
    stage: ['Стадия', 'Стадия сделки', 'Этап', 'Этап сделки', 'Статус'],
    amount: ['Сумма', 'Бюджет', 'Сумма сделки'],
    createdAt: ['Дата создания', 'Создана'],
    closedAt: ['Дата закрытия', 'Закрыта'],
    outcome: ['Результат', 'Исход'],
    lostReason: ['Причина отказа', 'Причина проигрыша', 'Причина отказа от сделки'],
  },
  prices: {
    priceType: ['Вид цены', 'Тип цены'],
    product: ['Номенклатура', 'Товар', 'Код товара'],
    validFrom: ['Период', 'Дата', 'Действует с', 'Дата начала действия'],
    price: ['Цена'],
  },
};

/** What headings are matched by: lower case, ё as е, letters and digits only (`Бизнес-регион` → `бизнесрегион`). */
export function normalizeHeading(heading: string): string {
  return heading
    .toLowerCase()
    .replaceAll('ё', 'е')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Edit distance (insertions, deletions, substitutions) between two short strings. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
