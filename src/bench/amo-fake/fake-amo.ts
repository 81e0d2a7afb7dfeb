/**
 * A fake amoCRM account serving API v4 as amoCRM documents it, not as our client wishes:
 * `Authorization: Bearer <long-lived token>` (401 with amoCRM's problem JSON otherwise), lists
 * of companies, contacts, leads, users, custom fields and tasks paged by `limit` (≤ 250, more is
 * a 400) and `page` with `_links.next` while more remain and 204 No Content for an empty page,
 * `filter[updated_at][from]`, `filter[id][]`, `with=contacts` / `with=loss_reason` adding
 * `_embedded` links, `custom_fields_values` as arrays of `{field_id, field_name, field_code,
 * field_type, values: [{value, enum_id}]}`, unix timestamps, at most 7 requests a second
 * (429 beyond it), PATCH of companies and of contacts (at most 250 a request) and of a field's
 * enums (each entity its own custom fields), POST of
 * custom fields and tasks. Listens on 127.0.0.1, port 0; logs every request, the PATCHes and
 * the tasks made.
 */
import type { ServerResponse } from 'node:http';
import { FakeHttpServer, hasBearer, sendJson, type FakeRequest } from '../fake-server.js';

export interface FakeEnum {
  id: number;
  value: string;
  sort: number;
}

export interface FakeField {
  id: number;
  name: string;
  code: string | null;
  type: string;
  enums: FakeEnum[] | null;
}

export interface FakeValues {
  field_id: number;
  values: { value?: unknown; enum_id?: number; enum_code?: string }[];
}

export interface FakeCompany {
  id: number;
  name: string;
  responsible_user_id: number;
  created_at: number;
  updated_at: number;
  custom_fields_values: FakeValues[] | null;
}

export interface FakeContact extends FakeCompany {
  first_name: string;
  last_name: string;
  company_id: number | null;
}

export interface FakeLead {
  id: number;
  name: string;
  price: number;
  status_id: number;
  pipeline_id: number;
  responsible_user_id: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  company_id: number | null;
  contact_ids: number[];
  loss_reason: { id: number; name: string } | null;
}

export interface FakeTask {
  id: number;
  text: string;
  complete_till: number;
  entity_id: number;
  entity_type: string;
  responsible_user_id: number;
  is_completed: boolean;
  request_id?: string;
}

export interface LoggedRequest {
  readonly method: string;
  /** The path after /api/v4/. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly status: number;
}

type Entity = 'companies' | 'contacts' | 'leads';

export class FakeAmo extends FakeHttpServer {
  token = 'amo-long-lived-token';
  /** amoCRM's limit: requests a second (beyond it 429). */
  requestsPerSecond = 7;
  /** Answer 429 to this many next requests (besides the limit). */
  throttle = 0;
  /** The account's clock (unix seconds): every change moves it on, so updated_at grows. */
  clock = 1_760_000_000;
  readonly users: { id: number; name: string; email: string }[] = [];
  readonly pipelines: { id: number; name: string; statuses: { id: number; name: string }[] }[] = [];
  readonly fields: Record<'companies' | 'contacts', FakeField[]> = { companies: [], contacts: [] };
  readonly companies: FakeCompany[] = [];
  readonly contacts: FakeContact[] = [];
  readonly leads: FakeLead[] = [];
  readonly tasks: FakeTask[] = [];
  readonly log: LoggedRequest[] = [];
  /** Bodies of PATCH /api/v4/companies, as sent. */
  readonly patches: { id: number; custom_fields_values: unknown }[][] = [];
  /** Bodies of PATCH /api/v4/contacts, as sent. */
  readonly contactPatches: { id: number; custom_fields_values: unknown }[][] = [];
  private nextId = 1000;
  private served: number[] = [];

  id(): number {
    return ++this.nextId;
  }

  tick(): number {
    return ++this.clock;
  }

  /** GET requests of a list since index `from` (e.g. 'companies'). */
  reads(path: string, from = 0): LoggedRequest[] {
    return this.log.slice(from).filter((r) => r.method === 'GET' && r.path === path && r.status === 200);
  }

  /** Marks an object changed now (as an edit in amoCRM does). */
  touch(object: { updated_at: number }): void {
    object.updated_at = this.tick();
  }

  protected answer(request: FakeRequest, res: ServerResponse): void {
    const { url, method } = request;
    const path = url.pathname.replace(/^\/api\/v4\//, '');
    const send = (status: number, body?: unknown) => {
      this.log.push({ method, path, query: url.searchParams, status });
      sendJson(res, status, status === 204 ? undefined : body, status >= 400 ? 'application/problem+json' : 'application/hal+json');
    };
    const problem = (status: number, title: string, detail: string) => send(status, { title, type: 'https://httpstatus.es/' + status, status, detail });

    if (!url.pathname.startsWith('/api/v4/')) return problem(404, 'Not Found', 'No such route');
    if (!hasBearer(request, this.token)) return problem(401, 'Unauthorized', 'Token is invalid or expired');
    const now = Date.now();
    this.served = this.served.filter((t) => t > now - 1000);
    if (this.throttle > 0 || this.served.length >= this.requestsPerSecond) {
      if (this.throttle > 0) this.throttle--;
      return problem(429, 'Too Many Requests', 'Rate limit exceeded');
    }
    this.served.push(now);

    let body: unknown = undefined;
    if (request.body.length) {
      try {
        body = JSON.parse(request.body.toString('utf8')) as unknown;
      } catch {
        return problem(400, 'Bad Request', 'Body is not JSON');
      }
    }
    const q = url.searchParams;
    try {
      if (method === 'GET' && path === 'account') return send(200, { id: 31000000, name: 'Тестовый аккаунт', subdomain: 'test', current_user_id: this.users[0]?.id ?? 0 });
      if (method === 'GET' && path === 'users') return this.list(send, problem, q, 'users', 'users', this.users);
      if (method === 'GET' && path === 'leads/pipelines') {
        const pipelines = this.pipelines.map((p) => ({ id: p.id, name: p.name, _embedded: { statuses: p.statuses.map((s) => ({ ...s, pipeline_id: p.id })) } }));
        return send(200, { _total_items: pipelines.length, _links: { self: { href: `${this.url}/api/v4/leads/pipelines` } }, _embedded: { pipelines } });
      }
      const fieldsMatch = /^(companies|contacts)\/custom_fields(?:\/(\d+))?$/.exec(path);
      if (fieldsMatch) return this.customFields(send, problem, method, q, fieldsMatch[1] as 'companies' | 'contacts', fieldsMatch[2] ? Number(fieldsMatch[2]) : null, body);
      if (path === 'tasks') return this.tasksRoute(send, problem, method, q, body);
      const entityMatch = /^(companies|contacts|leads)(?:\/(\d+))?$/.exec(path);
      if (entityMatch) {
        const entity = entityMatch[1] as Entity;
        if (method === 'GET' && entityMatch[2]) {
          const found = this.store(entity).find((o) => o.id === Number(entityMatch[2]));
          return found ? send(200, this.shape(entity, found, q)) : send(204);
        }
        if (method === 'GET') {
          const from = q.get('filter[updated_at][from]');
          const ids = q.getAll('filter[id][]').map(Number);
          let rows = [...this.store(entity)].sort((a, b) => a.id - b.id);
          if (from !== null) rows = rows.filter((o) => o.updated_at >= Number(from));
          if (ids.length) rows = rows.filter((o) => ids.includes(o.id));
          // A page's companies find their contacts in one pass over the contacts (100k companies in the bench).
          const contactsOf = entity === 'companies' && q.get('with')?.split(',').includes('contacts') ? this.contactsByCompany() : undefined;
          return this.list(send, problem, q, entity, entity, rows, (o) => this.shape(entity, o as FakeCompany & FakeLead, q, contactsOf));
        }
        if (method === 'PATCH' && entity !== 'leads' && !entityMatch[2]) return this.patchMany(send, problem, entity, body);
      }
      return problem(404, 'Not Found', `No route ${method} ${path}`);
    } catch (error) {
      return problem(500, 'Internal Server Error', error instanceof Error ? error.message : String(error));
    }
  }

  private store(entity: Entity): (FakeCompany | FakeContact | FakeLead)[] {
    return entity === 'companies' ? this.companies : entity === 'contacts' ? this.contacts : this.leads;
  }

  /** The objects that have custom fields. */
  private withFields(entity: 'companies' | 'contacts'): FakeCompany[] {
    return entity === 'companies' ? this.companies : this.contacts;
  }

  private list<T>(
    send: (s: number, b?: unknown) => void,
    problem: (s: number, t: string, d: string) => void,
    q: URLSearchParams,
    path: string,
    key: string,
    rows: readonly T[],
    shape: (row: T) => unknown = (r) => r,
    maxLimit = 250,
  ): void {
    const limit = Number(q.get('limit') ?? 50);
    const page = Number(q.get('page') ?? 1);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) return problem(400, 'Bad Request', `limit must be from 1 to ${maxLimit}`);
    if (!Number.isInteger(page) || page < 1) return problem(400, 'Bad Request', 'page must be a positive number');
    const slice = rows.slice((page - 1) * limit, page * limit);
    if (!slice.length) return send(204);
    const link = (p: number) => {
      const next = new URLSearchParams(q);
      next.set('page', String(p));
      return { href: `${this.url}/api/v4/${path}?${next.toString()}` };
    };
    const more = page * limit < rows.length;
    send(200, { _page: page, _links: { self: link(page), ...(more ? { next: link(page + 1) } : {}), ...(page > 1 ? { prev: link(page - 1) } : {}) }, _embedded: { [key]: slice.map(shape) } });
  }

  private valuesOut(entity: 'companies' | 'contacts', values: FakeValues[] | null): unknown {
    if (!values?.length) return null;
    return values.map((v) => {
      const field = this.fields[entity].find((f) => f.id === v.field_id);
      return {
        field_id: v.field_id,
        field_name: field?.name ?? '',
        field_code: field?.code ?? null,
        field_type: field?.type ?? 'text',
        values: v.values.map((x) => (x.enum_id !== undefined ? { value: field?.enums?.find((e) => e.id === x.enum_id)?.value ?? null, enum_id: x.enum_id } : { value: x.value })),
      };
    });
  }

  private contactsByCompany(): Map<number, { id: number }[]> {
    const out = new Map<number, { id: number }[]>();
    for (const p of this.contacts) if (p.company_id !== null) out.set(p.company_id, [...(out.get(p.company_id) ?? []), { id: p.id }]);
    return out;
  }

  private shape(entity: Entity, o: FakeCompany | FakeContact | FakeLead, q: URLSearchParams, contactsOf?: ReadonlyMap<number, { id: number }[]>): unknown {
    const withs = (q.get('with') ?? '').split(',');
    const self = { self: { href: `${this.url}/api/v4/${entity}/${o.id}` } };
    if (entity === 'leads') {
      const l = o as FakeLead;
      const { company_id, contact_ids, loss_reason, ...rest } = l;
      return {
        ...rest,
        account_id: 31000000,
        _links: self,
        _embedded: {
          tags: [],
          companies: company_id ? [{ id: company_id, _links: { self: { href: `${this.url}/api/v4/companies/${company_id}` } } }] : [],
          ...(withs.includes('contacts') ? { contacts: contact_ids.map((id, i) => ({ id, is_main: i === 0 })) } : {}),
          ...(withs.includes('loss_reason') ? { loss_reason: loss_reason ? [loss_reason] : [] } : {}),
        },
      };
    }
    if (entity === 'contacts') {
      const c = o as FakeContact;
      const { company_id, custom_fields_values, ...rest } = c;
      return {
        ...rest,
        custom_fields_values: this.valuesOut('contacts', custom_fields_values),
        account_id: 31000000,
        _links: self,
        _embedded: { tags: [], companies: company_id ? [{ id: company_id }] : [] },
      };
    }
    const c = o as FakeCompany;
    const contacts = contactsOf ? (contactsOf.get(c.id) ?? []) : this.contacts.filter((p) => p.company_id === c.id).map((p) => ({ id: p.id }));
    return {
      ...c,
      custom_fields_values: this.valuesOut('companies', c.custom_fields_values),
      account_id: 31000000,
      _links: self,
      _embedded: { tags: [], ...(withs.includes('contacts') ? { contacts } : {}) },
    };
  }

  private customFields(
    send: (s: number, b?: unknown) => void,
    problem: (s: number, t: string, d: string) => void,
    method: string,
    q: URLSearchParams,
    entity: 'companies' | 'contacts',
    id: number | null,
    body: unknown,
  ): void {
    const fields = this.fields[entity];
    if (method === 'GET' && id === null) {
      return this.list(send, problem, q, `${entity}/custom_fields`, 'custom_fields', fields, (f) => ({ ...f, entity_type: entity }), 50);
    }
    if (method === 'POST' && id === null) {
      if (!Array.isArray(body)) return problem(400, 'Bad Request', 'An array of fields is expected');
      const made = (body as { name?: string; type?: string; code?: string; enums?: { value: string; sort?: number }[] }[]).map((f) => {
        const field: FakeField = {
          id: this.id(),
          name: String(f.name),
          code: f.code ?? null,
          type: String(f.type),
          enums: f.enums ? f.enums.map((e, i) => ({ id: this.id(), value: e.value, sort: e.sort ?? (i + 1) * 10 })) : null,
        };
        fields.push(field);
        return field;
      });
      return send(200, { _embedded: { custom_fields: made } });
    }
    const field = fields.find((f) => f.id === id);
    if (!field) return problem(404, 'Not Found', 'No such field');
    if (method === 'PATCH') {
      const patch = body as { enums?: { id?: number; value: string; sort?: number }[] };
      if (patch.enums) {
        // amoCRM replaces the list: items sent with an id are kept (renamed), without one made, the rest removed.
        field.enums = patch.enums.map((e, i) => ({ id: e.id ?? this.id(), value: e.value, sort: e.sort ?? (i + 1) * 10 }));
        const kept = new Set(field.enums.map((e) => e.id));
        for (const c of this.withFields(entity))
          for (const v of c.custom_fields_values ?? []) if (v.field_id === field.id) v.values = v.values.filter((x) => x.enum_id === undefined || kept.has(x.enum_id));
      }
      return send(200, { ...field, entity_type: entity });
    }
    return problem(405, 'Method Not Allowed', method);
  }

  private patchMany(send: (s: number, b?: unknown) => void, problem: (s: number, t: string, d: string) => void, entity: 'companies' | 'contacts', body: unknown): void {
    if (!Array.isArray(body)) return problem(400, 'Bad Request', `An array of ${entity} is expected`);
    if (body.length > 250) return problem(400, 'Bad Request', `At most 250 ${entity} a request`);
    const rows = this.withFields(entity);
    const changes = body as { id: number; custom_fields_values?: { field_id: number; values: { value?: unknown; enum_id?: number }[] | null }[]; name?: string }[];
    for (const change of changes) if (!rows.some((c) => c.id === change.id)) return problem(400, 'Bad Request', `No ${entity === 'companies' ? 'company' : 'contact'} ${change.id}`);
    for (const change of changes)
      for (const v of change.custom_fields_values ?? []) if (!this.fields[entity].some((f) => f.id === v.field_id)) return problem(400, 'Bad Request', `No ${entity} custom field ${v.field_id}`);
    (entity === 'companies' ? this.patches : this.contactPatches).push(changes.map((c) => ({ id: c.id, custom_fields_values: c.custom_fields_values })));
    const out = changes.map((change) => {
      const row = rows.find((c) => c.id === change.id)!;
      if (change.name) row.name = change.name;
      for (const v of change.custom_fields_values ?? []) {
        const rest = (row.custom_fields_values ?? []).filter((x) => x.field_id !== v.field_id);
        row.custom_fields_values = v.values?.length
          ? [...rest, { field_id: v.field_id, values: v.values.map((x) => (x.enum_id ? { enum_id: x.enum_id } : { value: x.value })) }]
          : rest.length
            ? rest
            : null;
      }
      row.updated_at = this.tick();
      return { id: row.id, updated_at: row.updated_at };
    });
    send(200, { _links: { self: { href: `${this.url}/api/v4/${entity}` } }, _embedded: { [entity]: out } });
  }

  private tasksRoute(send: (s: number, b?: unknown) => void, problem: (s: number, t: string, d: string) => void, method: string, q: URLSearchParams, body: unknown): void {
    if (method === 'GET') {
      let rows = this.tasks;
      const type = q.get('filter[entity_type]');
      const id = q.get('filter[entity_id]');
      const done = q.get('filter[is_completed]');
      if (type) rows = rows.filter((t) => t.entity_type === type);
      if (id) rows = rows.filter((t) => t.entity_id === Number(id));
      if (done !== null) rows = rows.filter((t) => t.is_completed === (done === '1'));
      return this.list(send, problem, q, 'tasks', 'tasks', rows);
    }
    if (method !== 'POST') return problem(405, 'Method Not Allowed', method);
    if (!Array.isArray(body)) return problem(400, 'Bad Request', 'An array of tasks is expected');
    const made: { id: number; request_id?: string }[] = [];
    for (const t of body as Partial<FakeTask>[]) {
      if (typeof t.text !== 'string' || typeof t.complete_till !== 'number') return problem(400, 'Bad Request', 'text and complete_till are required');
      if (t.entity_type !== undefined && !['leads', 'contacts', 'companies', 'customers'].includes(t.entity_type)) return problem(400, 'Bad Request', `entity_type ${t.entity_type}`);
      const task: FakeTask = {
        id: this.id(),
        text: t.text,
        complete_till: t.complete_till,
        entity_id: Number(t.entity_id ?? 0),
        entity_type: String(t.entity_type ?? ''),
        responsible_user_id: Number(t.responsible_user_id ?? this.users[0]?.id ?? 0),
        is_completed: false,
        ...(t.request_id !== undefined ? { request_id: String(t.request_id) } : {}),
      };
      this.tasks.push(task);
      made.push({ id: task.id, ...(task.request_id !== undefined ? { request_id: task.request_id } : {}) });
    }
    send(200, { _links: { self: { href: `${this.url}/api/v4/tasks` } }, _embedded: { tasks: made } });
  }
}
