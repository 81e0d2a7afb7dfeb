import type { DemoGroup } from './partner-groups.js';
import { cumulative, Random } from './random.js';

/**
 * What the demo company sells: tools, fasteners, building materials, paints, plumbing and
 * electrics, in a two-level hierarchy of product groups. Each of the six top groups is one of
 * the discount categories "Сегмент1" … "Сегмент6" of seed 002 (see demo-segments).
 */
interface ItemType {
  readonly name: string;
  /** Price range in roubles. */
  readonly price: readonly [number, number];
  readonly unit: string;
}

interface Subgroup {
  readonly id: string;
  readonly name: string;
  readonly items: readonly ItemType[];
}

interface TopGroup {
  readonly id: string;
  readonly name: string;
  readonly brands: readonly string[];
  /** Warranty in months (tools) or none. */
  readonly warranty: readonly number[];
  readonly subgroups: readonly Subgroup[];
}

const item = (name: string, low: number, high: number, unit = 'шт'): ItemType => ({ name, price: [low, high], unit });

export const PRODUCT_CATALOGUE: readonly TopGroup[] = [
  {
    id: 'power-tools',
    name: 'Электроинструмент',
    brands: ['Makita', 'Bosch', 'DeWALT', 'Интерскол', 'Зубр', 'Metabo', 'HiKOKI', 'Вихрь'],
    warranty: [12, 24, 36],
    subgroups: [
      { id: 'drills', name: 'Дрели', items: [item('Дрель ударная', 3200, 14000), item('Дрель безударная', 2500, 9000), item('Миксер строительный', 5500, 19000)] },
      { id: 'rotary-hammers', name: 'Перфораторы', items: [item('Перфоратор SDS-plus', 5200, 26000), item('Перфоратор SDS-max', 18000, 65000)] },
      { id: 'screwdrivers', name: 'Шуруповёрты', items: [item('Шуруповёрт аккумуляторный', 3500, 21000), item('Гайковёрт ударный', 6500, 32000)] },
      { id: 'grinders', name: 'Шлифмашины', items: [item('УШМ (болгарка) 125 мм', 2600, 12500), item('УШМ (болгарка) 230 мм', 5200, 19000), item('Шлифмашина эксцентриковая', 4200, 17000)] },
      { id: 'saws', name: 'Пилы', items: [item('Пила циркулярная', 4800, 23000), item('Лобзик электрический', 3100, 15500), item('Пила торцовочная', 11000, 52000)] },
    ],
  },
  {
    id: 'hand-tools',
    name: 'Ручной инструмент',
    brands: ['Зубр', 'Stayer', 'Matrix', 'Kraftool', 'Sparta', 'Stanley'],
    warranty: [0, 12],
    subgroups: [
      { id: 'hammers', name: 'Молотки и кувалды', items: [item('Молоток слесарный', 350, 1600), item('Кувалда', 900, 3200)] },
      { id: 'wrenches', name: 'Ключи и наборы', items: [item('Набор ключей комбинированных', 1200, 7800), item('Набор головок', 2400, 14500)] },
      { id: 'measuring', name: 'Измерительный инструмент', items: [item('Рулетка 5 м', 250, 1400), item('Уровень строительный', 600, 4500), item('Лазерный нивелир', 4200, 28000)] },
    ],
  },
  {
    id: 'fasteners',
    name: 'Крепёж',
    brands: ['Tech-Krep', 'Европартнёр', 'Fischer', 'Sormat', 'Зубр'],
    warranty: [],
    subgroups: [
      { id: 'screws', name: 'Саморезы и шурупы', items: [item('Саморез по дереву 3,5×35 (1000 шт)', 420, 900, 'уп'), item('Саморез кровельный 5,5×25 (250 шт)', 380, 800, 'уп')] },
      { id: 'anchors', name: 'Дюбели и анкеры', items: [item('Дюбель-гвоздь 6×40 (200 шт)', 350, 750, 'уп'), item('Анкер клиновой 10×100 (50 шт)', 900, 2100, 'уп')] },
      { id: 'bolts', name: 'Болты и гайки', items: [item('Болт М10×50 (100 шт)', 650, 1500, 'уп'), item('Гайка М10 (200 шт)', 380, 850, 'уп')] },
    ],
  },
  {
    id: 'building-materials',
    name: 'Строительные материалы',
    brands: ['Knauf', 'Волма', 'ТехноНИКОЛЬ', 'Rockwool', 'Ceresit', 'Основит'],
    warranty: [],
    subgroups: [
      { id: 'dry-mixes', name: 'Сухие смеси', items: [item('Штукатурка гипсовая 30 кг', 420, 690, 'меш'), item('Цемент М500 50 кг', 450, 720, 'меш'), item('Клей плиточный 25 кг', 350, 890, 'меш')] },
      { id: 'drywall', name: 'Гипсокартон и профиль', items: [item('Гипсокартон 12,5 мм', 380, 640), item('Профиль 60×27, 3 м', 170, 330)] },
      { id: 'insulation', name: 'Утеплитель', items: [item('Утеплитель минвата 50 мм', 1100, 2600, 'уп'), item('Пеноплэкс 50 мм', 1500, 2900, 'уп')] },
      { id: 'roofing', name: 'Кровля', items: [item('Гибкая черепица', 650, 1450, 'м2'), item('Профнастил С8', 420, 780, 'м2')] },
    ],
  },
  {
    id: 'paints',
    name: 'Лакокрасочные материалы',
    brands: ['Tikkurila', 'Dulux', 'Текс', 'Empils', 'Ярославские краски'],
    warranty: [],
    subgroups: [
      { id: 'interior-paints', name: 'Краски интерьерные', items: [item('Краска интерьерная 9 л', 1900, 6800), item('Краска для потолков 9 л', 1500, 4800)] },
      { id: 'facade-paints', name: 'Краски фасадные', items: [item('Краска фасадная 9 л', 2600, 8200)] },
      { id: 'primers', name: 'Грунтовки', items: [item('Грунтовка глубокого проникновения 10 л', 650, 1900)] },
      { id: 'enamels', name: 'Эмали и лаки', items: [item('Эмаль ПФ-115 1,9 кг', 480, 1200), item('Лак паркетный 2,5 л', 1300, 3900)] },
    ],
  },
  {
    id: 'plumbing-electrics',
    name: 'Сантехника и электрика',
    brands: ['Grohe', 'Rehau', 'Valtec', 'Schneider Electric', 'IEK', 'Legrand'],
    warranty: [12, 24, 60],
    subgroups: [
      { id: 'mixers', name: 'Смесители', items: [item('Смеситель для кухни', 2400, 16000), item('Смеситель для ванны', 2900, 19000)] },
      { id: 'pipes', name: 'Трубы и фитинги', items: [item('Труба PP-R 20 мм, 2 м', 120, 380), item('Фитинг угловой 20 мм', 25, 120)] },
      { id: 'cable', name: 'Кабель и провод', items: [item('Кабель ВВГнг 3×2,5 (100 м)', 6200, 11500, 'бухта'), item('Провод ПВС 2×1,5 (50 м)', 1900, 3600, 'бухта')] },
      { id: 'switchgear', name: 'Автоматы и розетки', items: [item('Автоматический выключатель 16 А', 180, 950), item('Розетка с заземлением', 150, 890), item('Щит распределительный', 1200, 7800)] },
    ],
  },
];

/** Top groups, then subgroups, as directory rows. */
export const DEMO_PRODUCT_GROUPS: readonly DemoGroup[] = PRODUCT_CATALOGUE.flatMap((top) => [
  { id: top.id, name: top.name, parent: null },
  ...top.subgroups.map((sub) => ({ id: sub.id, name: sub.name, parent: top.id })),
]);

const COUNTRIES: Record<string, string> = {
  Makita: 'Япония',
  Bosch: 'Германия',
  DeWALT: 'США',
  Metabo: 'Германия',
  HiKOKI: 'Япония',
  Stanley: 'США',
  Fischer: 'Германия',
  Sormat: 'Финляндия',
  Knauf: 'Германия',
  Rockwool: 'Дания',
  Ceresit: 'Германия',
  Tikkurila: 'Финляндия',
  Dulux: 'Великобритания',
  Grohe: 'Германия',
  Rehau: 'Германия',
  Valtec: 'Италия',
  'Schneider Electric': 'Франция',
  Legrand: 'Франция',
  Matrix: 'Китай',
  Sparta: 'Китай',
};

export interface DemoProduct {
  readonly id: string;
  readonly name: string;
  readonly group: string;
  /** Index of its top group in PRODUCT_CATALOGUE. */
  readonly top: number;
  readonly brand: string;
  readonly unit: string;
  readonly country: string;
  readonly warrantyMonths: number | null;
  /** List price in kopecks. */
  readonly price: number;
  /** Cost as a share of the selling price. */
  readonly costShare: number;
}

/** The products, with how often each sells: a few best-sellers and a long tail. */
export interface ProductCatalogue {
  readonly products: readonly DemoProduct[];
  /** Cumulative popularity over all products. */
  readonly popularity: Float64Array;
  /** Per top group: product indexes and their cumulative popularity. */
  readonly byTop: readonly { readonly indexes: Int32Array; readonly popularity: Float64Array }[];
}

export function productCount(partners: number): number {
  return Math.max(120, Math.min(10_000, Math.round(200 + Math.sqrt(partners) * 8)));
}

export function buildProducts(seed: number, count: number, idWidth: number): ProductCatalogue {
  const random = Random.stream(seed, 0x50524f44);
  const subgroups = PRODUCT_CATALOGUE.flatMap((top, t) => top.subgroups.map((sub) => ({ top, t, sub })));
  const products: DemoProduct[] = [];
  const weights = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    // Every subgroup gets products before any gets a second round.
    const { top, t, sub } = subgroups[i < subgroups.length ? i : random.int(subgroups.length)]!;
    const type = random.pick(sub.items);
    const brand = random.pick(top.brands);
    const model = `${String.fromCharCode(65 + random.int(26))}${String.fromCharCode(65 + random.int(26))}-${random.between(100, 9999)}`;
    const [low, high] = type.price;
    const roubles = low * Math.pow(high / low, random.next());
    const price = roubles >= 1000 ? Math.round(roubles / 10) * 1000 : Math.round(roubles) * 100;
    products.push({
      id: `G${String(i + 1).padStart(idWidth, '0')}`,
      name: `${type.name} ${brand} ${model}`,
      group: sub.id,
      top: t,
      brand,
      unit: type.unit,
      country: COUNTRIES[brand] ?? 'Россия',
      warrantyMonths: top.warranty.length ? random.pick(top.warranty) || null : null,
      price,
      costShare: 0.6 + random.next() * 0.22,
    });
    // Zipf-like popularity by a random rank.
    weights[i] = 1 / Math.pow(1 + random.int(count), 0.85);
  }
  const byTop = PRODUCT_CATALOGUE.map((_, t) => {
    const indexes = Int32Array.from(products.flatMap((p, i) => (p.top === t ? [i] : [])));
    return { indexes, popularity: cumulative(Array.from(indexes, (i) => weights[i]!)) };
  });
  return { products, popularity: cumulative(weights), byTop };
}
