import type { PartnerPriceList } from './prices.schema.js';

/** The languages a price list is written in. */
export const PRICE_LIST_LANGUAGES = ['ru', 'en'] as const;
export type PriceListLanguage = (typeof PRICE_LIST_LANGUAGES)[number];

const TEXT: Readonly<Record<PriceListLanguage, Record<string, string>>> = {
  ru: {
    sheet: 'Прайс-лист',
    title: 'Прайс-лист для «{partner}» на {date}',
    priceType: 'Вид цены: {name}, {currency}, {vat}',
    vatIncluded: 'цены с НДС {rate}%',
    vatExcluded: 'цены без НДС (НДС {rate}%)',
    agreement: 'Соглашение: {name}',
    noAgreement: 'Соглашение: нет (вид цены по умолчанию)',
    code: 'Код',
    product: 'Товар',
    unit: 'Ед.',
    price: 'Цена',
    from: 'Цена действует с',
    none: 'нет цены',
  },
  en: {
    sheet: 'Price list',
    title: 'Price list for "{partner}" on {date}',
    priceType: 'Price type: {name}, {currency}, {vat}',
    vatIncluded: 'prices include VAT {rate}%',
    vatExcluded: 'prices exclude VAT ({rate}%)',
    agreement: 'Agreement: {name}',
    noAgreement: 'Agreement: none (the default price type)',
    code: 'Code',
    product: 'Product',
    unit: 'Unit',
    price: 'Price',
    from: 'Price valid from',
    none: 'no price',
  },
};

const fill = (template: string, values: Record<string, string | number>): string => template.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));
/** 2025-06-15 → 15.06.2025 in Russian; ISO in English. */
const showDate = (date: string, lang: PriceListLanguage): string => (lang === 'ru' ? `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}` : date);

/** The language of a request: `lang` if given, else the first of Accept-Language we write; Russian otherwise. */
export function priceListLanguage(lang: string | undefined, acceptLanguage: string | undefined): PriceListLanguage {
  if (lang === 'ru' || lang === 'en') return lang;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const code = part.trim().slice(0, 2).toLowerCase();
    if (code === 'ru' || code === 'en') return code;
  }
  return 'ru';
}

/**
 * "A price list for the client" as an XLSX book: a heading (partner, date, price type and VAT,
 * agreement), then code, product, unit, price (a number, two decimals) and the date of the
 * price, in the request's language.
 */
export async function priceListXlsx(list: PartnerPriceList, lang: PriceListLanguage): Promise<Buffer> {
  const t = TEXT[lang];
  // Loaded on first use: at start-up ExcelJS would cost every process (CLI command, test file,
  // child) about 0.1–0.25 s of CPU, workbook or not.
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  book.creator = 'Segmenta';
  const sheet = book.addWorksheet(t.sheet);
  const type = list.priceType;
  sheet.addRow([fill(t.title!, { partner: list.partnerName ?? list.partnerId, date: showDate(list.date, lang) })]).font = { bold: true, size: 14 };
  sheet.addRow([fill(t.priceType!, { name: type.name, currency: type.currency, vat: fill(type.vatIncluded ? t.vatIncluded! : t.vatExcluded!, { rate: type.vatRate }) })]);
  sheet.addRow([list.agreement ? fill(t.agreement!, { name: list.agreement.name }) : t.noAgreement!]);
  sheet.addRow([]);
  const header = sheet.addRow([t.code, t.product, t.unit, `${t.price} (${type.currency})`, t.from]);
  header.font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 5 }];
  for (const item of list.items) {
    sheet.addRow([item.productId, item.productName ?? '', item.unit ?? '', item.price ?? t.none, item.row ? showDate(item.row.validFrom, lang) : '']);
  }
  sheet.getColumn(1).width = 16;
  sheet.getColumn(2).width = 48;
  sheet.getColumn(3).width = 8;
  sheet.getColumn(4).width = 16;
  sheet.getColumn(4).numFmt = '#,##0.00';
  sheet.getColumn(5).width = 18;
  return Buffer.from(await book.xlsx.writeBuffer());
}
