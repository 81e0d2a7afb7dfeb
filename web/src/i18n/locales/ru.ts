import type { UiErrorCode } from '../../api/error-codes';

/**
 * Russian, the default language. The English file has the same shape (the type checks it).
 * Words follow 1C:Trade Management where it has one (Бизнес-регион, Основной менеджер,
 * Компания / Частное лицо, Пометка удаления).
 */
export const ru = {
  app: {
    name: 'Segmenta',
    tagline: 'Сегментация клиентов',
    apiDocs: 'Описание API',
    toggleNavigation: 'Меню',
  },
  nav: {
    segments: 'Сегменты',
    partners: 'Партнёры',
    analytics: 'Аналитика',
    salesTerms: 'Условия продаж',
  },
  language: {
    label: 'Язык интерфейса',
    ru: 'RU',
    en: 'EN',
  },
  common: {
    yes: 'Да',
    no: 'Нет',
    empty: '—',
    loading: 'Загрузка…',
    all: 'Все',
    reset: 'Сбросить',
    open: 'Открыть',
  },
  coming: {
    badge: 'Скоро',
    back: 'К списку партнёров',
    soon: 'Раздел появится в одном из ближайших обновлений.',
    segments: {
      title: 'Сегменты',
      text: 'Конструктор сегментов партнёров и товаров: динамические, периодически обновляемые и ручные сегменты, правила отбора, история состава и объяснение, почему партнёр попал в сегмент.',
    },
    analytics: {
      title: 'Аналитика',
      text: 'Отчёты по сегментам: продажи по месяцам, пересечения сегментов, взаиморасчёты, RFM-анализ, матрица «звёзды — дойные коровы», индексы CSI и NPS.',
    },
    salesTerms: {
      title: 'Условия продаж',
      text: 'Соглашения с клиентами, скидки и наценки, запреты отгрузки и лимиты ручных скидок по сегментам; расчёт скидок заказа.',
    },
  },
  notFoundPage: {
    title: 'Страница не найдена',
    text: 'Такой страницы нет. Возможно, ссылка устарела.',
  },
  partners: {
    title: 'Партнёры',
    subtitle: 'Клиенты, поставщики и конкуренты из учётной системы',
    found: 'Найдено: {{count}}',
    searchPlaceholder: 'Наименование, e-mail или телефон',
    searchLabel: 'Поиск',
    filters: {
      role: 'Роль',
      legalForm: 'Юр. / физ. лицо',
      region: 'Бизнес-регион',
      group: 'Группа',
      deleted: 'Пометка удаления',
      any: 'Любая',
      anyMasc: 'Любой',
      deletedAll: 'Показывать все',
      deletedHide: 'Без помеченных',
      deletedOnly: 'Только помеченные',
      reset: 'Сбросить фильтры',
      show: 'Фильтры',
    },
    sort: {
      label: 'Сортировка',
      name: 'По наименованию',
      id: 'По коду',
      registeredAt: 'По дате регистрации',
      birthDate: 'По дате рождения',
      asc: 'По возрастанию',
      desc: 'По убыванию',
    },
    columns: {
      name: 'Наименование',
      roles: 'Роли',
      legalForm: 'Юр. / физ. лицо',
      region: 'Бизнес-регион',
      group: 'Группа',
      manager: 'Менеджер',
      registeredAt: 'Зарегистрирован',
      contacts: 'Контакты',
    },
    empty: {
      title: 'Партнёры не найдены',
      filtered: 'Измените условия поиска или сбросьте фильтры.',
      noneTitle: 'Партнёров пока нет',
      none: 'Загрузите их из учётной системы: командой segmenta import или через API (POST /api/import/partners).',
    },
    pagination: {
      range: '{{from}}–{{to}} из {{total}}',
      pageSize: 'Строк на странице',
    },
  },
  partner: {
    back: 'Все партнёры',
    code: 'Код',
    deletedBadge: 'Помечен на удаление',
    fields: {
      id: 'Код',
      name: 'Наименование',
      roles: 'Роли',
      legalForm: 'Юр. / физ. лицо',
      group: 'Группа',
      region: 'Бизнес-регион',
      manager: 'Основной менеджер',
      type: 'Тип',
      birthDate: 'Дата рождения',
      registeredAt: 'Дата регистрации',
      deleted: 'Пометка удаления',
      email: 'Электронная почта',
      phone: 'Телефон',
    },
    roles: {
      customer: 'Клиент',
      supplier: 'Поставщик',
      competitor: 'Конкурент',
      other: 'Прочие отношения',
    },
    legalForms: {
      company: 'Компания',
      person: 'Частное лицо',
    },
    sections: {
      main: 'Основное',
      contacts: 'Контакты',
      dates: 'Даты',
      properties: 'Дополнительные свойства',
      segments: 'Сегменты',
    },
    properties: {
      name: 'Свойство',
      value: 'Значение',
      none: 'Дополнительные свойства не заполнены.',
    },
    segments: {
      emptyTitle: 'Пока ни в одном сегменте',
      emptyText: 'Здесь появятся сегменты, в которые входит партнёр, когда их создадут в разделе «Сегменты».',
      methods: {
        dynamic: 'Динамический',
        periodic: 'Периодический',
        manual: 'Ручной',
      },
    },
  },
  errors: {
    title: 'Ошибка',
    retry: 'Повторить',
    code: 'Код ошибки: {{code}}',
    entities: {
      partner: 'партнёр',
      product: 'товар',
      segment: 'сегмент',
      region: 'бизнес-регион',
      'partner group': 'группа партнёров',
      'product group': 'группа товаров',
      'partner type': 'тип партнёра',
      manager: 'менеджер',
    },
    codes: {
      VALIDATION_FAILED: 'Запрос не прошёл проверку: {{summary}}',
      NOT_FOUND: 'Здесь ничего нет: {{path}}',
      ENTITY_NOT_FOUND: 'Не найдено: {{entity}} с кодом «{{id}}»',
      UNKNOWN_ENTITY: 'Нельзя загрузить «{{entity}}»: такого объекта нет. Можно: {{known}}',
      IMPORT_BAD_ROWS:
        'В файле ошибочных строк: {{badRows}}. Ничего не загружено. Исправьте их или загрузите файл с пропуском ошибочных строк',
      IMPORT_BAD_FORMAT: 'Файл не читается как {{format}}: {{reason}}',
      IMPORT_EMPTY: 'В файле нет строк',
      IMPORT_UNKNOWN_COLUMN: 'В файле ({{entity}}) неизвестные колонки {{columns}}; известные: {{known}}. Ничего не загружено',
      IMPORT_DUPLICATE_COLUMN: 'Колонки {{columns}} задают одно и то же поле {{field}}; оставьте одну. Ничего не загружено',
      IMPORT_MISSING_COLUMNS: 'В файле ({{entity}}) нет обязательной колонки {{columns}}. Ничего не загружено',
      IMPORT_UNKNOWN_FORMAT: 'Не удалось определить формат {{source}}: укажите csv, json или jsonl',
      IMPORT_BAD_DELIMITER: 'Разделитель «{{delimiter}}» не поддерживается: используйте запятую, точку с запятой или табуляцию',
      IMPORT_FILE_UNREADABLE: 'Не удалось прочитать файл {{path}}: {{reason}}',
      DATABASE_TOO_NEW:
        'База {{database}} создана более новой версией Segmenta (схема {{databaseVersion}}, эта версия знает до {{supportedVersion}}). База не изменена',
      RULE_INVALID: 'Правило сегмента содержит ошибки: {{summary}}',
      PAYLOAD_TOO_LARGE: 'Запрос больше допустимого размера ({{limit}})',
      INTERNAL: 'На сервере что-то пошло не так. Ошибка записана в журнал',
      NETWORK_ERROR: 'Сервер не отвечает. Проверьте, что Segmenta запущена, и повторите',
      BAD_RESPONSE: 'Сервер ответил непонятно (HTTP {{status}})',
    } satisfies Record<UiErrorCode, string>,
  },
};

/** The shape every language must have. */
export type Messages = typeof ru;
