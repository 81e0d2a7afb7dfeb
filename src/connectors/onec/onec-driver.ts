import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { EntityRecord } from '../../model/records.js';
import { recordsBatch, Spool } from '../batches.js';
import type {
  ConnectionTest,
  ConnectorDriver,
  DriverConnection,
  EntityBatch,
  MarksUpdate,
  ObjectMark,
  PublishResult,
  PublishTarget,
  Refusal,
  SyncBatch,
  SyncContext,
  SyncedPriceType,
  SyncedSegment,
} from '../driver.js';
import { metadataOf, type ODataMetadata } from './metadata.js';
import { dateOf, datetimeLiteral, guidLiteral, ODataClient, refOf, type ODataRow } from './odata-client.js';
import { balanceOf, ONEC_PROFILES, PROFILES, PROPERTIES_SECTION, type ContactField, type OneCObjects, type OneCProfile } from './profile.js';

/**
 * The 1C:Trade Management / ERP connector over the standard OData interface
 * (docs/connectors-1c.md). A sync reads catalogs (in full the first time, later only the objects
 * whose DataVersion changed, found by listing Ref_Key and DataVersion), the revenue register's
 * lines (all the first time, later the trailing window: the previous and the current month of
 * the 1C server's calendar, since 1C re-posts documents and corrects cost at month close) and
 * the receivables' balance as a snapshot; it maps them to Segmenta's entities. Publishing keeps
 * an item of Catalog_СегментыПартнеров per segment and its pairs in InformationRegister_ПартнерыСегмента.
 */

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const oneCSettingsSchema = z.strictObject({
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
    .refine((u) => {
      const parsed = new URL(u);
      return parsed.username === '' && parsed.password === '';
    }, 'must not carry a user or password (give them as user and the secret)')
    .describe("The base's publication: http(s)://host/<base> (…/odata/standard.odata is added when missing)"),
  user: z.string().min(1).max(200).describe('The 1C user the connector signs in as'),
  timezone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Moscow').default('Europe/Moscow').describe("The 1C server's time zone (1C's dates are its local time)"),
  profile: z.enum(ONEC_PROFILES).default('ut11.5').describe('The mapping profile: configuration and version'),
  allowedOnly: z.boolean().default(false).describe("Read only the rows the user may see under 1C's row-level restrictions (allowedOnly=true)"),
  requestsPerSecond: z.number().min(0.1).max(1000).default(20).describe('Most requests per second to 1C'),
  pageSize: z.number().int().min(10).max(10000).default(5000).describe('Rows per request ($top): 1C runs the query again for every page, so fewer, larger pages cost it less'),
  salesFrom: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable()
    .default(null)
    .describe('The first sync reads sale lines from this date (null: all)'),
  timeoutMs: z.number().int().min(100).max(600000).default(60000).describe('Time-out of one request'),
  attempts: z.number().int().min(1).max(10).default(4).describe('Attempts of one request on 5xx answers and time-outs'),
  backoffMs: z.number().int().min(0).max(60000).default(500).describe('The first retry waits this long, each next one twice as long'),
});
export type OneCSettings = z.output<typeof oneCSettingsSchema>;

const PARTNER_FOLDER = 'folder';
/** Object marks' resource names for Ref_Key lists that are not catalogs of the profile. */
const FILTER_CHUNK = 40;

function clientOf(connection: DriverConnection<OneCSettings>): ODataClient {
  const s = connection.settings;
  return new ODataClient({
    url: s.url,
    user: s.user,
    password: connection.secret ?? '',
    allowedOnly: s.allowedOnly,
    requestsPerSecond: s.requestsPerSecond,
    timeoutMs: s.timeoutMs,
    attempts: s.attempts,
    backoffMs: s.backoffMs,
    onRequest: connection.onRequest,
  });
}

/** The objects of the profile missing in the metadata (or lacking fields), by name. */
function checkProfile(profile: OneCProfile, metadata: ODataMetadata): { published: string[]; missing: string[]; optionalMissing: string[] } {
  const published: string[] = [];
  const missing: string[] = [];
  const optionalMissing: string[] = [];
  for (const key of Object.keys(profile.objects) as (keyof OneCObjects)[]) {
    const name = profile.objects[key];
    const fields = metadata.entitySets.get(name);
    const lacking = fields ? profile.fields[key].filter((f) => fields.size > 0 && !fields.has(f)) : [];
    const label = fields ? (lacking.length ? `${name} (no ${lacking.join(', ')})` : name) : name;
    if (fields && !lacking.length) published.push(name);
    else if (profile.optional.includes(key)) optionalMissing.push(label);
    else missing.push(label);
  }
  return { published, missing, optionalMissing };
}

/** The naive local date-time of the 1C server now, `yyyy-mm-ddThh:mm:ss`. */
function localNow(zone: string, now = new Date()): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** The first day of the month before the one `local` falls in. */
export function windowStart(local: string): string {
  const year = Number(local.slice(0, 4));
  const month = Number(local.slice(5, 7));
  const y = month === 1 ? year - 1 : year;
  const m = month === 1 ? 12 : month - 1;
  return `${y}-${String(m).padStart(2, '0')}-01`;
}

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0));

/** A catalog read: the objects to write (changed or all) and the marks update. */
interface CatalogRead {
  readonly rows: ODataRow[];
  readonly removed: string[];
  readonly marks: MarksUpdate;
  /** Every mark after this read (stored ones with the changes): the key maps' values. */
  readonly all: Map<string, ObjectMark>;
  /** Every object was read (a full read): the rows are all there are. */
  readonly whole: boolean;
}

class OneCSync {
  readonly client: ODataClient;
  readonly profile: OneCProfile;
  readonly refusals: Refusal[] = [];
  metadata: ODataMetadata | undefined;

  constructor(
    readonly connection: DriverConnection<OneCSettings>,
    readonly context: SyncContext,
  ) {
    this.client = clientOf(connection);
    this.profile = PROFILES[connection.settings.profile];
  }

  get full(): boolean {
    return this.context.mode === 'full';
  }

  /**
   * Reads a catalog: a full read pages through every object; an incremental one lists Ref_Key
   * and DataVersion, then reads only the objects whose version changed (by `Ref_Key eq guid'…'`
   * filters), or pages through all when most changed. Objects gone from the list are `removed`.
   */
  async readCatalog(key: keyof OneCObjects, valueOf: (row: ODataRow) => string | null = () => null, extraFields: readonly string[] = [], readAllAnyway = false): Promise<CatalogRead> {
    const resource = this.profile.objects[key];
    const published = this.metadata?.entitySets.get(resource);
    // Fields some releases lack: read when `$metadata` lists them.
    const optionalFields = (this.profile.whenPublished[key] ?? []).filter((f) => published?.has(f));
    const fields = [...this.profile.fields[key], ...optionalFields, ...extraFields];
    const pageSize = this.connection.settings.pageSize;
    const stored = await this.context.marks(resource);
    const markOf = (row: ODataRow): ObjectMark => ({ version: typeof row.DataVersion === 'string' ? row.DataVersion : null, value: valueOf(row) });
    const readAll = async (): Promise<ODataRow[]> => {
      const rows: ODataRow[] = [];
      for await (const page of this.client.pages(resource, { select: fields, orderby: 'Ref_Key' }, pageSize)) rows.push(...page);
      return rows;
    };
    let rows: ODataRow[];
    let seen: Map<string, string | null>;
    const whole = this.full || stored.size === 0 || readAllAnyway;
    if (whole) {
      rows = await readAll();
      seen = new Map(rows.map((r) => [String(r.Ref_Key), typeof r.DataVersion === 'string' ? r.DataVersion : null]));
    } else {
      seen = new Map();
      for await (const page of this.client.pages(resource, { select: ['Ref_Key', 'DataVersion'], orderby: 'Ref_Key' }, pageSize)) {
        for (const r of page) seen.set(String(r.Ref_Key), typeof r.DataVersion === 'string' ? r.DataVersion : null);
      }
      const changed = [...seen].filter(([ref, version]) => stored.get(ref)?.version !== version || version === null).map(([ref]) => ref);
      if (changed.length > seen.size / 3) {
        rows = await readAll();
      } else {
        rows = [];
        for (let i = 0; i < changed.length; i += FILTER_CHUNK) {
          const filter = changed
            .slice(i, i + FILTER_CHUNK)
            .map((ref) => `Ref_Key eq ${guidLiteral(ref)}`)
            .join(' or ');
          rows.push(...(await this.client.get(resource, { select: fields, filter, orderby: 'Ref_Key' })));
        }
      }
    }
    const removed = [...stored.keys()].filter((ref) => !seen.has(ref));
    const set = new Map(rows.map((r) => [String(r.Ref_Key), markOf(r)]));
    const all = new Map(stored);
    for (const ref of removed) all.delete(ref);
    for (const [ref, mark] of set) all.set(ref, mark);
    return { rows, removed, all, whole, marks: { resource, replaceAll: whole, set, removed } };
  }

  refuse(entity: string, id: string | null, reason: string): void {
    this.refusals.push({ entity, id, reason });
  }

  async run(): Promise<SyncBatch> {
    const { context, profile } = this;
    const o = profile.objects;
    context.stage('connecting');
    const metadata = await metadataOf(this.client, this.connection.settings.user, this.full);
    this.metadata = metadata;
    const check = checkProfile(profile, metadata);
    if (check.missing.length) throw new AppError('CONNECTOR_PROFILE_MISMATCH', { url: this.client.base, profile: profile.name, missing: check.missing });

    const entities: EntityBatch[] = [];
    const marks: MarksUpdate[] = [];
    const read: Record<string, number> = {};

    context.stage('directories');
    const regions = await this.readCatalog('regions');
    const users = await this.readCatalog('users');
    marks.push(regions.marks, users.marks);
    const regionRecords = regions.rows.map((r) => ({ id: String(r.Ref_Key), name: String(r.Description ?? ''), parent: refOf(r.Parent_Key) }));
    const managerRecords = users.rows.map((r) => ({ id: String(r.Ref_Key), name: String(r.Description ?? '') }));

    context.stage('partners');
    // Additional properties: when the tabular section and the definitions are published.
    const withProperties = metadata.entitySets.get(o.partners)?.has(PROPERTIES_SECTION) === true && metadata.entitySets.has(o.propertyDefinitions);
    const definitions = withProperties ? await this.readCatalog('propertyDefinitions', (r) => String(r.Description ?? '')) : null;
    const values = withProperties && metadata.entitySets.has(o.propertyValues) ? await this.readCatalog('propertyValues', (r) => String(r.Description ?? '')) : null;
    if (definitions) marks.push(definitions.marks);
    if (values) marks.push(values.marks);
    const partners = await this.readCatalog('partners', (r) => (r.IsFolder === true ? PARTNER_FOLDER : null), withProperties ? [PROPERTIES_SECTION] : []);
    const partnerKeys = await this.readCatalog('partnerKeys', (r) => refOf(r.Партнер_Key));
    const settlementObjects = await this.readCatalog('settlementObjects', (r) => refOf(r.Партнер_Key));
    marks.push(partners.marks, partnerKeys.marks, settlementObjects.marks);
    const groupRecords: EntityRecord[] = [];
    const partnerRecords: EntityRecord[] = [];
    // Every property a partner had: a changed partner without one gets null, which removes it.
    const propertyNames = new Set(Array.isArray(context.cursors.partnerProperties) ? (context.cursors.partnerProperties as unknown[]).map(String) : []);
    for (const r of partners.rows) {
      const id = String(r.Ref_Key);
      if (r.IsFolder === true) {
        groupRecords.push({ id, name: String(r.Description ?? ''), parent: refOf(r.Parent_Key) });
        continue;
      }
      const roles = [r.Клиент === true ? 'customer' : null, r.Поставщик === true ? 'supplier' : null, r.Конкурент === true ? 'competitor' : null].filter((x): x is string => x !== null);
      const form = r.ЮрФизЛицо === 'ЧастноеЛицо' ? 'person' : r.ЮрФизЛицо === 'Компания' ? 'company' : null;
      const properties = definitions ? propertiesOf(r[PROPERTIES_SECTION], definitions.all, values?.all ?? new Map()) : null;
      if (properties) for (const name of Object.keys(properties)) propertyNames.add(name);
      partnerRecords.push({
        ...(properties ? { properties } : {}),
        id,
        name: String(r.Description ?? ''),
        roles: roles.length ? roles : ['other'],
        legalForm: form,
        group: refOf(r.Parent_Key),
        region: refOf(r.БизнесРегион_Key),
        manager: refOf(r.ОсновнойМенеджер_Key),
        registeredAt: dateOf(r.ДатаРегистрации),
        deleted: r.DeletionMark === true,
      });
    }
    if (definitions) {
      for (const record of partnerRecords) {
        const properties = record.properties as Record<string, unknown>;
        for (const name of propertyNames) if (!(name in properties)) properties[name] = null;
      }
    }
    const stored = await context.marks(o.partners);
    const gonePartners = partners.removed.filter((ref) => stored.get(ref)?.value !== PARTNER_FOLDER);

    const ownSegments = await this.readSegments(check.optionalMissing);

    context.stage('products');
    const withProductProperties = definitions !== null && metadata.entitySets.get(o.products)?.has(PROPERTIES_SECTION) === true;
    const products = await this.readCatalog('products', (r) => (r.IsFolder === true ? PARTNER_FOLDER : null), withProductProperties ? [PROPERTIES_SECTION] : []);
    const productKeys = await this.readCatalog('productKeys', (r) => refOf(r.Номенклатура_Key));
    marks.push(products.marks, productKeys.marks);
    const productGroupRecords: EntityRecord[] = [];
    const productRecords: EntityRecord[] = [];
    const productPropertyNames = new Set(Array.isArray(context.cursors.productProperties) ? (context.cursors.productProperties as unknown[]).map(String) : []);
    for (const r of products.rows) {
      if (r.IsFolder === true) {
        productGroupRecords.push({ id: String(r.Ref_Key), name: String(r.Description ?? ''), parent: refOf(r.Parent_Key) });
        continue;
      }
      const properties = withProductProperties ? propertiesOf(r[PROPERTIES_SECTION], definitions.all, values?.all ?? new Map()) : null;
      if (properties) for (const name of Object.keys(properties)) productPropertyNames.add(name);
      productRecords.push({ ...(properties ? { properties } : {}), id: String(r.Ref_Key), name: String(r.Description ?? ''), group: refOf(r.Parent_Key) });
    }
    if (withProductProperties) {
      for (const record of productRecords) {
        const properties = record.properties as Record<string, unknown>;
        for (const name of productPropertyNames) if (!(name in properties)) properties[name] = null;
      }
    }

    entities.push(
      recordsBatch('regions', regionRecords),
      recordsBatch('managers', managerRecords),
      recordsBatch('partnerGroups', groupRecords),
      recordsBatch('partners', partnerRecords, { gone: gonePartners }),
      recordsBatch('productGroups', productGroupRecords),
      recordsBatch('products', productRecords),
    );
    read.regions = regions.rows.length;
    read.managers = users.rows.length;
    read.partnerGroups = groupRecords.length;
    read.partners = partnerRecords.length;
    read.productGroups = productGroupRecords.length;
    read.products = productRecords.length;

    const prefix = `1c-${this.connection.id}:`;
    const nowLocal = localNow(this.connection.settings.timezone);

    context.stage('sales');
    const from = this.full ? this.connection.settings.salesFrom : windowStart(nowLocal);
    const sales = new Spool('sales', context.spoolDir);
    const partnerOf = (key: unknown) => {
      const ref = refOf(key);
      return ref ? (partnerKeys.all.get(ref)?.value ?? null) : null;
    };
    const productOf = (key: unknown) => {
      const ref = refOf(key);
      return ref ? (productKeys.all.get(ref)?.value ?? null) : null;
    };
    let salesRead = 0;
    const salesQuery = { select: profile.fields.sales, orderby: 'Period,Recorder,LineNumber', ...(from ? { filter: `Period ge ${datetimeLiteral(from)}` } : {}) };
    for await (const page of this.client.pages(o.sales, salesQuery, this.connection.settings.pageSize)) {
      for (const r of page) {
        salesRead++;
        if (r.Active === false) continue;
        const id = `${prefix}s/${String(r.Recorder)}/${String(r.LineNumber)}`;
        const partner = partnerOf(r.АналитикаУчетаПоПартнерам_Key);
        const product = productOf(r.АналитикаУчетаНоменклатуры_Key);
        if (!partner) {
          this.refuse('sales', id, `the partner analytics key ${String(r.АналитикаУчетаПоПартнерам_Key)} names no partner`);
          continue;
        }
        if (!product) {
          this.refuse('sales', id, `the product analytics key ${String(r.АналитикаУчетаНоменклатуры_Key)} names no product`);
          continue;
        }
        const writing = sales.write({
          id,
          document: String(r.Recorder),
          date: dateOf(r.Period),
          partner,
          product,
          quantity: num(r.Количество),
          revenue: num(r.СуммаВыручки),
          cost: r.Стоимость === undefined || r.Стоимость === null ? null : num(r.Стоимость),
          manager: refOf(r.Менеджер_Key),
        });
        if (writing) await writing;
      }
    }
    entities.push(await sales.close({ replace: { idPrefix: `${prefix}s/`, dateFrom: from } }));
    read.sales = salesRead;

    context.stage('receivables');
    const debts = new Map<string, EntityRecord>();
    const today = nowLocal.slice(0, 10);
    const balance = `${balanceOf(o.receivables)}/Balance(Period=${datetimeLiteral(nowLocal)})`;
    let receivablesRead = 0;
    for await (const page of this.client.pages(balance, { orderby: 'ОбъектРасчетов_Key,ДатаПлановогоПогашения' }, this.connection.settings.pageSize)) {
      for (const r of page) {
        receivablesRead++;
        const object = refOf(r.ОбъектРасчетов_Key);
        const amount = num(r.ДолгBalance);
        if (!object || amount === 0) continue;
        const due = dateOf(r.ДатаПлановогоПогашения);
        const id = `${prefix}debt/${object}/${due ?? '-'}`;
        const partner = settlementObjects.all.get(object)?.value ?? null;
        if (!partner) {
          this.refuse('settlements', id, `the settlement object ${object} names no partner`);
          continue;
        }
        const before = debts.get(id);
        debts.set(id, { id, partner, date: today, amount: num(before?.amount) + amount, dueDate: due });
      }
    }
    entities.push(recordsBatch('settlements', [...debts.values()], { replace: { idPrefix: `${prefix}debt/`, dateFrom: null } }));
    read.settlements = receivablesRead;

    context.stage('interactions');
    const people = check.optionalMissing.includes(o.contactPersons) ? null : await this.readCatalog('contactPersons', (r) => refOf(r.Владелец_Key));
    if (people) marks.push(people.marks);
    const interactions = await this.readInteractions(check.optionalMissing, people?.all ?? new Map(), prefix);
    if (interactions) {
      marks.push(...interactions.marks);
      entities.push(interactions.batch);
      read.interactions = interactions.read;
    }
    const deals = await this.readDeals(check.optionalMissing, prefix);
    if (deals) {
      marks.push(...deals.marks);
      entities.push(deals.batch);
      read.deals = deals.read;
    }

    context.stage('prices');
    const prices = await this.readPrices(check.optionalMissing, products.all);
    if (prices) {
      marks.push(...prices.marks);
      entities.push(prices.batch);
      read.prices = prices.read;
    }

    return {
      entities,
      marks,
      cursors: { lastSyncLocal: nowLocal, salesFrom: from, partnerProperties: [...propertyNames].sort(), productProperties: [...productPropertyNames].sort() },
      read,
      refusals: this.refusals,
      ...(prices ? { priceTypes: prices.types } : {}),
      ...(ownSegments ? { segments: ownSegments } : {}),
    };
  }

  /**
   * 1C's own partner segments and their members, read whole each sync (1C rebuilds a segment's
   * members without changing its item, so DataVersion says nothing); those marked for deletion
   * and those Segmenta published (its tag in Комментарий, its suffix in the name) are left out.
   */
  private async readSegments(optionalMissing: readonly string[]): Promise<SyncedSegment[] | null> {
    const o = this.profile.objects;
    if (optionalMissing.includes(o.segments) || optionalMissing.includes(o.segmentMembers)) return null;
    const withComment = this.metadata?.entitySets.get(o.segments)?.has('Комментарий') === true;
    const items = new Map<string, { name: string; members: string[] }>();
    const select = ['Ref_Key', 'Description', 'DeletionMark', ...(withComment ? ['Комментарий'] : [])];
    for await (const page of this.client.pages(o.segments, { select, orderby: 'Ref_Key' }, this.connection.settings.pageSize)) {
      for (const r of page) {
        const name = String(r.Description ?? '');
        if (r.DeletionMark === true || name.endsWith(PUBLISHED_SUFFIX) || String(r.Комментарий ?? '').startsWith(PUBLISHED_TAG)) continue;
        items.set(String(r.Ref_Key), { name, members: [] });
      }
    }
    if (items.size) {
      for await (const page of this.client.pages(o.segmentMembers, { select: ['Сегмент_Key', 'Партнер_Key'], orderby: 'Сегмент_Key,Партнер_Key' }, this.connection.settings.pageSize)) {
        for (const r of page) {
          const partner = refOf(r.Партнер_Key);
          if (partner) items.get(String(r.Сегмент_Key))?.members.push(partner);
        }
      }
    }
    return [...items].map(([remoteId, item]) => ({ remoteId, name: item.name, members: item.members }));
  }

  /**
   * Interactions from the documents the profile names (calls, meetings, letters), each read as
   * a catalog is (by DataVersion); one interaction per document and partner it names (directly,
   * or through a contact person of the partner). Documents marked for deletion have none. 1C
   * does not post interaction documents, so the deletion mark is all that removes one.
   */
  private async readInteractions(
    optionalMissing: readonly string[],
    people: ReadonlyMap<string, ObjectMark>,
    prefix: string,
  ): Promise<{ batch: EntityBatch; marks: MarksUpdate[]; read: number } | null> {
    const o = this.profile.objects;
    const sources = this.profile.interactions.filter((s) => !optionalMissing.includes(o[s.object]));
    if (!sources.length) return null;
    const records: EntityRecord[] = [];
    const scopes: string[] = [];
    const marks: MarksUpdate[] = [];
    let read = 0;
    for (const source of sources) {
      const docs = await this.readCatalog(source.object);
      marks.push(docs.marks);
      const base = `${prefix}i/${source.object}/`;
      if (docs.whole) scopes.push(base);
      else scopes.push(...docs.rows.map((r) => `${base}${String(r.Ref_Key)}/`), ...docs.removed.map((ref) => `${base}${ref}/`));
      for (const r of docs.rows) {
        read++;
        if (r.DeletionMark === true) continue;
        const date = dateOf(r.Date);
        if (!date) continue;
        const direction = source.direction === null || typeof source.direction === 'string' ? source.direction : r[source.direction.incomingField] === true ? 'in' : 'out';
        const partners = contactsOf(r, source.contact, people);
        for (const partner of partners) {
          records.push({ id: `${base}${String(r.Ref_Key)}/${partner}`, partner, date, type: source.type, direction, subject: typeof r.Тема === 'string' && r.Тема !== '' ? r.Тема : null });
        }
      }
    }
    return { batch: recordsBatch('interactions', records, { replace: { idPrefix: `${prefix}i/`, dateFrom: null, scopes } }), marks, read };
  }

  /** Deals (Catalog_СделкиСКлиентами), by DataVersion; one marked for deletion is removed. */
  private async readDeals(optionalMissing: readonly string[], prefix: string): Promise<{ batch: EntityBatch; marks: MarksUpdate[]; read: number } | null> {
    const o = this.profile.objects;
    if (optionalMissing.includes(o.deals)) return null;
    const reasons = optionalMissing.includes(o.dealLossReasons) ? null : await this.readCatalog('dealLossReasons', (r) => String(r.Description ?? ''));
    // A renamed reason: every deal is read again, so that its lost reason follows.
    const deals = await this.readCatalog('deals', () => null, [], reasons !== null && !reasons.whole && reasons.rows.length + reasons.removed.length > 0);
    const base = `${prefix}deal/`;
    const scopes = deals.whole ? [base] : [...deals.rows.map((r) => `${base}${String(r.Ref_Key)}`), ...deals.removed.map((ref) => `${base}${ref}`)];
    const records: EntityRecord[] = [];
    for (const r of deals.rows) {
      if (r.DeletionMark === true) continue;
      const id = `${base}${String(r.Ref_Key)}`;
      const partner = refOf(r.Партнер_Key);
      if (!partner) {
        this.refuse('deals', id, 'the deal names no partner');
        continue;
      }
      const status = String(r.Статус ?? '');
      const outcome = DEAL_OUTCOMES[status] ?? 'open';
      const closed = r.Закрыта === undefined ? outcome !== 'open' : r.Закрыта === true;
      const reason = refOf(r.ПричинаПроигрышаСделки_Key);
      records.push({
        id,
        partner,
        type: null,
        stage: status || null,
        amount: null,
        createdAt: dateOf(r.ДатаНачала),
        closedAt: closed ? dateOf(r.ДатаЗавершения) : null,
        outcome,
        lostReason: outcome === 'lost' && reason ? (reasons?.all.get(reason)?.value ?? null) : null,
      });
    }
    return {
      batch: recordsBatch('deals', records, { replace: { idPrefix: base, dateFrom: null, scopes } }),
      marks: [...(reasons ? [reasons.marks] : []), deals.marks],
      read: deals.rows.length,
    };
  }

  /**
   * Price types (Catalog_ВидыЦен, by DataVersion) and the whole prices register, read again
   * each sync: its records have no DataVersion and a price-setting document may be re-posted or
   * dated in the past at any time, so no window is safe; the register is small next to sales.
   * 1C writes computed prices (by formulas) to the register too, so every type is set by hand
   * in Segmenta. A record per characteristic or packaging is refused (Segmenta prices products).
   */
  private async readPrices(
    optionalMissing: readonly string[],
    products: ReadonlyMap<string, ObjectMark>,
  ): Promise<{ batch: EntityBatch; marks: MarksUpdate[]; read: number; types: SyncedPriceType[] } | null> {
    const o = this.profile.objects;
    if (optionalMissing.includes(o.priceTypes) || optionalMissing.includes(o.prices)) return null;
    const currencies = optionalMissing.includes(o.currencies) ? null : await this.readCatalog('currencies', (r) => currencyCode(r));
    const stored = await this.context.marks(o.priceTypes);
    const types = await this.readCatalog('priceTypes', (r) => (r.DeletionMark === true ? DELETED : null), [], currencies !== null && !currencies.whole && currencies.rows.length > 0);
    const synced: SyncedPriceType[] = [];
    for (const r of types.rows) {
      if (r.DeletionMark === true) continue;
      const currency = refOf(r.ВалютаЦены_Key);
      synced.push({
        id: String(r.Ref_Key),
        name: String(r.Description ?? ''),
        currency: (currency ? currencies?.all.get(currency)?.value : null) ?? 'RUB',
        vatIncluded: r.ЦенаВключаетНДС === true,
        description: `From 1C (${o.priceTypes})`,
      });
    }
    const active = new Set([...types.all].filter(([, mark]) => mark.value !== DELETED).map(([ref]) => ref));
    const spool = new Spool('prices', this.context.spoolDir);
    let read = 0;
    const query = {
      select: [...this.profile.fields.prices, ...(this.profile.whenPublished.prices ?? []).filter((f) => this.metadata?.entitySets.get(o.prices)?.has(f))],
      orderby: 'Period,Recorder,LineNumber',
    };
    for await (const page of this.client.pages(o.prices, query, this.connection.settings.pageSize)) {
      for (const r of page) {
        read++;
        if (r.Active === false) continue;
        const type = refOf(r.ВидЦены_Key);
        const product = refOf(r.Номенклатура_Key);
        const validFrom = dateOf(r.Period);
        if (!type || !active.has(type) || !product || !validFrom) continue;
        const id = `${type}|${product}|${validFrom}`;
        if (refOf(r.Характеристика_Key)) {
          this.refuse('prices', id, `a price of a characteristic (${String(r.Характеристика_Key)}): Segmenta keeps prices of products`);
          continue;
        }
        if (refOf(r.Упаковка_Key)) {
          this.refuse('prices', id, `a price of a packaging (${String(r.Упаковка_Key)}): Segmenta keeps prices per unit`);
          continue;
        }
        if (products.get(product)?.value === PARTNER_FOLDER) continue;
        const writing = spool.write({ id, priceType: type, product, validFrom, price: num(r.Цена) });
        if (writing) await writing;
      }
    }
    // Every type ever read from 1C: its prices are 1C's (a type deleted in 1C keeps none).
    const scopes = [...new Set([...stored.keys(), ...types.all.keys()])].map((ref) => `${ref}|`);
    return {
      batch: await spool.close({ replace: { idPrefix: '', dateFrom: null, scopes } }),
      marks: [currencies?.marks, types.marks].filter((m): m is MarksUpdate => m !== undefined),
      read,
      types: synced,
    };
  }
}

const DELETED = 'deleted';

/** How a segment Segmenta published to 1C is told from 1C's own: its name's suffix and its comment's tag. */
const PUBLISHED_SUFFIX = ' (Segmenta)';
const PUBLISHED_TAG = 'Segmenta segment';

/** Статус of a deal (Перечисление.СтатусыСделокСКлиентами) → Segmenta's outcome. */
const DEAL_OUTCOMES: Readonly<Record<string, 'open' | 'won' | 'lost'>> = { ВРаботе: 'open', Выиграна: 'won', Проиграна: 'lost' };

/** ISO numeric codes of the currencies 1C bases name by code only. */
const NUMERIC_CURRENCIES: Readonly<Record<string, string>> = { '643': 'RUB', '840': 'USD', '978': 'EUR', '398': 'KZT', '933': 'BYN', '156': 'CNY', '980': 'UAH' };

/** A currency's ISO letter code: 1C's Catalog_Валюты names it by it (Description "RUB"), its Code is the numeric one ("643"). */
function currencyCode(row: ODataRow): string | null {
  const name = String(row.Description ?? '')
    .trim()
    .toUpperCase();
  if (/^[A-Z]{3}$/.test(name)) return name;
  return NUMERIC_CURRENCIES[String(row.Code ?? '').trim()] ?? null;
}

const PARTNER_TYPE = /Catalog_Партнеры$/;
const CONTACT_PERSON_TYPE = /Catalog_КонтактныеЛицаПартнеров$/;

/** The partners an interaction document names: a contact that is a partner, or a partner's contact person (others are left out). */
function contactsOf(row: ODataRow, contact: ContactField, people: ReadonlyMap<string, ObjectMark>): string[] {
  const lines = 'section' in contact ? (Array.isArray(row[contact.section]) ? (row[contact.section] as ODataRow[]) : []) : [row];
  const out = new Set<string>();
  for (const line of lines) {
    const ref = refOf(line[contact.field]);
    const type = String(line[`${contact.field}_Type`] ?? '');
    if (!ref) continue;
    if (PARTNER_TYPE.test(type)) out.add(ref);
    else if (CONTACT_PERSON_TYPE.test(type)) {
      const owner = people.get(ref)?.value;
      if (owner) out.add(owner);
    }
  }
  return [...out];
}

/**
 * A partner's additional properties by the definitions' names: strings, numbers, booleans and
 * dates as they are, a value of Catalog_ЗначенияСвойствОбъектов by its name; other references
 * (to catalogs Segmenta does not read) are left out.
 */
function propertiesOf(section: unknown, definitions: ReadonlyMap<string, ObjectMark>, values: ReadonlyMap<string, ObjectMark>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(section)) return out;
  for (const line of section as ODataRow[]) {
    const name = definitions.get(String(line.Свойство_Key))?.value;
    if (!name) continue;
    const type = String(line.Значение_Type ?? '');
    const value = line.Значение;
    if (type === 'Edm.String' || type === 'Edm.Double' || type === 'Edm.Boolean' || type === 'Edm.Int64' || type === 'Edm.Decimal') out[name] = value === '' ? null : value;
    else if (type === 'Edm.DateTime') out[name] = dateOf(value);
    else if (type.endsWith('Catalog_ЗначенияСвойствОбъектов')) out[name] = values.get(String(value))?.value ?? null;
  }
  return out;
}

async function publish(connection: DriverConnection<OneCSettings>, target: PublishTarget): Promise<PublishResult> {
  const client = clientOf(connection);
  const { segments, segmentMembers } = PROFILES[connection.settings.profile].objects;
  let remoteId = target.remoteId;
  const description = `${target.segmentName}${PUBLISHED_SUFFIX}`;
  if (remoteId) {
    try {
      await client.update(segments, `(${guidLiteral(remoteId)})`, { Description: description });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'CONNECTOR_OBJECT_UNPUBLISHED')) throw error;
      remoteId = null; // deleted in 1C: made again
    }
  }
  if (!remoteId) {
    const created = await client.create(segments, { Description: description, Комментарий: `${PUBLISHED_TAG} ${target.segmentId}` });
    remoteId = refOf(created.Ref_Key);
    if (!remoteId) throw new AppError('CONNECTOR_REMOTE_ERROR', { system: '1C', status: 201, object: segments, reason: 'the created item has no Ref_Key' });
  }
  const current = new Set<string>();
  for await (const page of client.pages(segmentMembers, { select: ['Партнер_Key'], filter: `Сегмент_Key eq ${guidLiteral(remoteId)}`, orderby: 'Партнер_Key' }, connection.settings.pageSize)) {
    for (const r of page) if (refOf(r.Партнер_Key)) current.add(String(r.Партнер_Key));
  }
  const wanted = new Set(target.members.filter((id) => /^[0-9a-f-]{36}$/i.test(id)).map((id) => id.toLowerCase()));
  let added = 0;
  let removed = 0;
  for (const partner of wanted) {
    if (current.has(partner)) continue;
    await client.create(segmentMembers, { Сегмент_Key: remoteId, Партнер_Key: partner });
    added++;
  }
  for (const partner of current) {
    if (wanted.has(partner)) continue;
    await client.remove(segmentMembers, `(Сегмент_Key=${guidLiteral(remoteId)},Партнер_Key=${guidLiteral(partner)})`);
    removed++;
  }
  return { remoteId, added, removed, members: wanted.size };
}

export const oneCDriver: ConnectorDriver<OneCSettings> = {
  kind: '1c',
  title: '1C:Trade Management / ERP (standard OData interface)',
  settingsSchema: oneCSettingsSchema,
  secretName: 'password',
  describe: (s) => `${s.url} as ${s.user} (${s.profile}, ${s.timezone})`,
  async test(connection): Promise<ConnectionTest> {
    const client = clientOf(connection);
    const profile = PROFILES[connection.settings.profile];
    const metadata = await metadataOf(client, connection.settings.user, true);
    const check = checkProfile(profile, metadata);
    // One row of the partners, so that the user's rights are tried too (the metadata may be public).
    if (!check.missing.includes(profile.objects.partners)) await client.get(profile.objects.partners, { select: ['Ref_Key'], orderby: 'Ref_Key', top: 1 });
    const total = Object.keys(profile.objects).length;
    return {
      ok: check.missing.length === 0,
      message: check.missing.length
        ? `1C answered; ${check.missing.length} object(s) the profile ${profile.name} reads are not published: ${check.missing.join(', ')}`
        : `1C answered as ${connection.settings.user}; ${check.published.length} of ${total} objects of the profile ${profile.name} are published`,
      ...check,
    };
  },
  sync: (connection, context) => new OneCSync(connection, context).run(),
  publish,
  async unpublish(connection, remoteId) {
    const client = clientOf(connection);
    const { segmentMembers } = PROFILES[connection.settings.profile].objects;
    for (;;) {
      const rows = await client.get(segmentMembers, { select: ['Партнер_Key'], filter: `Сегмент_Key eq ${guidLiteral(remoteId)}`, orderby: 'Партнер_Key', top: connection.settings.pageSize });
      for (const r of rows) await client.remove(segmentMembers, `(Сегмент_Key=${guidLiteral(remoteId)},Партнер_Key=${guidLiteral(String(r.Партнер_Key))})`);
      if (rows.length < connection.settings.pageSize) return;
    }
  },
};
