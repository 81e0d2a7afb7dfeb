/**
 * A fake 1C:Trade Management base publishing its standard OData interface (v3), which behaves
 * as 1C does, not as our client wishes: `/<base>/odata/standard.odata/<Resource>` with Cyrillic
 * names percent-encoded, JSON `{"odata.metadata": …, "value": […]}`, CSDL `$metadata`, `$top`,
 * `$skip`, `$orderby`, `$select`, `$filter` (eq ne gt ge lt le, and or not, substringof,
 * startswith, literals guid'…' datetime'…' '…'; any other function is refused with 1C's error
 * JSON), `$inlinecount=allpages` adds `odata.count` and then ignores `$top`/`$skip` (1C's
 * behaviour), HTTP Basic with 1C's sign-in HTML page answered with status 200 on a wrong
 * password, 404 with 1C's error for an object not published, the Balance virtual table of an
 * accumulation register as a function, POST/PATCH/DELETE of catalog items and register records.
 * Listens on 127.0.0.1, port 0. Counts and logs every request; can be stopped mid-sync.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FakeHttpServer, hasBasic, type FakeRequest } from '../fake-server.js';

export type Row = Record<string, unknown>;

export interface FakeEntitySet {
  /** Property name → EDM type. */
  readonly properties: Readonly<Record<string, string>>;
  readonly key: readonly string[];
  rows: Row[];
}

export interface LoggedRequest {
  readonly method: string;
  /** The decoded resource path after standard.odata/. */
  readonly resource: string;
  readonly query: Readonly<Record<string, string>>;
}

const BASE = '/trade/odata/standard.odata';
const SIGN_IN_PAGE = '<!DOCTYPE html><html><head><title>1С:Предприятие</title></head><body><form>Пользователь: <input name="user"> Пароль: <input type="password"></form></body></html>';

export class Fake1C extends FakeHttpServer {
  readonly sets = new Map<string, FakeEntitySet>();
  readonly unpublished = new Set<string>();
  readonly log: LoggedRequest[] = [];
  user = 'Интеграция';
  password = 'секрет';
  /** After this many more requests the server drops every connection (a server going down). */
  downAfter: number | null = null;
  /** Answer 503 to this many next requests (a busy server; the client retries). */
  busy = 0;
  private cached: { readonly key: string; readonly rows: Row[] } | undefined;

  constructor() {
    super('/trade');
  }

  define(name: string, properties: Record<string, string>, key: readonly string[], rows: Row[] = []): FakeEntitySet {
    const set: FakeEntitySet = { properties, key, rows };
    this.sets.set(name, set);
    return set;
  }

  rows(name: string): Row[] {
    return this.sets.get(name)!.rows;
  }

  /** Requests of a kind since index `from`: GETs of a resource (prefix), optionally only those reading whole objects. */
  requests(from = 0): LoggedRequest[] {
    return this.log.slice(from);
  }

  protected answer(request: FakeRequest, res: ServerResponse): void {
    if (this.downAfter !== null) {
      if (this.downAfter <= 0) {
        request.raw.socket.destroy();
        return;
      }
      this.downAfter--;
    }
    const { url } = request;
    const body = request.body.toString('utf8');
    if (!url.pathname.startsWith(`${BASE}/`)) return this.send(res, 404, 'text/plain', 'Not found');
    const resource = decodeURIComponent(url.pathname.slice(BASE.length + 1));
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    this.log.push({ method: request.method, resource, query });

    if (!hasBasic(request, this.user, this.password)) return this.send(res, 200, 'text/html; charset=utf-8', SIGN_IN_PAGE);
    if (this.busy > 0) {
      this.busy--;
      return this.error(res, 503, '-1', 'Сервер 1С:Предприятия перегружен');
    }
    if (resource === '$metadata') return this.send(res, 200, 'application/xml;charset=utf-8', this.metadata());

    try {
      // Name, an optional key `(…)`, an optional function `/Balance(…)`.
      const m = /^([^/(]+)(\(([^)]*)\))?(?:\/(Balance)\(([^)]*)\))?$/.exec(resource);
      if (!m) return this.error(res, 400, '6', `Неправильный адрес ресурса: ${resource}`);
      const [, name, , keyText, fn, fnArgs] = m;
      const setName = fn ? `${name!}_RecordType` : name!;
      const set = this.sets.get(setName);
      if (!set || this.unpublished.has(setName)) return this.error(res, 404, '9', `Не найден сегмент URL: ${name!}`);
      const method = request.method;
      if (method === 'POST') return this.create(res, name!, set, JSON.parse(body) as Row);
      if (method === 'PATCH' || method === 'DELETE') return this.change(res, method, name!, set, keyText ?? '', body);
      // A paged read filters and sorts once: its first page ($skip absent or 0) computes the rows,
      // the next pages of the same query reuse them (the bench's millions of register rows).
      const cacheKey = `${resource}\u0000${query.$filter ?? ''}\u0000${query.$orderby ?? ''}`;
      let rows: Row[];
      if (Number(query.$skip ?? 0) > 0 && this.cached?.key === cacheKey) rows = this.cached.rows;
      else {
        rows = fn ? balance(set.rows, fnArgs ?? '') : keyText ? set.rows.filter(matchKey(set, keyText)) : set.rows;
        if (query.$filter) rows = rows.filter(compileFilter(query.$filter));
        if (query.$orderby) rows = [...rows].sort(compareBy(query.$orderby));
        this.cached = { key: cacheKey, rows };
      }
      const count = rows.length;
      if (query.$inlinecount !== 'allpages') {
        const skip = Number(query.$skip ?? 0);
        const top = query.$top !== undefined ? Number(query.$top) : rows.length;
        rows = rows.slice(skip, skip + top);
      }
      if (query.$select) {
        const fields = query.$select.split(',').map((f) => f.trim());
        rows = rows.map((r) => Object.fromEntries(fields.map((f) => [f, r[f]])));
      }
      const answer: Record<string, unknown> = { 'odata.metadata': `${this.url}/odata/standard.odata/$metadata#${setName}` };
      if (query.$inlinecount === 'allpages') answer['odata.count'] = String(count);
      answer.value = rows;
      return this.send(res, 200, 'application/json;charset=utf-8', JSON.stringify(answer));
    } catch (error) {
      return this.error(res, 400, '14', error instanceof Error ? error.message : String(error));
    }
  }

  private create(res: ServerResponse, name: string, set: FakeEntitySet, row: Row): void {
    const stored: Row = { ...row };
    if (set.key.includes('Ref_Key')) {
      stored.Ref_Key = randomUUID();
      stored.DataVersion = 'AAAAAQAAAAA=';
      stored.DeletionMark = false;
    } else if (set.rows.some(matchKey(set, set.key.map((k) => `${k}=guid'${String(row[k])}'`).join(',')))) {
      return this.error(res, 400, '15', 'Запись с такими ключевыми полями существует!');
    }
    set.rows.push(stored);
    this.send(res, 201, 'application/json;charset=utf-8', JSON.stringify({ 'odata.metadata': `${this.url}/odata/standard.odata/$metadata#${name}/@Element`, ...stored }));
  }

  private change(res: ServerResponse, method: string, name: string, set: FakeEntitySet, keyText: string, body: string): void {
    const match = matchKey(set, keyText);
    const at = set.rows.findIndex(match);
    if (at < 0) return this.error(res, 404, '9', `Объект не найден: ${name}(${keyText})`);
    if (method === 'DELETE') {
      set.rows.splice(at, 1);
      return this.send(res, 204, 'application/json', '');
    }
    Object.assign(set.rows[at]!, JSON.parse(body) as Row);
    this.send(res, 200, 'application/json;charset=utf-8', JSON.stringify(set.rows[at]));
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    this.send(res, status, 'application/json;charset=utf-8', JSON.stringify({ 'odata.error': { code, message: { lang: 'ru', value: message } } }));
  }

  private send(res: ServerResponse, status: number, type: string, body: string): void {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  }

  private metadata(): string {
    const types = [...this.sets]
      .filter(([name]) => !this.unpublished.has(name))
      .map(
        ([name, set]) =>
          `<EntityType Name="${name}"><Key>${set.key.map((k) => `<PropertyRef Name="${k}"/>`).join('')}</Key>${Object.entries(set.properties)
            .map(([p, t]) => `<Property Name="${p}" Type="${t}" Nullable="true"/>`)
            .join('')}</EntityType>`,
      )
      .join('');
    const sets = [...this.sets.keys()]
      .filter((name) => !this.unpublished.has(name))
      .map((name) => `<EntitySet Name="${name}" EntityType="StandardODATA.${name}"/>`)
      .join('');
    return `<?xml version="1.0" encoding="UTF-8"?><edmx:Edmx xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" Version="1.0"><edmx:DataServices xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" m:DataServiceVersion="3.0"><Schema xmlns="http://schemas.microsoft.com/ado/2009/11/edm" Namespace="StandardODATA">${types}<EntityContainer Name="EnterpriseV8" m:IsDefaultEntityContainer="true">${sets}<FunctionImport Name="Balance" IsBindable="true"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
  }
}

/** `Key=literal,…` or a single `guid'…'` (Ref_Key). */
function matchKey(set: FakeEntitySet, keyText: string): (row: Row) => boolean {
  const parts = keyText.includes('=') ? keyText.split(',').map((p) => p.split('=') as [string, string]) : [['Ref_Key', keyText] as [string, string]];
  const wanted = parts.map(([k, v]) => [k, literal(v)] as const);
  void set;
  return (row) => wanted.every(([k, v]) => row[k] === v);
}

/** The Balance virtual table: resources summed by dimensions over records up to Period. */
function balance(rows: Row[], args: string): Row[] {
  const period = /Period=datetime'([^']+)'/.exec(args)?.[1] ?? '9999-12-31T23:59:59';
  const sums = new Map<string, Row>();
  for (const r of rows) {
    if (r.Active === false || String(r.Period) > period) continue;
    const key = `${String(r.ОбъектРасчетов_Key)}|${String(r.ДатаПлановогоПогашения)}`;
    const sign = r.RecordType === 'Expense' ? -1 : 1;
    const sum = sums.get(key) ?? { ОбъектРасчетов_Key: r.ОбъектРасчетов_Key, ДатаПлановогоПогашения: r.ДатаПлановогоПогашения, ДолгBalance: 0 };
    sum.ДолгBalance = Math.round(((sum.ДолгBalance as number) + sign * Number(r.Долг)) * 100) / 100;
    sums.set(key, sum);
  }
  return [...sums.values()];
}

function literal(text: string): unknown {
  const t = text.trim();
  let m = /^guid'([0-9a-f-]{36})'$/i.exec(t);
  if (m) return m[1]!.toLowerCase();
  m = /^datetime'(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})'$/.exec(t);
  if (m) return m[1];
  m = /^'((?:[^']|'')*)'$/.exec(t);
  if (m) return m[1]!.replace(/''/g, "'");
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw new Error(`Неправильный литерал: ${t}`);
}

function compareBy(orderby: string): (a: Row, b: Row) => number {
  const keys = orderby.split(',').map((part) => {
    const [field, dir] = part.trim().split(/\s+/);
    return { field: field!, desc: dir === 'desc' };
  });
  return (a, b) => {
    for (const { field, desc } of keys) {
      const x = a[field] as string | number;
      const y = b[field] as string | number;
      if (x === y) continue;
      return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return 0;
  };
}

/** A small recursive-descent parser of 1C's `$filter` subset. */
function compileFilter(text: string): (row: Row) => boolean {
  const tokens = text.match(/guid'[^']*'|datetime'[^']*'|'(?:[^']|'')*'|\(|\)|,|[^\s(),]+/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const next = () => tokens[at++];
  type Node = (row: Row) => unknown;
  const value = (): Node => {
    const token = next();
    if (token === undefined) throw new Error('Неожиданный конец выражения');
    if (token === '(') {
      const inner = or();
      if (next() !== ')') throw new Error('Ожидалась )');
      return inner;
    }
    if (token === 'not') {
      const inner = value();
      return (row) => !inner(row);
    }
    if (peek() === '(') {
      next();
      const args: Node[] = [];
      while (peek() !== ')') {
        args.push(or());
        if (peek() === ',') next();
      }
      next();
      if (token === 'substringof') return (row) => String(args[1]!(row)).includes(String(args[0]!(row)));
      if (token === 'startswith') return (row) => String(args[0]!(row)).startsWith(String(args[1]!(row)));
      throw new Error(`Функция ${token} не поддерживается`);
    }
    if (/^(guid|datetime)'|^'|^-?\d|^(true|false)$/.test(token)) {
      const v = literal(token);
      return () => v;
    }
    return (row) => row[token];
  };
  const comparison = (): Node => {
    const left = value();
    const op = peek();
    if (op && ['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) {
      next();
      const right = value();
      return (row) => {
        const a = left(row) as string | number;
        const b = right(row) as string | number;
        const x = typeof a === 'string' ? a.toLowerCase() : a;
        const y = typeof b === 'string' ? b.toLowerCase() : b;
        switch (op) {
          case 'eq':
            return x === y;
          case 'ne':
            return x !== y;
          case 'gt':
            return x > y;
          case 'ge':
            return x >= y;
          case 'lt':
            return x < y;
          default:
            return x <= y;
        }
      };
    }
    return left;
  };
  const and = (): Node => {
    let left = comparison();
    while (peek() === 'and') {
      next();
      const l = left;
      const r = comparison();
      left = (row) => Boolean(l(row)) && Boolean(r(row));
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peek() === 'or') {
      next();
      const l = left;
      const r = and();
      left = (row) => Boolean(l(row)) || Boolean(r(row));
    }
    return left;
  };
  const root = or();
  if (at < tokens.length) throw new Error(`Неправильное выражение $filter: ${text}`);
  return (row) => Boolean(root(row));
}
