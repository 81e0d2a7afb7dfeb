/**
 * Russian names for the demo company's partners and managers: companies (ООО «…», АО «…»),
 * sole traders (ИП Фамилия Имя Отчество) and private persons, with gendered forms.
 */
import type { Random } from './random.js';

const LATIN: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};

/** Russian → Latin letters for e-mail addresses (Иванов → ivanov). */
export function transliterate(text: string): string {
  let out = '';
  for (const ch of text.toLowerCase()) out += LATIN[ch] ?? (/[a-z0-9-]/.test(ch) ? ch : '');
  return out;
}

/** Surname (male form) and its female form. */
const SURNAMES: readonly [string, string][] = [
  ['Иванов', 'Иванова'],
  ['Смирнов', 'Смирнова'],
  ['Кузнецов', 'Кузнецова'],
  ['Попов', 'Попова'],
  ['Васильев', 'Васильева'],
  ['Петров', 'Петрова'],
  ['Соколов', 'Соколова'],
  ['Михайлов', 'Михайлова'],
  ['Новиков', 'Новикова'],
  ['Фёдоров', 'Фёдорова'],
  ['Морозов', 'Морозова'],
  ['Волков', 'Волкова'],
  ['Алексеев', 'Алексеева'],
  ['Лебедев', 'Лебедева'],
  ['Семёнов', 'Семёнова'],
  ['Егоров', 'Егорова'],
  ['Павлов', 'Павлова'],
  ['Козлов', 'Козлова'],
  ['Степанов', 'Степанова'],
  ['Николаев', 'Николаева'],
  ['Орлов', 'Орлова'],
  ['Андреев', 'Андреева'],
  ['Макаров', 'Макарова'],
  ['Никитин', 'Никитина'],
  ['Захаров', 'Захарова'],
  ['Зайцев', 'Зайцева'],
  ['Соловьёв', 'Соловьёва'],
  ['Борисов', 'Борисова'],
  ['Яковлев', 'Яковлева'],
  ['Григорьев', 'Григорьева'],
  ['Романов', 'Романова'],
  ['Воробьёв', 'Воробьёва'],
  ['Сергеев', 'Сергеева'],
  ['Кузьмин', 'Кузьмина'],
  ['Фролов', 'Фролова'],
  ['Александров', 'Александрова'],
  ['Дмитриев', 'Дмитриева'],
  ['Королёв', 'Королёва'],
  ['Гусев', 'Гусева'],
  ['Киселёв', 'Киселёва'],
  ['Ильин', 'Ильина'],
  ['Максимов', 'Максимова'],
  ['Поляков', 'Полякова'],
  ['Сорокин', 'Сорокина'],
  ['Виноградов', 'Виноградова'],
  ['Ковалёв', 'Ковалёва'],
  ['Белов', 'Белова'],
  ['Медведев', 'Медведева'],
  ['Антонов', 'Антонова'],
  ['Тарасов', 'Тарасова'],
  ['Жуков', 'Жукова'],
  ['Баранов', 'Баранова'],
  ['Филиппов', 'Филиппова'],
  ['Комаров', 'Комарова'],
  ['Давыдов', 'Давыдова'],
  ['Беляев', 'Беляева'],
  ['Герасимов', 'Герасимова'],
  ['Богданов', 'Богданова'],
  ['Осипов', 'Осипова'],
  ['Сидоров', 'Сидорова'],
  ['Матвеев', 'Матвеева'],
  ['Титов', 'Титова'],
  ['Марков', 'Маркова'],
  ['Миронов', 'Миронова'],
  ['Крылов', 'Крылова'],
  ['Куликов', 'Куликова'],
  ['Карпов', 'Карпова'],
  ['Власов', 'Власова'],
  ['Мельников', 'Мельникова'],
  ['Денисов', 'Денисова'],
  ['Гаврилов', 'Гаврилова'],
  ['Тихонов', 'Тихонова'],
  ['Казаков', 'Казакова'],
  ['Афанасьев', 'Афанасьева'],
  ['Данилов', 'Данилова'],
  ['Пономарёв', 'Пономарёва'],
  ['Калинин', 'Калинина'],
  ['Шестаков', 'Шестакова'],
  ['Ширинкин', 'Ширинкина'],
  ['Чащихин', 'Чащихина'],
  ['Мальцев', 'Мальцева'],
  ['Пестов', 'Пестова'],
  ['Бурдин', 'Бурдина'],
  ['Мехоношин', 'Мехоношина'],
  ['Лунегов', 'Лунегова'],
  ['Ковальчук', 'Ковальчук'],
  ['Шевченко', 'Шевченко'],
  ['Бондаренко', 'Бондаренко'],
  ['Гайнуллин', 'Гайнуллина'],
  ['Сафин', 'Сафина'],
];

/** Male first name and the patronymics made from it (male, female). */
const MALE_NAMES: readonly [string, string, string][] = [
  ['Александр', 'Александрович', 'Александровна'],
  ['Алексей', 'Алексеевич', 'Алексеевна'],
  ['Андрей', 'Андреевич', 'Андреевна'],
  ['Антон', 'Антонович', 'Антоновна'],
  ['Артём', 'Артёмович', 'Артёмовна'],
  ['Борис', 'Борисович', 'Борисовна'],
  ['Вадим', 'Вадимович', 'Вадимовна'],
  ['Валерий', 'Валерьевич', 'Валерьевна'],
  ['Виктор', 'Викторович', 'Викторовна'],
  ['Владимир', 'Владимирович', 'Владимировна'],
  ['Вячеслав', 'Вячеславович', 'Вячеславовна'],
  ['Геннадий', 'Геннадьевич', 'Геннадьевна'],
  ['Дмитрий', 'Дмитриевич', 'Дмитриевна'],
  ['Евгений', 'Евгеньевич', 'Евгеньевна'],
  ['Егор', 'Егорович', 'Егоровна'],
  ['Иван', 'Иванович', 'Ивановна'],
  ['Игорь', 'Игоревич', 'Игоревна'],
  ['Илья', 'Ильич', 'Ильинична'],
  ['Кирилл', 'Кириллович', 'Кирилловна'],
  ['Константин', 'Константинович', 'Константиновна'],
  ['Максим', 'Максимович', 'Максимовна'],
  ['Михаил', 'Михайлович', 'Михайловна'],
  ['Никита', 'Никитич', 'Никитична'],
  ['Николай', 'Николаевич', 'Николаевна'],
  ['Олег', 'Олегович', 'Олеговна'],
  ['Павел', 'Павлович', 'Павловна'],
  ['Роман', 'Романович', 'Романовна'],
  ['Сергей', 'Сергеевич', 'Сергеевна'],
  ['Станислав', 'Станиславович', 'Станиславовна'],
  ['Юрий', 'Юрьевич', 'Юрьевна'],
];

const FEMALE_NAMES: readonly string[] = [
  'Анна',
  'Алёна',
  'Александра',
  'Анастасия',
  'Валентина',
  'Валерия',
  'Вера',
  'Виктория',
  'Галина',
  'Дарья',
  'Екатерина',
  'Елена',
  'Елизавета',
  'Ирина',
  'Ксения',
  'Людмила',
  'Марина',
  'Мария',
  'Надежда',
  'Наталья',
  'Нина',
  'Оксана',
  'Ольга',
  'Полина',
  'Светлана',
  'Софья',
  'Татьяна',
  'Юлия',
  'Яна',
  'Любовь',
];

/** Parts of company names: stems that join ("Уралстрой", "ТехноСнаб") and whole words ("Гранит"). */
const NAME_STEMS: readonly [string, string][] = [
  ['Урал', 'ural'],
  ['Кама', 'kama'],
  ['Перм', 'perm'],
  ['Строй', 'stroy'],
  ['Техно', 'tekhno'],
  ['Пром', 'prom'],
  ['Энерго', 'energo'],
  ['Агро', 'agro'],
  ['Сиб', 'sib'],
  ['Евро', 'evro'],
  ['Спец', 'spets'],
  ['Мега', 'mega'],
  ['Инвест', 'invest'],
  ['Гео', 'geo'],
  ['Авто', 'avto'],
  ['Мет', 'met'],
  ['Тех', 'tekh'],
  ['Дор', 'dor'],
  ['Лес', 'les'],
  ['Эко', 'eko'],
];
const NAME_ENDINGS: readonly [string, string][] = [
  ['строй', 'stroy'],
  ['снаб', 'snab'],
  ['торг', 'torg'],
  ['комплект', 'komplekt'],
  ['сервис', 'servis'],
  ['маркет', 'market'],
  ['ресурс', 'resurs'],
  ['монтаж', 'montazh'],
  ['пром', 'prom'],
  ['инструмент', 'instrument'],
  ['логистик', 'logistik'],
  ['холдинг', 'holding'],
];
const NAME_WORDS: readonly [string, string][] = [
  ['Гранит', 'granit'],
  ['Меридиан', 'meridian'],
  ['Орион', 'orion'],
  ['Вектор', 'vektor'],
  ['Альфа', 'alfa'],
  ['Спектр', 'spektr'],
  ['Фортуна', 'fortuna'],
  ['Эталон', 'etalon'],
  ['Монолит', 'monolit'],
  ['Атлант', 'atlant'],
  ['Прогресс', 'progress'],
  ['Горизонт', 'gorizont'],
  ['Континент', 'kontinent'],
  ['Арсенал', 'arsenal'],
  ['Ромашка', 'romashka'],
  ['Берёзка', 'beryozka'],
  ['Магистраль', 'magistral'],
  ['Капитал', 'kapital'],
  ['Стандарт', 'standart'],
  ['Профиль', 'profil'],
  ['Партнёр', 'partner'],
  ['Созвездие', 'sozvezdie'],
  ['Северный ветер', 'sevveter'],
  ['Кристалл', 'kristall'],
];
const COMPANY_FORMS: readonly [string, number][] = [
  ['ООО', 70],
  ['АО', 8],
  ['ООО ТД', 8],
  ['ЗАО', 4],
  ['ПАО', 1],
  ['ООО ПКФ', 3],
  ['ООО СК', 6],
];
const COMPANY_FORM_TOTAL = COMPANY_FORMS.reduce((sum, [, w]) => sum + w, 0);

export interface PersonName {
  readonly surname: string;
  readonly first: string;
  readonly patronymic: string;
  /** Latin letters for an e-mail address. */
  readonly latin: string;
  readonly female: boolean;
}

export function personName(random: Random, female = random.chance(0.5)): PersonName {
  const s = SURNAMES[random.int(SURNAMES.length)]!;
  const father = MALE_NAMES[random.int(MALE_NAMES.length)]!;
  const first = female ? FEMALE_NAMES[random.int(FEMALE_NAMES.length)]! : MALE_NAMES[random.int(MALE_NAMES.length)]![0];
  const surname = female ? s[1] : s[0];
  return { surname, first, patronymic: female ? father[2] : father[1], latin: latinOf(surname), female };
}

const latinCache = new Map<string, string>();
const latinOf = (word: string): string => {
  let latin = latinCache.get(word);
  if (latin === undefined) latinCache.set(word, (latin = transliterate(word)));
  return latin;
};

export const fullName = (n: PersonName): string => `${n.surname} ${n.first} ${n.patronymic}`;

export interface CompanyName {
  readonly name: string;
  /** Latin slug for the company's web domain. */
  readonly slug: string;
}

/** `ООО «Уралснаб»`, `АО «Гранит-Пермь»`, `ООО ТД «Меридиан»`. */
export function companyName(random: Random, citySuffix: { name: string; slug: string } | null): CompanyName {
  let core: string;
  let slug: string;
  if (random.chance(0.55)) {
    const [stem, stemLatin] = NAME_STEMS[random.int(NAME_STEMS.length)]!;
    const [ending, endingLatin] = NAME_ENDINGS[random.int(NAME_ENDINGS.length)]!;
    core = stem + ending;
    slug = stemLatin + endingLatin;
  } else {
    [core, slug] = NAME_WORDS[random.int(NAME_WORDS.length)]!;
  }
  if (citySuffix && random.chance(0.3)) {
    core = `${core}-${citySuffix.name}`;
    slug = `${slug}-${citySuffix.slug}`;
  }
  let pick = random.next() * COMPANY_FORM_TOTAL;
  let form = COMPANY_FORMS[0]![0];
  for (const [f, w] of COMPANY_FORMS) {
    if ((pick -= w) < 0) {
      form = f;
      break;
    }
  }
  return { name: `${form} «${core}»`, slug };
}
