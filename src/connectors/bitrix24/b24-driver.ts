import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { EntityRecord } from '../../model/records.js';
import { recordsBatch } from '../batches.js';
import type {
  ConnectionTest,
  ConnectorDriver,
  DriverConnection,
  EntityBatch,
  MarksUpdate,
  ObjectMark,
  PublishResult,
  PublishTarget,
  SyncBatch,
  SyncContext,
  TaskCreated,
  TaskRequest,
} from '../driver.js';
import { crmPublicationId, crmPublicationParts, type CrmPublicationParts } from '../crm-publication.js';
import { B24Client, listOf, type B24Row } from './b24-client.js';
import { dropItem, memberUpdates, membersField, segmentItem, type MembersEntity } from './b24-publish.js';

/**
 * The Bitrix24 connector (docs/connectors-crm.md) through an incoming webhook. A sync reads the
 * directories (company and contact types, industries, user fields, users) in one `batch`, then
 * companies, contacts, deals and activities: everything the first time (batches of fast-export
 * commands, up to 2,500 rows a request), later only what changed since the last sync
 * (`>=DATE_MODIFY`, activities `>=LAST_UPDATED`). Companies and contacts become partners
 * (matched to the partners 1C brought when the admin chose a matching field), users managers,
 * deals deals, activities interactions. Publishing writes a stored segment's membership into a
 * multiple list field of the companies and one of the contacts; tasks go to a partner's responsible user.
 */

export const B24_KINDS = ['company', 'contact', 'deal', 'activity'] as const;

export const b24SettingsSchema = z.strictObject({
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
    .describe('The portal: https://<name>.bitrix24.ru (the rest of a webhook address is ignored)'),
  user: z
    .string()
    .regex(/^\d{1,12}$/, 'the id of the user who made the webhook (the number after /rest/)')
    .describe("The user id of the webhook's address (its rights apply)"),
  match: z
    .strictObject({
      field: z
        .string()
        .regex(/^[A-Z0-9_]{1,100}$/, "a company field's code, e.g. UF_CRM_INN")
        .describe('The company field holding the value to match (UF_CRM_…)'),
      to: z.enum(['property', 'id']).describe("property: the value is a partner's property (INN); id: the value is the partner's id (1C's Ref_Key)"),
      property: z.string().min(1).max(100).default('inn').describe('The partner property compared (with to = property)'),
    })
    .nullable()
    .default(null)
    .describe('Matching companies to partners from 1C; null: every company is a partner of its own'),
  contacts: z.boolean().default(true).describe('Read contacts as partners (persons)'),
  deals: z.boolean().default(true).describe('Read deals'),
  activities: z.boolean().default(true).describe('Read activities as interactions'),
  segmentsField: z
    .string()
    .regex(/^UF_CRM_[A-Z0-9_]{1,40}$/, 'UF_CRM_ and latin capitals, digits, _')
    .default('UF_CRM_SEGMENTA_SEGMENTS')
    .describe('The multiple list field (of companies, and of contacts) publishing writes segments to (made when missing)'),
  bucketSize: z.number().int().min(1).max(1000).default(50).describe("The portal's leaky bucket: requests (50; Enterprise 250)"),
  drainPerSecond: z.number().min(0.1).max(100).default(2).describe('Requests the bucket drains per second (2; Enterprise 5)'),
  timeoutMs: z.number().int().min(100).max(600000).default(60000).describe('Time-out of one request'),
  attempts: z.number().int().min(1).max(20).default(6).describe('Attempts of one request on limit answers, 5xx and time-outs'),
  backoffMs: z.number().int().min(0).max(60000).default(1000).describe('The first retry waits this long, each next one twice as long'),
});
export type B24Settings = z.output<typeof b24SettingsSchema>;

export function b24ClientOf(connection: DriverConnection<B24Settings>): B24Client {
  const s = connection.settings;
  return new B24Client({
    url: s.url,
    userId: s.user,
    secret: connection.secret ?? '',
    bucketSize: s.bucketSize,
    drainPerSecond: s.drainPerSecond,
    timeoutMs: s.timeoutMs,
    attempts: s.attempts,
    backoffMs: s.backoffMs,
    onRequest: connection.onRequest,
  });
}

const ROLE_OF_COMPANY_TYPE: Record<string, string> = { CUSTOMER: 'customer', SUPPLIER: 'supplier', COMPETITOR: 'competitor' };
const ROLE_OF_CONTACT_TYPE: Record<string, string> = { CLIENT: 'customer', SUPPLIER: 'supplier' };
/** crm.activity's TYPE_ID: 1 meeting, 2 call, 3 task, 4 e-mail, 5 action, 6 provider's (open lines, to-do…). */
const ACTIVITY_TYPES: Record<string, string> = { '1': 'meeting', '2': 'call', '3': 'task', '4': 'email', '5': 'action', '6': 'activity' };
/** crm OWNER_TYPE_ID: 1 lead, 2 deal, 3 contact, 4 company. */
const OWNER = { deal: '2', contact: '3', company: '4' } as const;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const dateOf = (v: unknown): string | null => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null);
const idOf = (v: unknown): string | null => (v === null || v === undefined || v === '' || v === '0' || v === 0 ? null : String(v));
/** The first value of a multiple field (EMAIL, PHONE: `[{VALUE, VALUE_TYPE}]`). */
const firstValue = (v: unknown): string | null => (Array.isArray(v) && v.length ? str((v[0] as { VALUE?: unknown }).VALUE) || null : null);

/** A user field as the connector reads it: its code, the property it fills, its type and list items. */
export interface UserFieldDef {
  readonly code: string;
  readonly property: string;
  readonly type: string;
  readonly multiple: boolean;
  readonly items: ReadonlyMap<string, string>;
}

/** A user field's label for people (EDIT_FORM_LABEL: a text, or one per language). */
function labelOf(field: B24Row): string {
  for (const key of ['EDIT_FORM_LABEL', 'LIST_COLUMN_LABEL']) {
    const v = field[key];
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const text = [o.ru, o.en, ...Object.values(o)].find((x) => typeof x === 'string' && x.trim());
      if (typeof text === 'string') return text.trim();
    }
  }
  return str(field.FIELD_NAME);
}

export function userFieldsOf(rows: readonly B24Row[], skip: readonly string[]): UserFieldDef[] {
  const kept = new Set(['string', 'double', 'integer', 'date', 'datetime', 'boolean', 'enumeration', 'url', 'money']);
  return rows
    .filter((f) => kept.has(str(f.USER_TYPE_ID)) && !skip.includes(str(f.FIELD_NAME)))
    .map((f) => ({
      code: str(f.FIELD_NAME),
      property: labelOf(f),
      type: str(f.USER_TYPE_ID),
      multiple: f.MULTIPLE === 'Y',
      items: new Map(((Array.isArray(f.LIST) ? f.LIST : []) as B24Row[]).map((i) => [str(i.ID), str(i.VALUE)])),
    }));
}

/** A user field's value as a typed property value (null: empty, which removes the property). */
export function propertyValue(field: UserFieldDef, raw: unknown): string | number | boolean | null {
  const values = (Array.isArray(raw) ? raw : [raw]).map(str).filter((v) => v !== '');
  if (!values.length) return null;
  switch (field.type) {
    case 'double':
    case 'integer': {
      const n = Number(values[0]);
      return Number.isFinite(n) ? n : null;
    }
    case 'money': {
      const n = Number(values[0]!.split('|')[0]);
      return Number.isFinite(n) ? n : null;
    }
    case 'date':
    case 'datetime':
      return dateOf(values[0]);
    case 'boolean':
      return values[0] === '1' || values[0] === 'Y' || values[0] === 'true';
    case 'enumeration':
      return values.map((v) => field.items.get(v) ?? v).join('; ');
    default:
      return values.join('; ');
  }
}

interface Directories {
  readonly types: Map<string, string>;
  readonly industries: Map<string, string>;
  readonly fields: UserFieldDef[];
  readonly users: B24Row[];
}

/** A read of one CRM list: its rows and the marks (ref → DATE_MODIFY and the partner it is). */
interface ListRead {
  readonly rows: B24Row[];
  readonly newest: string | null;
}

class B24Sync {
  readonly client: B24Client;
  readonly prefix: string;

  constructor(
    readonly connection: DriverConnection<B24Settings>,
    readonly context: SyncContext,
  ) {
    this.client = b24ClientOf(connection);
    this.prefix = `b24-${connection.id}:`;
  }

  get full(): boolean {
    return this.context.mode === 'full';
  }

  /** Types, industries, company user fields and users: one batch (users page on when more than 50). */
  async directories(): Promise<Directories> {
    const answer = await this.client.batch({
      types: { method: 'crm.status.list', params: { filter: { ENTITY_ID: ['COMPANY_TYPE', 'CONTACT_TYPE', 'INDUSTRY'] } } },
      fields: { method: 'crm.company.userfield.list', params: { order: { SORT: 'ASC' } } },
      users: { method: 'user.get', params: { sort: 'ID', order: 'ASC', start: 0 } },
    });
    for (const [name, error] of Object.entries(answer.errors))
      throw new AppError('CONNECTOR_REMOTE_ERROR', { system: 'Bitrix24', status: 200, object: name, reason: `${error.error}: ${error.error_description}` });
    const types = new Map<string, string>();
    const industries = new Map<string, string>();
    for (const s of listOf(answer.result.types)) {
      const entity = str(s.ENTITY_ID);
      if (entity === 'INDUSTRY') industries.set(str(s.STATUS_ID), str(s.NAME));
      else types.set(`${entity === 'COMPANY_TYPE' ? 'CO' : 'C'}/${str(s.STATUS_ID)}`, str(s.NAME));
    }
    const skip = [this.connection.settings.segmentsField, ...(this.connection.settings.match?.to === 'id' ? [this.connection.settings.match.field] : [])];
    const fields = userFieldsOf(listOf(answer.result.fields), skip);
    const users = listOf(answer.result.users);
    let next = answer.next.users;
    while (next !== undefined) {
      const page = await this.client.call('user.get', { sort: 'ID', order: 'ASC', start: next });
      users.push(...listOf(page.result));
      next = page.next;
    }
    return { types, industries, fields, users };
  }

  /** One CRM list: all of it (batched fast export), or what changed since the cursor. */
  async readList(kind: (typeof B24_KINDS)[number], method: string, select: readonly string[], modifiedField: string): Promise<ListRead> {
    const cursors = (this.context.cursors.modified ?? {}) as Record<string, string>;
    const since = this.full ? undefined : cursors[kind];
    const rows: B24Row[] = [];
    const pages = since ? this.client.fastPages(method, { filter: { [`>=${modifiedField}`]: since }, select }) : this.client.batchedPages(method, { select });
    for await (const page of pages) rows.push(...page);
    let newest = since ?? null;
    for (const r of rows) {
      const at = str(r[modifiedField]);
      if (at && (newest === null || Date.parse(at) > Date.parse(newest))) newest = at;
    }
    return { rows, newest };
  }

  async run(): Promise<SyncBatch> {
    const { context, prefix } = this;
    const settings = this.connection.settings;
    context.stage('connecting');
    context.stage('directories');
    const dirs = await this.directories();
    const managerId = (v: unknown) => (idOf(v) ? `${prefix}u/${str(v)}` : null);
    const typeRecords = [...dirs.types].map(([key, name]) => ({ id: `${prefix}type/${key}`, name }));
    const managerRecords = dirs.users.map((u) => ({ id: `${prefix}u/${str(u.ID)}`, name: [str(u.NAME), str(u.LAST_NAME)].filter(Boolean).join(' ') || str(u.EMAIL) || `#${str(u.ID)}` }));
    const typeId = (entity: 'CO' | 'C', v: unknown) => (str(v) && dirs.types.has(`${entity}/${str(v)}`) ? `${prefix}type/${entity}/${str(v)}` : null);

    context.stage('partners');
    const marks: MarksUpdate[] = [];
    const modified: Record<string, string | null> = { ...((context.cursors.modified ?? {}) as Record<string, string>) };
    const ufCodes = dirs.fields.map((f) => f.code);
    const match = settings.match;
    const companies = await this.readList(
      'company',
      'crm.company.list',
      ['ID', 'TITLE', 'COMPANY_TYPE', 'INDUSTRY', 'ASSIGNED_BY_ID', 'DATE_CREATE', 'DATE_MODIFY', 'EMAIL', 'PHONE', ...ufCodes, ...(match ? [match.field] : [])],
      'DATE_MODIFY',
    );
    modified.company = companies.newest;
    // Matching: the partners (from 1C) the companies' chosen field names.
    const matched = new Map<string, { id: string; name: string }>();
    if (match && context.partners) {
      const values = companies.rows.map((r) => str(r[match.field]).trim()).filter(Boolean);
      const found = await context.partners(match.to === 'id' ? { kind: 'id', own: prefix } : { kind: 'property', property: match.property, own: prefix }, values);
      for (const r of companies.rows) {
        const hit = found.get(str(r[match.field]).trim());
        if (hit) matched.set(str(r.ID), hit);
      }
    }
    const storedCompanies = await context.marks('company');
    const ownPartners: EntityRecord[] = [];
    const matchedPartners: EntityRecord[] = [];
    const gone: string[] = [];
    const companySet = new Map<string, ObjectMark>();
    for (const r of companies.rows) {
      const ref = str(r.ID);
      const own = `${prefix}co/${ref}`;
      const hit = matched.get(ref);
      const properties: Record<string, unknown> = { industry: dirs.industries.get(str(r.INDUSTRY)) ?? (str(r.INDUSTRY) || null) };
      for (const f of dirs.fields) properties[f.property] = propertyValue(f, r[f.code]);
      const common = { type: typeId('CO', r.COMPANY_TYPE), email: firstValue(r.EMAIL), phone: firstValue(r.PHONE), properties };
      if (hit) {
        matchedPartners.push({ id: hit.id, name: hit.name, ...common });
        // Matched now, its own partner before: that one is gone (the 1C partner stands for it).
        if (storedCompanies.get(ref)?.value === own) gone.push(own);
      } else {
        const role = ROLE_OF_COMPANY_TYPE[str(r.COMPANY_TYPE)] ?? 'other';
        ownPartners.push({
          id: own,
          name: str(r.TITLE) || `#${ref}`,
          roles: [role],
          legalForm: 'company',
          manager: managerId(r.ASSIGNED_BY_ID),
          registeredAt: dateOf(r.DATE_CREATE),
          deleted: false,
          ...common,
        });
      }
      companySet.set(ref, { version: str(r.DATE_MODIFY) || null, value: hit?.id ?? own });
    }
    const seenCompanies = new Set(companies.rows.map((r) => str(r.ID)));
    const removedCompanies = this.full ? [...storedCompanies.keys()].filter((ref) => !seenCompanies.has(ref)) : [];
    for (const ref of removedCompanies) {
      const value = storedCompanies.get(ref)?.value;
      if (value?.startsWith(`${prefix}co/`)) gone.push(value);
    }
    marks.push({ resource: 'company', replaceAll: this.full, set: companySet, removed: removedCompanies });
    const companyPartner = new Map<string, string>([...storedCompanies].filter(([ref]) => !removedCompanies.includes(ref)).map(([ref, m]) => [ref, m.value ?? `${prefix}co/${ref}`]));
    for (const [ref, m] of companySet) companyPartner.set(ref, m.value!);

    const contactPartner = new Map<string, string>();
    if (settings.contacts) {
      const contacts = await this.readList(
        'contact',
        'crm.contact.list',
        ['ID', 'NAME', 'SECOND_NAME', 'LAST_NAME', 'TYPE_ID', 'COMPANY_ID', 'BIRTHDATE', 'ASSIGNED_BY_ID', 'DATE_CREATE', 'DATE_MODIFY', 'EMAIL', 'PHONE'],
        'DATE_MODIFY',
      );
      modified.contact = contacts.newest;
      const stored = await context.marks('contact');
      const set = new Map<string, ObjectMark>();
      for (const r of contacts.rows) {
        const ref = str(r.ID);
        const id = `${prefix}c/${ref}`;
        const company = idOf(r.COMPANY_ID);
        ownPartners.push({
          id,
          name: [str(r.LAST_NAME), str(r.NAME), str(r.SECOND_NAME)].filter(Boolean).join(' ') || `#${ref}`,
          roles: [ROLE_OF_CONTACT_TYPE[str(r.TYPE_ID)] ?? 'other'],
          legalForm: 'person',
          manager: managerId(r.ASSIGNED_BY_ID),
          type: typeId('C', r.TYPE_ID),
          birthDate: dateOf(r.BIRTHDATE),
          registeredAt: dateOf(r.DATE_CREATE),
          email: firstValue(r.EMAIL),
          phone: firstValue(r.PHONE),
          deleted: false,
          // The contact's company: the partner it is (kept as a property, the model has no link).
          properties: { company: company ? (companyPartner.get(company) ?? null) : null },
        });
        set.set(ref, { version: str(r.DATE_MODIFY) || null, value: id });
      }
      const seen = new Set(contacts.rows.map((r) => str(r.ID)));
      const removed = this.full ? [...stored.keys()].filter((ref) => !seen.has(ref)) : [];
      for (const ref of removed) gone.push(`${prefix}c/${ref}`);
      marks.push({ resource: 'contact', replaceAll: this.full, set, removed });
      for (const [ref, m] of stored) if (!removed.includes(ref)) contactPartner.set(ref, m.value ?? `${prefix}c/${ref}`);
      for (const [ref, m] of set) contactPartner.set(ref, m.value!);
    }

    const entities: EntityBatch[] = [
      recordsBatch('managers', managerRecords),
      recordsBatch('partnerTypes', typeRecords),
      recordsBatch('partners', ownPartners, { gone }),
      recordsBatch('partners', matchedPartners),
    ];
    const read: Record<string, number> = { managers: managerRecords.length, partnerTypes: typeRecords.length, partners: ownPartners.length + matchedPartners.length };
    const refusals: { entity: string; id: string | null; reason: string }[] = [];

    context.stage('sales');
    const dealPartner = new Map<string, string>();
    if (settings.deals) {
      const deals = await this.readList(
        'deal',
        'crm.deal.list',
        ['ID', 'TITLE', 'TYPE_ID', 'STAGE_ID', 'STAGE_SEMANTIC_ID', 'CLOSED', 'OPPORTUNITY', 'COMPANY_ID', 'CONTACT_ID', 'DATE_CREATE', 'DATE_MODIFY', 'CLOSEDATE'],
        'DATE_MODIFY',
      );
      modified.deal = deals.newest;
      const stored = await context.marks('deal');
      const set = new Map<string, ObjectMark>();
      const records: EntityRecord[] = [];
      for (const r of deals.rows) {
        const id = `${prefix}d/${str(r.ID)}`;
        const company = idOf(r.COMPANY_ID);
        const contact = idOf(r.CONTACT_ID);
        const partner = (company ? companyPartner.get(company) : undefined) ?? (contact ? contactPartner.get(contact) : undefined);
        if (!partner) {
          refusals.push({ entity: 'deals', id, reason: `the deal names no company or contact Segmenta knows (COMPANY_ID ${str(r.COMPANY_ID) || '—'}, CONTACT_ID ${str(r.CONTACT_ID) || '—'})` });
          continue;
        }
        const semantic = str(r.STAGE_SEMANTIC_ID);
        const closed = r.CLOSED === 'Y';
        records.push({
          id,
          partner,
          type: str(r.TYPE_ID) || null,
          stage: str(r.STAGE_ID) || null,
          amount: r.OPPORTUNITY === '' || r.OPPORTUNITY === null || r.OPPORTUNITY === undefined ? null : Number(r.OPPORTUNITY),
          createdAt: dateOf(r.DATE_CREATE),
          closedAt: closed ? dateOf(r.CLOSEDATE) : null,
          outcome: semantic === 'S' ? 'won' : semantic === 'F' ? 'lost' : 'open',
        });
        set.set(str(r.ID), { version: str(r.DATE_MODIFY) || null, value: partner });
      }
      for (const [ref, m] of stored) if (m.value) dealPartner.set(ref, m.value);
      for (const [ref, m] of set) dealPartner.set(ref, m.value!);
      marks.push({ resource: 'deal', replaceAll: this.full, set, removed: [] });
      entities.push(recordsBatch('deals', records, this.full ? { replace: { idPrefix: `${prefix}d/`, dateFrom: null } } : {}));
      read.deals = deals.rows.length;
    }

    if (settings.activities) {
      const activities = await this.readList(
        'activity',
        'crm.activity.list',
        ['ID', 'OWNER_TYPE_ID', 'OWNER_ID', 'TYPE_ID', 'DIRECTION', 'SUBJECT', 'COMPLETED', 'START_TIME', 'CREATED', 'LAST_UPDATED'],
        'LAST_UPDATED',
      );
      modified.activity = activities.newest;
      const records: EntityRecord[] = [];
      for (const r of activities.rows) {
        const id = `${prefix}a/${str(r.ID)}`;
        const owner = str(r.OWNER_TYPE_ID);
        const ref = str(r.OWNER_ID);
        const partner = owner === OWNER.company ? companyPartner.get(ref) : owner === OWNER.contact ? contactPartner.get(ref) : owner === OWNER.deal ? dealPartner.get(ref) : undefined;
        if (!partner) {
          refusals.push({ entity: 'interactions', id, reason: `the activity's owner (type ${owner}, id ${ref}) is no company, contact or deal Segmenta knows` });
          continue;
        }
        const date = dateOf(r.START_TIME) ?? dateOf(r.CREATED);
        if (!date) {
          refusals.push({ entity: 'interactions', id, reason: 'the activity has no date' });
          continue;
        }
        records.push({
          id,
          partner,
          date,
          type: ACTIVITY_TYPES[str(r.TYPE_ID)] ?? 'activity',
          direction: str(r.DIRECTION) === '1' ? 'in' : str(r.DIRECTION) === '2' ? 'out' : null,
          subject: str(r.SUBJECT) || null,
          result: r.COMPLETED === 'Y' ? 'completed' : 'open',
        });
      }
      entities.push(recordsBatch('interactions', records, this.full ? { replace: { idPrefix: `${prefix}a/`, dateFrom: null } } : {}));
      read.interactions = activities.rows.length;
    }

    return { entities, marks, cursors: { lastSyncLocal: new Date().toISOString(), modified }, read, refusals };
  }
}

/** The company (or contact) a partner is in the portal, by the marks of the last sync. */
async function entityOf(connection: DriverConnection<B24Settings>, partnerId: string): Promise<{ kind: 'company' | 'contact'; id: string } | null> {
  const prefix = `b24-${connection.id}:`;
  const own = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(co|c)/(\\d+)$`).exec(partnerId);
  if (own) return { kind: own[1] === 'co' ? 'company' : 'contact', id: own[2]! };
  for (const kind of ['company', 'contact'] as const) {
    const marks = (await connection.marks?.(kind)) ?? new Map<string, ObjectMark>();
    for (const [ref, mark] of marks) if (mark.value === partnerId) return { kind, id: ref };
  }
  return null;
}

/** The entities a publication writes: contacts too when they are synced, or were published before. */
function publishedEntities(connection: DriverConnection<B24Settings>, before: CrmPublicationParts): MembersEntity[] {
  return connection.settings.contacts || before.contacts ? ['company', 'contact'] : ['company'];
}

const partOf = (entity: MembersEntity): keyof CrmPublicationParts => (entity === 'company' ? 'companies' : 'contacts');

async function publish(connection: DriverConnection<B24Settings>, target: PublishTarget): Promise<PublishResult> {
  const client = b24ClientOf(connection);
  const before = crmPublicationParts(target.remoteId);
  const members = new Set(target.members);
  const items: Record<keyof CrmPublicationParts, string | null> = { companies: null, contacts: null };
  const total = { added: 0, removed: 0, members: 0 };
  for (const entity of publishedEntities(connection, before)) {
    const field = await membersField(client, entity, connection.settings.segmentsField);
    const item = await segmentItem(client, field, target.segmentName, before[partOf(entity)]);
    const marks = (await connection.marks?.(entity)) ?? new Map<string, ObjectMark>();
    const wanted = new Set([...marks].filter(([, m]) => m.value !== null && members.has(m.value)).map(([ref]) => ref));
    const { added, removed } = await memberUpdates(client, field, item, wanted);
    items[partOf(entity)] = item;
    total.added += added;
    total.removed += removed;
    total.members += wanted.size;
  }
  return { remoteId: crmPublicationId(items), ...total };
}

async function unpublish(connection: DriverConnection<B24Settings>, remoteId: string): Promise<void> {
  const client = b24ClientOf(connection);
  const parts = crmPublicationParts(remoteId);
  for (const entity of ['company', 'contact'] as const) {
    const item = parts[partOf(entity)];
    const field = item ? await membersField(client, entity, connection.settings.segmentsField, false) : null;
    if (!item || !field) continue;
    await memberUpdates(client, field, item, new Set());
    await dropItem(client, field, item);
  }
}

async function createTask(connection: DriverConnection<B24Settings>, task: TaskRequest): Promise<TaskCreated> {
  const entity = await entityOf(connection, task.partnerId);
  if (!entity) throw new AppError('CRM_PARTNER_NOT_LINKED', { partnerId: task.partnerId, connectorId: connection.id });
  const client = b24ClientOf(connection);
  const row = await client.result<B24Row>(entity.kind === 'company' ? 'crm.company.get' : 'crm.contact.get', { id: entity.id });
  const responsible = idOf(row.ASSIGNED_BY_ID) ?? connection.settings.user;
  const created = await client.result<{ task?: { id?: unknown } }>('tasks.task.add', {
    fields: {
      TITLE: task.title,
      DESCRIPTION: task.description,
      RESPONSIBLE_ID: responsible,
      DEADLINE: task.deadline,
      UF_CRM_TASK: [`${entity.kind === 'company' ? 'CO' : 'C'}_${entity.id}`],
    },
  });
  const id = idOf(created.task?.id);
  if (!id) throw new AppError('CONNECTOR_REMOTE_ERROR', { system: 'Bitrix24', status: 200, object: 'tasks.task.add', reason: 'the answer has no task id' });
  return { remoteId: id };
}

export const bitrix24Driver: ConnectorDriver<B24Settings> = {
  kind: 'bitrix24',
  title: 'Bitrix24 (incoming webhook, REST)',
  settingsSchema: b24SettingsSchema,
  secretName: "webhook code (the secret part of the webhook's address)",
  describe: (s) => `${s.url} as user ${s.user}${s.match ? ` (matching ${s.match.field} to ${s.match.to === 'id' ? 'partner ids' : `property ${s.match.property}`})` : ''}`,
  async test(connection): Promise<ConnectionTest> {
    const client = b24ClientOf(connection);
    const scopes = await client.result<unknown>('scope');
    const have = new Set(Array.isArray(scopes) ? scopes.map(String) : []);
    const missing = ['crm', 'user'].filter((s) => !have.has(s));
    const optionalMissing = ['task'].filter((s) => !have.has(s));
    const published = ['crm', 'user', 'task'].filter((s) => have.has(s));
    if (!missing.includes('crm')) await client.call('crm.company.list', { order: { ID: 'ASC' }, select: ['ID'], start: -1 });
    return {
      ok: missing.length === 0,
      message: missing.length
        ? `Bitrix24 answered; the webhook lacks the rights ${missing.join(', ')} (give them in the webhook's settings)`
        : `Bitrix24 answered as user ${connection.settings.user}; rights: ${published.join(', ')}${optionalMissing.length ? ` (no ${optionalMissing.join(', ')}: tasks cannot be made)` : ''}`,
      published,
      missing,
      optionalMissing,
    };
  },
  sync: (connection, context) => new B24Sync(connection, context).run(),
  publish,
  unpublish,
  createTask,
};
