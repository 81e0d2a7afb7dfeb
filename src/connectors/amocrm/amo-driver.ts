import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { EntityRecord } from '../../model/records.js';
import { recordsBatch } from '../batches.js';
import type { ConnectionTest, ConnectorDriver, DriverConnection, MarksUpdate, ObjectMark, PublishResult, PublishTarget, Refusal, SyncBatch, SyncContext, TaskCreated, TaskRequest } from '../driver.js';
import { crmPublicationId, crmPublicationParts } from '../crm-publication.js';
import { AmoClient, type AmoObject } from './amo-client.js';
import { dateOfUnix, definitionOf, findField, firstText, propertyValue, valuesOf, type FieldDefinition } from './amo-fields.js';

/**
 * The amoCRM connector over API v4 (docs/connectors-amocrm.md). A sync reads the users
 * (managers), the pipelines' statuses, the custom field definitions of companies and contacts,
 * then the companies and contacts (partners) and the leads (deals) — everything the first time,
 * later only what changed since the last sync (`filter[updated_at][from]`). A company matched
 * to a partner 1C brought (by INN, or by a field holding the 1C id) updates that partner.
 * Publishing writes a segment's membership into the multiselect field "Segmenta segments" of the
 * companies and of the contacts (an item per segment in each), changing only the objects whose
 * membership changed.
 */

export const amoSettingsSchema = z.strictObject({
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
    .describe("The account's address: https://<subdomain>.amocrm.ru"),
  match: z
    .enum(['none', 'inn', 'id'])
    .default('none')
    .describe("How a company finds its 1C partner: by INN (a company field and a partner property), by a company field holding the 1C partner's id, or not at all"),
  matchField: z.string().min(1).max(200).nullable().default(null).describe('The company field (its id, code or name) holding the INN or the 1C id'),
  matchProperty: z.string().min(1).max(200).default('ИНН').describe("The partners' property holding the INN in Segmenta (match: inn)"),
  segmentsField: z.string().min(1).max(200).default('Segmenta segments').describe('The multiselect field (of companies, and of contacts) segments are published into (made when missing)'),
  contacts: z.boolean().default(true).describe('Read contacts as partners (private persons)'),
  leads: z.boolean().default(true).describe('Read leads as deals'),
  requestsPerSecond: z.number().min(0.1).max(7).default(7).describe('Most requests per second (amoCRM allows 7)'),
  pageSize: z.number().int().min(1).max(250).default(250).describe('Objects per request (limit; at most 250)'),
  timeoutMs: z.number().int().min(100).max(600000).default(60000).describe('Time-out of one request'),
  attempts: z.number().int().min(1).max(10).default(5).describe('Attempts of one request on 429, 5xx answers and time-outs'),
  backoffMs: z.number().int().min(0).max(60000).default(1000).describe('The first retry waits this long, each next one twice as long'),
});
export type AmoSettings = z.output<typeof amoSettingsSchema>;

/** amoCRM's fixed statuses of every pipeline: won and lost. */
const WON = 142;
const LOST = 143;
/** Most companies or contacts in one PATCH (amoCRM takes 250; smaller batches fail smaller). */
const PATCH_BATCH = 50;
const CONTACT_COMPANY_PROPERTY = 'Компания amoCRM';

function clientOf(connection: DriverConnection<AmoSettings>): AmoClient {
  const s = connection.settings;
  return new AmoClient({
    url: s.url,
    token: connection.secret ?? '',
    requestsPerSecond: s.requestsPerSecond,
    timeoutMs: s.timeoutMs,
    attempts: s.attempts,
    backoffMs: s.backoffMs,
    onRequest: connection.onRequest,
  });
}

const prefixOf = (connection: DriverConnection<AmoSettings>): string => `amo-${connection.id}:`;
const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0) || 0);
const idsOf = (embedded: unknown): number[] => (Array.isArray(embedded) ? (embedded as { id?: unknown }[]).map((e) => num(e.id)).filter((id) => id > 0) : []);
const embedded = (object: AmoObject, key: string): unknown => (object._embedded as Record<string, unknown> | undefined)?.[key];

async function definitions(client: AmoClient, entity: 'companies' | 'contacts'): Promise<FieldDefinition[]> {
  return (await client.all(`${entity}/custom_fields`, 'custom_fields', {}, 50)).map(definitionOf);
}

class AmoSync {
  private readonly client: AmoClient;
  private readonly refusals: Refusal[] = [];
  private readonly prefix: string;
  private readonly full: boolean;
  private readonly from: Record<string, number>;

  constructor(
    private readonly connection: DriverConnection<AmoSettings>,
    private readonly context: SyncContext,
  ) {
    this.client = clientOf(connection);
    this.prefix = prefixOf(connection);
    const stored = (context.cursors.updatedFrom ?? {}) as Record<string, number>;
    this.full = context.mode === 'full' || typeof stored !== 'object';
    this.from = this.full ? {} : { ...stored };
  }

  /** Objects of a list changed since the last sync (all on a full sync); the newest updated_at seen is the next cursor. */
  private async read(entity: 'companies' | 'contacts' | 'leads', withs: string): Promise<AmoObject[]> {
    const from = this.from[entity];
    const rows = await this.client.all(entity, entity, { with: withs, ...(from !== undefined ? { 'filter[updated_at][from]': from } : {}) }, this.connection.settings.pageSize);
    for (const r of rows) this.from[entity] = Math.max(this.from[entity] ?? 0, num(r.updated_at));
    return rows;
  }

  /** The match field, checked before anything is read; null when companies are not matched. */
  private matchField(fields: readonly FieldDefinition[]): FieldDefinition | null {
    const s = this.connection.settings;
    if (s.match === 'none' || !s.matchField) return null;
    const field = findField(fields, s.matchField);
    if (!field) throw new AppError('CONNECTOR_SETTINGS_INVALID', { kind: 'amocrm', reason: `matchField: amoCRM's companies have no field "${s.matchField}"` });
    return field;
  }

  /** The partner each company stands for: the stored partner (1C's) its match field names, else its own. */
  private async matcher(field: FieldDefinition | null, companies: readonly AmoObject[]): Promise<(company: AmoObject) => string> {
    const own = (company: AmoObject) => `${this.prefix}company/${num(company.id)}`;
    if (!field || !this.context.partners) return own;
    const s = this.connection.settings;
    // An INN is compared without the spaces people type into it.
    const valueOf = (company: AmoObject) => (s.match === 'inn' ? firstText(company, field)?.replace(/\s+/g, '') : firstText(company, field)?.trim()) ?? '';
    const by = s.match === 'id' ? { kind: 'id' as const, own: this.prefix } : { kind: 'property' as const, property: s.matchProperty, own: this.prefix };
    const found = await this.context.partners(by, companies.map(valueOf).filter(Boolean));
    return (company) => found.get(valueOf(company))?.id ?? own(company);
  }

  private properties(object: AmoObject, fields: readonly FieldDefinition[], skip: ReadonlySet<number>): Record<string, unknown> {
    const given = new Map(valuesOf(object).map((v) => [v.field_id, v.values]));
    const out: Record<string, unknown> = {};
    // Every defined field: one a partner no longer has gets null, which removes it.
    for (const field of fields) if (!skip.has(field.id)) out[field.name] = propertyValue(field, given.get(field.id) ?? null);
    return out;
  }

  /**
   * The marks to save for a list read, the marks the last sync left (none on a full read), and
   * the connector's own partners of objects deleted in amoCRM: only a full read lists every
   * object, so only it sees those (amoCRM's lists never return deleted objects).
   */
  private async marksOf(
    resource: string,
    rows: readonly AmoObject[],
    partnerOf: (r: AmoObject) => string,
  ): Promise<{ update: MarksUpdate; stored: ReadonlyMap<string, ObjectMark>; deleted: string[] }> {
    const stored = await this.context.marks(resource);
    const set = new Map(rows.map((r) => [String(r.id), { version: String(num(r.updated_at)), value: partnerOf(r) }]));
    // A matched 1C partner stays: 1C, not the CRM, says whether it exists.
    const deleted = this.full ? [...stored].filter(([ref, mark]) => !set.has(ref) && mark.value?.startsWith(this.prefix)).map(([, mark]) => mark.value!) : [];
    return { update: { resource, replaceAll: this.full, set, removed: [] }, stored: this.full ? new Map() : stored, deleted };
  }

  async run(): Promise<SyncBatch> {
    const { context, connection } = this;
    const s = connection.settings;
    context.stage('connecting');
    await this.client.get('account');

    context.stage('directories');
    const users = await this.client.all('users', 'users', {}, s.pageSize);
    const managers = users.map((u) => ({ id: `${this.prefix}user/${num(u.id)}`, name: String(u.name ?? u.email ?? u.id) }));
    const managerOf = (object: AmoObject) =>
      num(object.responsible_user_id) > 0 && users.some((u) => num(u.id) === num(object.responsible_user_id)) ? `${this.prefix}user/${num(object.responsible_user_id)}` : null;
    const companyFields = await definitions(this.client, 'companies');
    const contactFields = s.contacts ? await definitions(this.client, 'contacts') : [];
    const segmentsField = findField(companyFields, s.segmentsField);
    const companySkip = new Set(segmentsField ? [segmentsField.id] : []);
    // The contacts' own segments field is Segmenta's output too, not a property.
    const contactSegmentsField = findField(contactFields, s.segmentsField);
    const contactSkip = new Set(contactSegmentsField ? [contactSegmentsField.id] : []);
    const statuses = new Map<number, string>();
    const pipelines = new Map<number, string>();
    if (s.leads) {
      for (const p of await this.client.all('leads/pipelines', 'pipelines', {}, 50)) {
        pipelines.set(num(p.id), String(p.name ?? p.id));
        for (const st of (embedded(p, 'statuses') ?? []) as AmoObject[]) statuses.set(num(st.id), String(st.name ?? st.id));
      }
    }

    context.stage('partners');
    const matchField = this.matchField(companyFields);
    const companies = await this.read('companies', 'contacts');
    const partnerOfCompany = await this.matcher(matchField, companies);
    const companyMarks = await this.marksOf('companies', companies, partnerOfCompany);
    const companyPartner = new Map<number, string>();
    for (const [ref, mark] of companyMarks.stored) if (mark.value) companyPartner.set(Number(ref), mark.value);
    const gone: string[] = [];
    const partners: EntityRecord[] = [];
    const email = (fields: readonly FieldDefinition[]) => fields.find((f) => f.code === 'EMAIL');
    const phone = (fields: readonly FieldDefinition[]) => fields.find((f) => f.code === 'PHONE');
    for (const c of companies) {
      const id = partnerOfCompany(c);
      const before = companyPartner.get(num(c.id));
      // Matched to a 1C partner since the last sync: the company's own partner is gone.
      if (before && before !== id && before.startsWith(this.prefix)) gone.push(before);
      companyPartner.set(num(c.id), id);
      partners.push({
        id,
        name: String(c.name ?? ''),
        legalForm: 'company',
        manager: managerOf(c),
        email: firstText(c, email(companyFields)),
        phone: firstText(c, phone(companyFields)),
        properties: this.properties(c, companyFields, companySkip),
      });
    }
    gone.push(...companyMarks.deleted);
    const marks: MarksUpdate[] = [companyMarks.update];
    const contactPartner = new Map<number, string>();
    let contactsRead = 0;
    if (s.contacts) {
      const contacts = await this.read('contacts', 'companies');
      contactsRead = contacts.length;
      const contactMarks = await this.marksOf('contacts', contacts, (r) => `${this.prefix}contact/${num(r.id)}`);
      marks.push(contactMarks.update);
      gone.push(...contactMarks.deleted);
      for (const [ref, mark] of contactMarks.stored) if (mark.value) contactPartner.set(Number(ref), mark.value);
      for (const p of contacts) {
        const id = `${this.prefix}contact/${num(p.id)}`;
        contactPartner.set(num(p.id), id);
        const [company] = idsOf(embedded(p, 'companies'));
        const name = String(p.name ?? '') || [p.first_name, p.last_name].filter((x) => typeof x === 'string' && x !== '').join(' ');
        partners.push({
          id,
          name: name || `#${num(p.id)}`,
          legalForm: 'person',
          manager: managerOf(p),
          email: firstText(p, email(contactFields)),
          phone: firstText(p, phone(contactFields)),
          properties: { ...this.properties(p, contactFields, contactSkip), [CONTACT_COMPANY_PROPERTY]: company ? (companyPartner.get(company) ?? null) : null },
        });
      }
    }

    const entities = [recordsBatch('managers', managers), recordsBatch('partners', partners, { gone })];
    const read: Record<string, number> = { managers: users.length, partners: companies.length + contactsRead };
    if (s.leads) {
      context.stage('sales');
      const leads = await this.read('leads', 'contacts,loss_reason');
      const deals: EntityRecord[] = [];
      for (const l of leads) {
        const id = `${this.prefix}lead/${num(l.id)}`;
        const [company] = idsOf(embedded(l, 'companies'));
        const contacts = (embedded(l, 'contacts') ?? []) as { id?: unknown; is_main?: unknown }[];
        const contact = num((contacts.find((c) => c.is_main === true) ?? contacts[0])?.id);
        const partner = (company ? companyPartner.get(company) : undefined) ?? (contact ? contactPartner.get(contact) : undefined);
        if (!partner) {
          this.refusals.push({
            entity: 'deals',
            id,
            reason: company || contact ? `the lead's ${company ? `company ${company}` : `contact ${contact}`} was not read` : 'the lead has no company or contact',
          });
          continue;
        }
        const status = num(l.status_id);
        const lossReason = ((embedded(l, 'loss_reason') ?? []) as AmoObject[])[0];
        deals.push({
          id,
          partner,
          type: pipelines.get(num(l.pipeline_id)) ?? null,
          stage: statuses.get(status) ?? (status ? String(status) : null),
          amount: l.price === null || l.price === undefined ? null : num(l.price),
          createdAt: dateOfUnix(l.created_at),
          closedAt: dateOfUnix(l.closed_at),
          outcome: status === WON ? 'won' : status === LOST ? 'lost' : 'open',
          lostReason: lossReason ? String(lossReason.name ?? lossReason.id) : null,
        });
      }
      // A full read lists every lead: this connection's deals not among them were deleted in amoCRM.
      entities.push(recordsBatch('deals', deals, this.full ? { replace: { idPrefix: `${this.prefix}lead/`, dateFrom: null } } : {}));
      read.deals = leads.length;
    }
    return { entities, marks, cursors: { lastSyncLocal: new Date().toISOString(), updatedFrom: this.from }, read, refusals: this.refusals };
  }
}

// ---- publishing -----------------------------------------------------------------------------

type FieldsEntity = 'companies' | 'contacts';

/** The entity's multiselect field segments go into, made when missing. */
async function segmentsFieldOf(client: AmoClient, entity: FieldsEntity, name: string): Promise<FieldDefinition> {
  const existing = findField(await definitions(client, entity), name);
  if (existing) {
    if (existing.type !== 'multiselect')
      throw new AppError('CONNECTOR_SETTINGS_INVALID', { kind: 'amocrm', reason: `segmentsField: the ${entity}' field "${name}" is a ${existing.type} field, not a multiselect one` });
    return existing;
  }
  const created = await client.post(`${entity}/custom_fields`, [{ name, type: 'multiselect', enums: [] }]);
  const [field] = ((embedded(created, 'custom_fields') ?? []) as AmoObject[]).map(definitionOf);
  if (!field) throw new AppError('CONNECTOR_REMOTE_ERROR', { system: 'amoCRM', status: 200, object: `${entity}/custom_fields`, reason: 'the created field is not in the answer' });
  return field;
}

/** Sets the field's items (amoCRM replaces the list: the kept ones go with their ids). */
async function saveEnums(client: AmoClient, entity: FieldsEntity, field: FieldDefinition, enums: readonly { id?: number; value: string }[]): Promise<FieldDefinition> {
  const answer = await client.patch(`${entity}/custom_fields/${field.id}`, { enums: enums.map((e, i) => ({ ...(e.id ? { id: e.id } : {}), value: e.value, sort: (i + 1) * 10 })) });
  return definitionOf({ ...answer, id: field.id, name: field.name, type: field.type });
}

/** Segmenta's partner id → the amoCRM entity it came from, by the last sync's marks. */
async function entityOf(connection: DriverConnection<AmoSettings>, partnerId: string): Promise<{ type: 'companies' | 'contacts'; id: number } | null> {
  for (const type of ['companies', 'contacts'] as const) {
    const marks = (await connection.marks?.(type)) ?? new Map<string, ObjectMark>();
    for (const [ref, mark] of marks) if (mark.value === partnerId) return { type, id: Number(ref) };
  }
  return null;
}

/** The entity's objects that are the partners given, by the last sync's marks. */
async function objectsOf(connection: DriverConnection<AmoSettings>, entity: FieldsEntity, partners: readonly string[]): Promise<Set<number>> {
  const wanted = new Set(partners);
  const marks = (await connection.marks?.(entity)) ?? new Map<string, ObjectMark>();
  return new Set([...marks].filter(([, mark]) => mark.value !== null && wanted.has(mark.value)).map(([ref]) => Number(ref)));
}

const enumIdsOn = (object: AmoObject, field: FieldDefinition): number[] => (valuesOf(object).find((v) => v.field_id === field.id)?.values ?? []).map((v) => num(v.enum_id)).filter((id) => id > 0);

/** Rewrites the field on the entity's objects whose membership differs from `wanted`, ≤ 50 a request. */
async function writeMembership(
  client: AmoClient,
  entity: FieldsEntity,
  field: FieldDefinition,
  enumId: number,
  wanted: ReadonlySet<number>,
  pageSize: number,
): Promise<{ added: number; removed: number }> {
  const changes: AmoObject[] = [];
  let added = 0;
  let removed = 0;
  for await (const page of client.pages(entity, entity, {}, pageSize)) {
    for (const object of page) {
      const current = enumIdsOn(object, field);
      const has = current.includes(enumId);
      const want = wanted.has(num(object.id));
      if (has === want) continue;
      const next = want ? [...current, enumId] : current.filter((id) => id !== enumId);
      if (want) added++;
      else removed++;
      changes.push({ id: num(object.id), custom_fields_values: [{ field_id: field.id, values: next.length ? next.map((id) => ({ enum_id: id })) : null }] });
    }
  }
  for (let i = 0; i < changes.length; i += PATCH_BATCH) await client.patch(entity, changes.slice(i, i + PATCH_BATCH));
  return { added, removed };
}

/** One publication at a time per connection: they read and rewrite the same field. */
const inTurn = new Map<string, Promise<unknown>>();
function oneAtATime<T>(connection: DriverConnection<AmoSettings>, work: () => Promise<T>): Promise<T> {
  const before = inTurn.get(connection.id) ?? Promise.resolve();
  const next = before.catch(() => undefined).then(work);
  inTurn.set(connection.id, next);
  void next.finally(() => inTurn.get(connection.id) === next && inTurn.delete(connection.id)).catch(() => undefined);
  return next;
}

/** A part of a publication's remoteId: `<field id>/<enum id>`. */
function itemOf(part: string | null): { fieldId: number; enumId: number } | null {
  const [fieldId, enumId] = (part ?? '').split('/').map(Number);
  return fieldId && enumId ? { fieldId, enumId } : null;
}

/** The segment's item in the entity's field (renamed, or added, as the segment is now); the membership written. */
async function publishInto(connection: DriverConnection<AmoSettings>, client: AmoClient, entity: FieldsEntity, target: PublishTarget, part: string | null) {
  let field = await segmentsFieldOf(client, entity, connection.settings.segmentsField);
  const before = itemOf(part);
  let enumId = before && before.fieldId === field.id && field.enums.has(before.enumId) ? before.enumId : null;
  const label = target.segmentName;
  const list = [...field.enums].map(([id, value]) => ({ id, value }));
  if (enumId === null) enumId = list.find((e) => e.value === label)?.id ?? null;
  if (enumId === null || field.enums.get(enumId) !== label) {
    field = await saveEnums(client, entity, field, enumId === null ? [...list, { value: label }] : list.map((e) => (e.id === enumId ? { id: e.id, value: label } : e)));
    enumId ??= [...field.enums].find(([, value]) => value === label)?.[0] ?? null;
    if (enumId === null)
      throw new AppError('CONNECTOR_REMOTE_ERROR', { system: 'amoCRM', status: 200, object: `${entity}/custom_fields/${field.id}`, reason: `the item "${label}" is not in the answer` });
  }
  const wanted = await objectsOf(connection, entity, target.members);
  const { added, removed } = await writeMembership(client, entity, field, enumId, wanted, connection.settings.pageSize);
  return { part: `${field.id}/${enumId}`, added, removed, members: wanted.size };
}

async function publish(connection: DriverConnection<AmoSettings>, target: PublishTarget): Promise<PublishResult> {
  const client = clientOf(connection);
  const before = crmPublicationParts(target.remoteId);
  const companies = await publishInto(connection, client, 'companies', target, before.companies);
  // Contacts too when they are synced, or were published before (then they are taken off).
  const contacts = connection.settings.contacts || before.contacts ? await publishInto(connection, client, 'contacts', target, before.contacts) : null;
  return {
    remoteId: crmPublicationId({ companies: companies.part, contacts: contacts?.part ?? null }),
    added: companies.added + (contacts?.added ?? 0),
    removed: companies.removed + (contacts?.removed ?? 0),
    members: companies.members + (contacts?.members ?? 0),
  };
}

async function unpublish(connection: DriverConnection<AmoSettings>, remoteId: string): Promise<void> {
  const client = clientOf(connection);
  const parts = crmPublicationParts(remoteId);
  for (const entity of ['companies', 'contacts'] as const) {
    const item = itemOf(parts[entity]);
    const field = item ? findField(await definitions(client, entity), String(item.fieldId)) : null;
    if (!item || !field || !field.enums.has(item.enumId)) continue;
    await writeMembership(client, entity, field, item.enumId, new Set(), connection.settings.pageSize);
    await saveEnums(
      client,
      entity,
      field,
      [...field.enums].filter(([id]) => id !== item.enumId).map(([id, value]) => ({ id, value })),
    );
  }
}

// ---- tasks ----------------------------------------------------------------------------------

async function createTask(connection: DriverConnection<AmoSettings>, task: TaskRequest): Promise<TaskCreated> {
  const client = clientOf(connection);
  const entity = await entityOf(connection, task.partnerId);
  if (!entity) throw new AppError('CRM_PARTNER_NOT_LINKED', { partnerId: task.partnerId, connectorId: connection.id });
  const object = await client.get(`${entity.type}/${entity.id}`);
  const responsible = num(object?.responsible_user_id);
  const completeTill = Math.floor(Date.parse(task.deadline) / 1000);
  if (!Number.isFinite(completeTill)) throw new AppError('CONNECTOR_REMOTE_ERROR', { system: 'amoCRM', status: 400, object: 'tasks', reason: `the deadline "${task.deadline}" is not a date` });
  const text = task.description ? `${task.title}\n\n${task.description}` : task.title;
  // A retry of the same request finds the task it made: same entity, text and deadline, still open.
  const open = await client.all('tasks', 'tasks', { 'filter[entity_type]': entity.type, 'filter[entity_id]': entity.id, 'filter[is_completed]': 0 });
  const made = open.find((t) => t.text === text && num(t.complete_till) === completeTill);
  if (made) return { remoteId: String(made.id) };
  const answer = await client.post('tasks', [
    {
      text,
      complete_till: completeTill,
      entity_id: entity.id,
      entity_type: entity.type,
      ...(responsible ? { responsible_user_id: responsible } : {}),
      task_type_id: 1,
      request_id: task.idempotencyKey,
    },
  ]);
  const [created] = (embedded(answer, 'tasks') ?? []) as AmoObject[];
  if (!created?.id) throw new AppError('CONNECTOR_REMOTE_ERROR', { system: 'amoCRM', status: 200, object: 'tasks', reason: 'the created task is not in the answer' });
  return { remoteId: String(created.id) };
}

export const amoDriver: ConnectorDriver<AmoSettings> = {
  kind: 'amocrm',
  title: 'amoCRM (API v4)',
  settingsSchema: amoSettingsSchema,
  secretName: 'long-lived token',
  describe: (s) => `${s.url}${s.match === 'none' ? '' : ` (matched to 1C by ${s.match === 'inn' ? 'INN' : '1C id'} in "${s.matchField ?? '?'}")`}`,
  async test(connection): Promise<ConnectionTest> {
    const client = clientOf(connection);
    const account = await client.get('account');
    const fields = await definitions(client, 'companies');
    const s = connection.settings;
    const missing = s.match !== 'none' && s.matchField && !findField(fields, s.matchField) ? [`company field "${s.matchField}"`] : [];
    const segments = findField(fields, s.segmentsField);
    return {
      ok: missing.length === 0,
      message: missing.length
        ? `amoCRM answered; the companies have no field "${s.matchField}" to match 1C's partners by`
        : `amoCRM answered: account ${String(account?.name ?? account?.subdomain ?? '')}; ${fields.length} company fields`,
      published: ['companies', 'contacts', 'leads', 'users', ...(segments ? [`company field "${segments.name}"`] : [])],
      missing,
      optionalMissing: segments ? [] : [`company field "${s.segmentsField}" (made at the first publication)`],
    };
  },
  sync: (connection, context) => new AmoSync(connection, context).run(),
  publish: (connection, target) => oneAtATime(connection, () => publish(connection, target)),
  unpublish: (connection, remoteId) => oneAtATime(connection, () => unpublish(connection, remoteId)),
  createTask,
};
