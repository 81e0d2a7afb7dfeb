import { propertyValue, type EntityRecord, type PropertyRow } from '../../model/records.js';
import { sql } from '../../sql/sql.js';
import type { Queryable } from '../../sql/queryable.js';
import type { SegmentKind } from '../segments/segment.schema.js';
import type { ExportLanguage, ExportType } from './export-locale.js';
import type { CellValue } from './report.js';

/**
 * The columns of a members file for people (issue 21): a heading in the UI's language, a
 * directory's name with its code in a column of its own (as 1C's list shows them), roles and
 * legal forms in words, and every additional property (ИНН, …) as a column of its own.
 */

/** A member's cell: a list (roles) is joined by the writer ("|" in a machine CSV, ", " elsewhere). */
export type MemberCell = CellValue | readonly string[];

/** One column of a members file: its heading, how a value is read from a member, its kind. */
export interface MemberColumn {
  readonly header: string;
  readonly type: ExportType;
  value(record: EntityRecord, properties: ReadonlyMap<string, CellValue>): MemberCell;
}

type Words = Readonly<Record<string, string>>;

const HEADINGS: Readonly<Record<ExportLanguage, Words>> = {
  ru: {
    id: 'Код',
    name: 'Наименование',
    roles: 'Роли',
    legalForm: 'Юр. / физ. лицо',
    group: 'Группа',
    groupCode: 'Код группы',
    region: 'Регион',
    regionCode: 'Код региона',
    manager: 'Менеджер',
    managerCode: 'Код менеджера',
    type: 'Вид партнёра',
    typeCode: 'Код вида партнёра',
    birthDate: 'Дата рождения',
    registeredAt: 'Дата регистрации',
    deleted: 'Помечен на удаление',
    email: 'Эл. почта',
    phone: 'Телефон',
    brand: 'Марка',
    unit: 'Единица измерения',
  },
  en: {
    id: 'Code',
    name: 'Name',
    roles: 'Roles',
    legalForm: 'Company / person',
    group: 'Group',
    groupCode: 'Group code',
    region: 'Region',
    regionCode: 'Region code',
    manager: 'Manager',
    managerCode: 'Manager code',
    type: 'Partner type',
    typeCode: 'Partner type code',
    birthDate: 'Birth date',
    registeredAt: 'Registered',
    deleted: 'Marked for deletion',
    email: 'Email',
    phone: 'Phone',
    brand: 'Brand',
    unit: 'Unit',
  },
};

const VALUES: Readonly<Record<ExportLanguage, Words>> = {
  ru: { customer: 'Клиент', supplier: 'Поставщик', competitor: 'Конкурент', other: 'Прочее', company: 'Компания', person: 'Частное лицо' },
  en: { customer: 'Customer', supplier: 'Supplier', competitor: 'Competitor', other: 'Other', company: 'Company', person: 'Person' },
};

/** The directories whose names a members file shows next to their codes. */
const DIRECTORIES = { partnerGroups: 'partner_groups', regions: 'regions', managers: 'managers', partnerTypes: 'partner_types', productGroups: 'product_groups' } as const;

async function names(db: Queryable, table: string): Promise<ReadonlyMap<string, string>> {
  // Directory tables come from the fixed list above.
  const rows = await db.query<{ id: string; name: string }>(sql`SELECT id, name FROM ${sql.raw(table)}`);
  return new Map(rows.map((r) => [String(r.id), String(r.name)]));
}

const propertyTable = (kind: SegmentKind) => (kind === 'product' ? { table: 'product_properties', owner: 'product_id' } : { table: 'partner_properties', owner: 'partner_id' });

/** The properties members have, by name, with the kind of their values. */
async function propertyColumns(db: Queryable, kind: SegmentKind): Promise<{ name: string; type: ExportType }[]> {
  const { table } = propertyTable(kind);
  const rows = await db.query<{ name: string; n: number; d: number; b: number }>(
    sql`SELECT name, COUNT(value_number) AS n, COUNT(value_date) AS d, COUNT(value_boolean) AS b FROM ${sql.raw(table)} GROUP BY name ORDER BY name`,
  );
  return rows.map((r) => ({ name: String(r.name), type: Number(r.d) > 0 ? 'date' : Number(r.b) > 0 ? 'boolean' : Number(r.n) > 0 ? 'number' : 'text' }));
}

const isoDate = (value: unknown): CellValue => (value instanceof Date ? value.toISOString().slice(0, 10) : (value as CellValue));

/** The additional properties of the members whose ids lie between two ids (a page of an export). */
export async function propertiesBetween(db: Queryable, kind: SegmentKind, first: string, last: string): Promise<Map<string, Map<string, CellValue>>> {
  const { table, owner } = propertyTable(kind);
  const rows = await db.query<PropertyRow & { owner: string }>(
    sql`SELECT ${sql.raw(owner)} AS owner, name, value_text, value_number, value_date, value_boolean FROM ${sql.raw(table)} WHERE ${sql.raw(owner)} >= ${first} AND ${sql.raw(owner)} <= ${last}`,
  );
  const byOwner = new Map<string, Map<string, CellValue>>();
  for (const row of rows) {
    const id = String(row.owner);
    let properties = byOwner.get(id);
    if (!properties) byOwner.set(id, (properties = new Map()));
    properties.set(String(row.name), isoDate(propertyValue(row)));
  }
  return byOwner;
}

/** The columns of a members file for people in a language. */
export async function peopleColumns(db: Queryable, kind: SegmentKind, language: ExportLanguage): Promise<MemberColumn[]> {
  const h = HEADINGS[language];
  const words = VALUES[language];
  const word = (value: unknown): CellValue => (typeof value === 'string' ? (words[value] ?? value) : null);
  const field =
    (name: string, type: ExportType = 'text') =>
    (header: string): MemberColumn => ({ header, type, value: (r) => isoDate(r[name] ?? null) });
  const named = async (name: string, table: string, header: string, codeHeader: string): Promise<MemberColumn[]> => {
    const directory = await names(db, table);
    return [
      { header, type: 'text', value: (r) => (typeof r[name] === 'string' ? (directory.get(r[name]) ?? r[name]) : null) },
      { header: codeHeader, type: 'text', value: (r) => (r[name] ?? null) as CellValue },
    ];
  };
  const columns: MemberColumn[] =
    kind === 'product'
      ? [field('id')(h.id!), field('name')(h.name!), ...(await named('group', DIRECTORIES.productGroups, h.group!, h.groupCode!)), field('brand')(h.brand!), field('unit')(h.unit!)]
      : [
          field('id')(h.id!),
          field('name')(h.name!),
          { header: h.roles!, type: 'text', value: (r) => (Array.isArray(r.roles) ? (r.roles as string[]).map((v) => words[v] ?? v) : null) },
          { header: h.legalForm!, type: 'text', value: (r) => word(r.legalForm) },
          ...(await named('group', DIRECTORIES.partnerGroups, h.group!, h.groupCode!)),
          ...(await named('region', DIRECTORIES.regions, h.region!, h.regionCode!)),
          ...(await named('manager', DIRECTORIES.managers, h.manager!, h.managerCode!)),
          ...(await named('type', DIRECTORIES.partnerTypes, h.type!, h.typeCode!)),
          field('birthDate', 'date')(h.birthDate!),
          field('registeredAt', 'date')(h.registeredAt!),
          { header: h.deleted!, type: 'boolean', value: (r) => r.deleted === true },
          field('email')(h.email!),
          field('phone')(h.phone!),
        ];
  for (const property of await propertyColumns(db, kind)) {
    columns.push({ header: property.name, type: property.type, value: (_r, properties) => properties.get(property.name) ?? null });
  }
  return columns;
}
