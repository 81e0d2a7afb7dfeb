/**
 * A fake Bitrix24 portal answering its REST API through an incoming webhook, as Bitrix24's
 * documentation says the portal does, not as our client wishes:
 * `/rest/<userId>/<code>/<method>.json`, params as a JSON body or PHP-style form/query text;
 * answers `{result, next, total, time}`, errors `{error, error_description}` (401
 * INVALID_CREDENTIALS for a wrong code, `expired_token` when told, 503 QUERY_LIMIT_EXCEEDED when
 * its leaky bucket (50 requests, 2 per second) overflows, 503 OPERATION_TIME_LIMIT when told);
 * lists of 50 a page with `next`/`total`, or with `start: -1` neither (the fast export); filters
 * with the prefixes `>`, `>=`, `<`, `<=`, `=`, `@` (in) and `!`; `batch` of ≤ 50 commands given as
 * `method?query` strings; fields shaped as Bitrix24's are (numbers as strings, 'Y'/'N', dates ISO
 * with an offset, multiple fields `EMAIL`/`PHONE` of `{VALUE, VALUE_TYPE}`); company and contact
 * user fields (`crm.company.userfield.*`, `crm.contact.userfield.*`, each entity its own) with
 * LIST items `{ID, VALUE}`; records company and contact updates and tasks. Listens on 127.0.0.1, port 0.
 */
import type { ServerResponse } from 'node:http';
import { FakeHttpServer, sendJson, type FakeRequest } from '../fake-server.js';

export type B24Item = Record<string, unknown>;

export interface UserField {
  ID: string;
  ENTITY_ID: string;
  FIELD_NAME: string;
  USER_TYPE_ID: string;
  MULTIPLE: 'Y' | 'N';
  MANDATORY: 'N';
  EDIT_FORM_LABEL: string;
  LIST?: { ID: string; VALUE: string; SORT: string; DEF: 'N' }[];
}

export interface LoggedCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
  /** Inside a batch (not a request of its own). */
  readonly inBatch: boolean;
}

const PAGE = 50;

/** Parses PHP-style query text (`a[b][]=1&a[c]=2`) into nested objects and arrays. */
export function parsePhpQuery(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
    const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    const m = /^([^[]+)((?:\[[^\]]*\])*)$/.exec(rawKey);
    if (!m) continue;
    const keys = [m[1]!, ...[...m[2]!.matchAll(/\[([^\]]*)\]/g)].map((k) => k[1]!)];
    let node: Record<string, unknown> = out;
    keys.forEach((key, i) => {
      const last = i === keys.length - 1;
      const k = key === '' ? String(Object.keys(node).length) : key;
      if (last) node[k] = value;
      else node = (node[k] ??= {}) as Record<string, unknown>;
    });
  }
  return arrays(out) as Record<string, unknown>;
}

/** Objects whose keys are 0…n-1 become arrays (PHP's lists). */
function arrays(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const mapped = Object.fromEntries(keys.map((k) => [k, arrays(o[k])]));
  return keys.length > 0 && keys.every((k, i) => k === String(i)) ? keys.map((k) => mapped[k]) : mapped;
}

export class FakeBitrix24 extends FakeHttpServer {
  userId = '1';
  code = 'k7x2secretwebhookcode';
  /** Answer `expired_token` to every call (a revoked webhook). */
  expired = false;
  /** Refuse this many next requests for the limit whatever the bucket says (another integration filled it). */
  refuseNext = 0;
  /** The portal's leaky bucket. */
  bucketSize = 50;
  drainPerSecond = 2;
  /** Methods to refuse once with OPERATION_TIME_LIMIT. */
  readonly timeLimited = new Set<string>();
  /** tasks.task.add calls so far, and the ones (1, 2, …) to refuse with an error of the portal. */
  taskCalls = 0;
  readonly failTaskCalls = new Set<number>();
  /** The webhook's rights (`scope`). */
  scopes = ['crm', 'task', 'user'];
  readonly companies: B24Item[] = [];
  readonly contacts: B24Item[] = [];
  readonly deals: B24Item[] = [];
  readonly activities: B24Item[] = [];
  readonly users: B24Item[] = [];
  readonly statuses: B24Item[] = [];
  readonly companyFields: UserField[] = [];
  readonly contactFields: UserField[] = [];
  readonly tasks: B24Item[] = [];
  /** Every crm.company.update: the company and the fields sent. */
  readonly companyUpdates: { id: string; fields: Record<string, unknown> }[] = [];
  /** Every crm.contact.update: the contact and the fields sent. */
  readonly contactUpdates: { id: string; fields: Record<string, unknown> }[] = [];
  readonly log: LoggedCall[] = [];
  /** Requests refused for the rate limit. */
  refusedForLimit = 0;
  private level = 0;
  private levelAt = Date.now();
  private nextId = 1000;

  /** HTTP requests answered (a batch is one), refused ones included. */
  get requests(): number {
    return this.received;
  }

  /** The webhook's address as Bitrix24 shows it (`…/rest/1/<code>/`). */
  get webhook(): string {
    return `${this.url}/rest/${this.userId}/${this.code}/`;
  }

  /** Calls of a method since `from` (batch commands included). */
  calls(method: string, from = 0): LoggedCall[] {
    return this.log.slice(from).filter((c) => c.method === method);
  }

  /** An id for a new record. */
  newId(): string {
    return String(++this.nextId);
  }

  /** The user fields of the entity a `crm.<entity>.…` method names. */
  private userFields(method: string): UserField[] {
    return method.startsWith('crm.contact.') ? this.contactFields : this.companyFields;
  }

  private overflows(): boolean {
    const now = Date.now();
    this.level = Math.max(0, this.level - ((now - this.levelAt) / 1000) * this.drainPerSecond);
    this.levelAt = now;
    if (this.level + 1 > this.bucketSize) return true;
    this.level += 1;
    return false;
  }

  protected answer(request: FakeRequest, res: ServerResponse): void {
    const send = (status: number, body: unknown) => sendJson(res, status, body);
    const url = request.url;
    const m = /^\/rest\/([^/]+)\/([^/]+)\/([a-z0-9_.]+?)(?:\.json)?$/i.exec(url.pathname);
    if (!m) return send(404, { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
    if (decodeURIComponent(m[1]!) !== this.userId || decodeURIComponent(m[2]!) !== this.code) {
      return send(401, { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' });
    }
    if (this.expired) return send(401, { error: 'expired_token', error_description: 'The access token provided has expired.' });
    if (this.refuseNext > 0 || this.overflows()) {
      if (this.refuseNext > 0) this.refuseNext--;
      this.refusedForLimit++;
      return send(503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    }
    const method = m[3]!.toLowerCase();
    const text = request.body.toString('utf8');
    const type = request.raw.headers['content-type'] ?? '';
    let params: Record<string, unknown>;
    try {
      params = { ...parsePhpQuery(url.search.slice(1)), ...(text ? (/json/i.test(type) ? (JSON.parse(text) as Record<string, unknown>) : parsePhpQuery(text)) : {}) };
    } catch {
      return send(400, { error: 'INVALID_REQUEST', error_description: 'Invalid request body' });
    }
    if (this.timeLimited.delete(method)) {
      return send(503, { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.', time: this.time() });
    }
    try {
      if (method === 'batch') return send(200, { result: this.batch(params), time: this.time() });
      const answer = this.run(method, params, false);
      return send(200, { ...answer, time: this.time() });
    } catch (error) {
      const e = error as { code?: string; message: string };
      return send(e.code === 'ERROR_METHOD_NOT_FOUND' ? 404 : 400, { error: e.code ?? 'ERROR_CORE', error_description: e.message });
    }
  }

  private time() {
    const now = Date.now() / 1000;
    return {
      start: now,
      finish: now,
      duration: 0.01,
      processing: 0.01,
      date_start: new Date().toISOString(),
      date_finish: new Date().toISOString(),
      operating_reset_at: Math.floor(now) + 1,
      operating: 0,
    };
  }

  private batch(params: Record<string, unknown>) {
    const cmd = (params.cmd ?? {}) as Record<string, string>;
    const names = Object.keys(cmd);
    if (names.length > 50) throw Object.assign(new Error('Max batch length exceeded'), { code: 'ERROR_BATCH_LENGTH_EXCEEDED' });
    const result: Record<string, unknown> = {};
    const errors: Record<string, unknown> = {};
    const total: Record<string, number> = {};
    const next: Record<string, number> = {};
    for (const name of names) {
      const [path, query = ''] = cmd[name]!.split('?');
      try {
        const answer = this.run(path!.toLowerCase(), parsePhpQuery(query), true);
        result[name] = answer.result;
        if (answer.total !== undefined) total[name] = answer.total;
        if (answer.next !== undefined) next[name] = answer.next;
      } catch (error) {
        const e = error as { code?: string; message: string };
        errors[name] = { error: e.code ?? 'ERROR_CORE', error_description: e.message };
      }
    }
    const php = (o: Record<string, unknown>) => (Object.keys(o).length ? o : []);
    return { result: php(result), result_error: php(errors), result_total: php(total), result_next: php(next), result_time: [] };
  }

  private run(method: string, params: Record<string, unknown>, inBatch: boolean): { result: unknown; next?: number; total?: number } {
    this.log.push({ method, params, inBatch });
    const lists: Record<string, B24Item[]> = { 'crm.company.list': this.companies, 'crm.contact.list': this.contacts, 'crm.deal.list': this.deals, 'crm.activity.list': this.activities };
    if (lists[method]) return list(lists[method], params);
    switch (method) {
      case 'user.get':
        return list(this.users, { ...params, filter: params.FILTER ?? params.filter ?? {} });
      case 'scope':
        return { result: this.scopes };
      case 'user.current':
        return { result: this.users.find((u) => u.ID === this.userId) ?? { ID: this.userId } };
      case 'crm.status.list':
        return { result: this.statuses.filter((s) => matches(s, (params.filter ?? {}) as Record<string, unknown>)) };
      case 'crm.company.get':
      case 'crm.contact.get': {
        const rows = method === 'crm.company.get' ? this.companies : this.contacts;
        const row = rows.find((r) => r.ID === String(params.id ?? params.ID));
        if (!row) throw Object.assign(new Error('Not found'), { code: 'NOT_FOUND' });
        return { result: row };
      }
      case 'crm.company.userfield.list':
      case 'crm.contact.userfield.list':
        return { result: this.userFields(method).filter((f) => matches(f as unknown as B24Item, (params.filter ?? {}) as Record<string, unknown>)) };
      case 'crm.company.userfield.add':
      case 'crm.contact.userfield.add': {
        const own = this.userFields(method);
        const fields = (params.fields ?? {}) as Record<string, unknown>;
        const raw = String(fields.FIELD_NAME ?? '');
        const name = raw.startsWith('UF_CRM_') ? raw : `UF_CRM_${raw}`;
        if (own.some((f) => f.FIELD_NAME === name)) throw Object.assign(new Error('Field already exists'), { code: 'ERROR_CORE' });
        const field: UserField = {
          ID: this.newId(),
          ENTITY_ID: own === this.companyFields ? 'CRM_COMPANY' : 'CRM_CONTACT',
          FIELD_NAME: name,
          USER_TYPE_ID: String(fields.USER_TYPE_ID ?? 'string'),
          MULTIPLE: fields.MULTIPLE === 'Y' ? 'Y' : 'N',
          MANDATORY: 'N',
          EDIT_FORM_LABEL: String(fields.EDIT_FORM_LABEL ?? name),
        };
        if (field.USER_TYPE_ID === 'enumeration')
          field.LIST = ((fields.LIST ?? []) as { VALUE: string }[]).map((item, i) => ({ ID: this.newId(), VALUE: String(item.VALUE), SORT: String((i + 1) * 10), DEF: 'N' }));
        own.push(field);
        return { result: Number(field.ID) };
      }
      case 'crm.company.userfield.update':
      case 'crm.contact.userfield.update': {
        // Field ids are the portal's (b_user_field), so a company field's id is no contact field's.
        const field = this.userFields(method).find((f) => f.ID === String(params.id));
        if (!field) throw Object.assign(new Error('Not found'), { code: 'NOT_FOUND' });
        const fields = (params.fields ?? {}) as { LIST?: { ID?: string; VALUE?: string; DEL?: string }[] };
        if (fields.LIST) {
          const list = field.LIST ?? [];
          for (const item of fields.LIST) {
            const existing = item.ID ? list.find((l) => l.ID === String(item.ID)) : undefined;
            if (existing && item.DEL === 'Y') list.splice(list.indexOf(existing), 1);
            else if (existing && item.VALUE !== undefined) existing.VALUE = String(item.VALUE);
            else if (!existing && item.VALUE !== undefined) list.push({ ID: this.newId(), VALUE: String(item.VALUE), SORT: String((list.length + 1) * 10), DEF: 'N' });
          }
          field.LIST = list;
        }
        return { result: true };
      }
      case 'crm.company.update':
      case 'crm.contact.update': {
        const company = method === 'crm.company.update';
        const row = (company ? this.companies : this.contacts).find((c) => c.ID === String(params.id));
        if (!row) throw Object.assign(new Error('Not found'), { code: 'NOT_FOUND' });
        const fields = (params.fields ?? {}) as Record<string, unknown>;
        (company ? this.companyUpdates : this.contactUpdates).push({ id: String(row.ID), fields });
        for (const [k, v] of Object.entries(fields)) {
          const field = this.userFields(method).find((f) => f.FIELD_NAME === k);
          row[k] = field?.MULTIPLE === 'Y' ? (Array.isArray(v) ? v.map(String).filter((x) => x !== '') : v === '' || v === false || v === null ? [] : [String(v)]) : v;
        }
        row.DATE_MODIFY = isoNow();
        return { result: true };
      }
      case 'tasks.task.add': {
        const fields = (params.fields ?? {}) as Record<string, unknown>;
        if (this.failTaskCalls.has(++this.taskCalls)) {
          throw Object.assign(new Error('Внутренняя ошибка при создании задачи'), { code: 'ERROR_CORE' });
        }
        if (!fields.TITLE) throw Object.assign(new Error('Не указано название задачи'), { code: 'ERROR_CORE' });
        if (!fields.RESPONSIBLE_ID) throw Object.assign(new Error('Не указан ответственный'), { code: 'ERROR_CORE' });
        const task = {
          id: this.newId(),
          title: String(fields.TITLE),
          description: String(fields.DESCRIPTION ?? ''),
          responsibleId: String(fields.RESPONSIBLE_ID),
          deadline: fields.DEADLINE ?? null,
          ufCrmTask: fields.UF_CRM_TASK ?? [],
        };
        this.tasks.push(task);
        return { result: { task } };
      }
      default:
        throw Object.assign(new Error('Method not found!'), { code: 'ERROR_METHOD_NOT_FOUND' });
    }
  }
}

/** A list method's answer: filtered, ordered, 50 a page (`start: -1`: without next and total). */
function list(rows: B24Item[], params: Record<string, unknown>): { result: B24Item[]; next?: number; total?: number } {
  const filter = (params.filter ?? {}) as Record<string, unknown>;
  const order = (params.order ?? params.sort ?? { ID: 'ASC' }) as Record<string, string> | string;
  const select = (params.select ?? []) as string[];
  const found = rows.filter((r) => matches(r, filter));
  const [[by, dir] = ['ID', 'ASC']] = typeof order === 'string' ? [[order, String(params.order ?? 'ASC')]] : Object.entries(order);
  const sign = String(dir).toUpperCase() === 'DESC' ? -1 : 1;
  found.sort((a, b) => sign * compare(a[by], b[by]));
  const start = Number(params.start ?? 0);
  const fast = start === -1;
  const page = found.slice(fast ? 0 : start, (fast ? 0 : start) + PAGE).map((r) => pick(r, select));
  if (fast) return { result: page };
  return { result: page, total: found.length, ...(start + PAGE < found.length ? { next: start + PAGE } : {}) };
}

const NUMERIC = /^-?\d+(?:\.\d+)?$/;
function compare(a: unknown, b: unknown): number {
  const x = String(a ?? '');
  const y = String(b ?? '');
  if (NUMERIC.test(x) && NUMERIC.test(y)) return Number(x) - Number(y);
  if (/^\d{4}-\d{2}-\d{2}T/.test(x) && /^\d{4}-\d{2}-\d{2}T/.test(y)) return Date.parse(x) - Date.parse(y);
  return x < y ? -1 : x > y ? 1 : 0;
}

function matches(row: B24Item, filter: Record<string, unknown>): boolean {
  for (const [key, want] of Object.entries(filter)) {
    const m = /^(>=|<=|>|<|!=|!|=|@)?(.+)$/.exec(key)!;
    const op = m[1] ?? '=';
    const have = row[m[2]!];
    const values = Array.isArray(have) ? have.map(String) : [String(have ?? '')];
    const wanted = Array.isArray(want) ? want.map(String) : [String(want)];
    const c = compare(have, want);
    const ok =
      op === '>'
        ? c > 0
        : op === '>='
          ? c >= 0
          : op === '<'
            ? c < 0
            : op === '<='
              ? c <= 0
              : op === '!' || op === '!='
                ? !values.some((v) => wanted.includes(v))
                : values.some((v) => wanted.includes(v));
    if (!ok) return false;
  }
  return true;
}

/** The fields asked (`*`: the entity's own, `UF_*`: user fields; EMAIL/PHONE only when named). */
function pick(row: B24Item, select: readonly string[]): B24Item {
  if (!select.length) select = ['*'];
  const out: B24Item = {};
  for (const [k, v] of Object.entries(row)) {
    const own = !k.startsWith('UF_') && k !== 'EMAIL' && k !== 'PHONE';
    if (select.includes(k) || (own && select.includes('*')) || (k.startsWith('UF_') && select.includes('UF_*'))) out[k] = v;
  }
  return out;
}

/** Now as Bitrix24 writes dates: ISO 8601 with the portal's offset (+03:00). */
export function isoNow(at = new Date()): string {
  return isoMoscow(at);
}

export function isoMoscow(at: Date): string {
  const shifted = new Date(at.getTime() + 3 * 3600_000);
  return `${shifted.toISOString().slice(0, 19)}+03:00`;
}
