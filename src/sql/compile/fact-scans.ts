import { ENTITIES, type EntityName } from '../../model/entities.js';
import type { Dialect } from '../dialect.js';
import { FlagJoins } from './flag-joins.js';
import type { LeftSide } from './left-side.js';
import type { MeasureReader } from './measure-reader.js';
import type { MeasureSpec, WhereFilter } from './measure-spec.js';
import type { SqlParams } from './sql-params.js';

/** The SQL column of a model field; identifiers come only from the registry. */
export function columnOf(entity: EntityName, field: string): string {
  const def = ENTITIES[entity].fields.find((f) => f.name === field);
  if (!def || def.kind !== 'scalar') throw new Error(`${entity} has no column field ${field}`);
  return def.column;
}

const SALES = ENTITIES.sales.table;
const INTERACTIONS = ENTITIES.interactions.table;
const DEALS = ENTITIES.deals.table;
const SETTLEMENTS = ENTITIES.settlements.table;

type FactSource = 'sales' | 'interactions' | 'deals';
const DATE_COLUMN: Readonly<Record<FactSource, string>> = {
  sales: columnOf('sales', 'date'),
  interactions: columnOf('interactions', 'date'),
  deals: columnOf('deals', 'createdAt'),
};
const TABLE: Readonly<Record<FactSource, string>> = { sales: SALES, interactions: INTERACTIONS, deals: DEALS };

/** How `where` filters become SQL over a fact row aliased `f`, given by the compiler (they may need sub-selects). */
export interface WhereCompiler {
  (filter: WhereFilter, factAlias: string): string;
}

export interface FactScanContext {
  readonly dialect: Dialect;
  readonly params: SqlParams;
  readonly asOf: string;
  readonly nextAlias: () => string;
  readonly where: WhereCompiler;
  /** A product-level filter over a product row `x` (product_id, group_id), its lookups through `flags`. */
  readonly productFilter: (filter: WhereFilter, x: string, flags: FlagJoins) => string;
  /**
   * Only some partners' facts are read (explain, check on create): an SQL test on the fact's
   * partner_id such as `= $3` or `IN ($3, $4)`. It is then the scan's only WHERE condition and
   * the date limit moves into each aggregate, so an index on partner_id can serve the read.
   */
  readonly members: string | null;
  /**
   * The sale lines are read from this table instead of `sales` (same columns): the lines an
   * import appended, whose measures an incremental pass adds to the kept ones (measure-base.ts).
   */
  readonly salesTable?: string;
}

/** One grouped aggregate subquery over a fact table, LEFT JOINed to the partners by partner_id. */
interface Scan {
  readonly alias: string;
  readonly factAlias: string;
  /** aggregate SQL → its column name; equal aggregates are computed once. */
  readonly columns: Map<string, string>;
  /** A condition every aggregate of a member-restricted scan carries (facts up to asOf). */
  readonly rowFilter: string | null;
  /**
   * Product-level `where` filters (product group, product segment) of a sales scan, evaluated
   * once per product in a table joined to the facts: filter key → its boolean column. Many
   * measures over product groups then cost one join, not one subquery each per fact row.
   */
  readonly productFlags: Map<string, { readonly column: string; readonly sql: string }> | null;
  readonly flagsAlias: string;
  /** The joins the product flags read hierarchies and memberships through. */
  readonly productLookups: FlagJoins | null;
  /** Settlement scans compute fixed columns; the others exist only with a column asked for. */
  readonly fixed: boolean;
  readonly render: () => string;
}

/**
 * The id of a scan restricted to one member (`= $3`), else null. Such a scan aggregates its
 * few rows without GROUP BY: DuckDB sets up a hash table per grouped aggregate, which cost a
 * check of one partner against 100 segments most of its CPU (20 of 25 ms). Without facts the
 * row is still there, with NULL sums and zero counts, which every measure reads as no facts.
 */
function singleMember(members: string): string | null {
  return members.startsWith('= ') ? members.slice(2) : null;
}

/** `where` keys decided by the product alone, worth evaluating once per product. */
const PRODUCT_LEVEL = new Set(['productGroup', 'productSegment']);

/** An aggregate of a scan's rows: its SQL, or a sum of a value (filtered as the dialect sums best). */
type Aggregate = string | { readonly sum: string };

/**
 * The fact scans of one SELECT: every measure of the rule becomes one or two aggregate
 * columns of a per-partner grouped subquery, one subquery per fact table (one per end date
 * for settlement balances). Measures over the same table share its single scan, each
 * narrowed by its own `FILTER (WHERE …)` (a sum as the dialect filters sums, `Dialect.filteredSum`).
 */
export class FactScans implements MeasureReader {
  private readonly scans = new Map<string, Scan>();

  constructor(private readonly ctx: FactScanContext) {}

  /** The SQL of a measure's value (or ratio) for the partner row `partnerId` of the outer query. */
  leftSide(spec: MeasureSpec): LeftSide {
    const { dialect, params } = this.ctx;
    // Bound only where used: an engine refuses a parameter that the text never mentions.
    const asOf = () => params.bind(this.ctx.asOf, 'date');
    const zero = (sql: string) => `COALESCE(${sql}, 0)`;
    if (spec.source === 'settlements') return this.settlement(spec);
    if (spec.source === 'partner') throw new Error('registration is not a fact measure');
    const scan = this.scan(spec.source);
    const f = scan.factAlias;
    const filter = this.filterOf(spec, scan);
    const col = (aggregate: Aggregate, extra?: string) => this.column(scan, aggregate, [filter, extra].filter(Boolean).join(' AND '));
    const purchase = `${f}.quantity >= 0`;
    const number = (sql: string): LeftSide => ({ kind: 'scalar', sql, type: 'number', nulls: 'false' });
    switch (spec.measure) {
      case 'sales.revenue':
        return number(zero(col({ sum: `${f}.revenue` })));
      case 'sales.quantity':
        return number(zero(col({ sum: `${f}.quantity` })));
      case 'sales.cost':
        return number(zero(col({ sum: `COALESCE(${f}.cost, 0)` })));
      case 'sales.grossProfit':
        return number(zero(col({ sum: `${f}.revenue - COALESCE(${f}.cost, 0)` })));
      case 'sales.documents':
        return number(zero(this.documents(spec) ?? col(`COUNT(DISTINCT ${f}.document)`, purchase)));
      case 'sales.averageCheck':
        return {
          kind: 'ratio',
          numerator: zero(col({ sum: `${f}.revenue` })),
          denominator: zero(this.documents(spec) ?? col(`COUNT(DISTINCT ${f}.document)`, purchase)),
        };
      case 'sales.daysSinceLast':
        return number(dialect.daysBetween(col(`MAX(${f}.date)`, purchase), asOf()));
      case 'sales.daysSinceFirst':
        return number(dialect.daysBetween(col(`MIN(${f}.date)`, purchase), asOf()));
      case 'interactions.count':
        return number(zero(col('COUNT(*)')));
      case 'interactions.daysSinceLast':
        return number(dialect.daysBetween(col(`MAX(${f}.date)`), asOf()));
      case 'interactions.averageScore':
        return { kind: 'ratio', numerator: zero(col({ sum: `${f}.score` })), denominator: zero(col(`COUNT(${f}.score)`)) };
      case 'deals.count':
        return number(zero(col('COUNT(*)')));
      case 'deals.wonAmount':
        return number(zero(col({ sum: `COALESCE(${f}.amount, 0)` }, `${f}.outcome = ${params.bind('won', 'text')}`)));
      case 'deals.lostCount':
        return number(zero(col('COUNT(*)', `${f}.outcome = ${params.bind('lost', 'text')}`)));
      default:
        throw new Error(`measure ${spec.measure} is not read from ${spec.source}`);
    }
  }

  /** LEFT JOINs of every scan, to append after the root table aliased `root`. */
  joins(root: string): string[] {
    return this.used().map((scan) => `LEFT JOIN (${scan.render()}) ${scan.alias} ON ${scan.alias}.partner_id = ${root}.id`);
  }

  get scanCount(): number {
    return this.used().length;
  }

  private used(): Scan[] {
    return [...this.scans.values()].filter((scan) => scan.fixed || scan.columns.size > 0);
  }

  private filterOf(spec: MeasureSpec, scan: Scan): string {
    const { params } = this.ctx;
    const f = scan.factAlias;
    const source = spec.source as FactSource;
    const date = `${f}.${DATE_COLUMN[source]}`;
    const parts: string[] = [];
    if (!spec.includeUndated) {
      if (spec.range.from !== null) parts.push(`${date} >= ${params.bind(spec.range.from, 'date')}`);
      // The scan already stops at asOf, but a deal without a date must not pass a dated period.
      if (spec.range.to < this.ctx.asOf || source === 'deals') parts.push(`${date} <= ${params.bind(spec.range.to, 'date')}`);
    }
    for (const filter of spec.where) parts.push(scan.productFlags && PRODUCT_LEVEL.has(filter.key) ? this.productFlag(scan, filter) : this.ctx.where(filter, f));
    return parts.join(' AND ');
  }

  private productFlag(scan: Scan, filter: WhereFilter): string {
    const flags = scan.productFlags!;
    const key = JSON.stringify([filter.key, filter.values]);
    let flag = flags.get(key);
    if (!flag) {
      flag = { column: `w${flags.size}`, sql: this.ctx.productFilter(filter, `${scan.flagsAlias}x`, scan.productLookups!) };
      flags.set(key, flag);
    }
    return `${scan.flagsAlias}.${flag.column}`;
  }

  private column(scan: Scan, aggregate: Aggregate, filter: string): string {
    const condition = [scan.rowFilter, filter].filter(Boolean).join(' AND ');
    const sql =
      typeof aggregate !== 'string'
        ? condition
          ? this.ctx.dialect.filteredSum(aggregate.sum, condition)
          : `SUM(${aggregate.sum})`
        : condition
          ? `${aggregate} FILTER (WHERE ${condition})`
          : aggregate;
    let name = scan.columns.get(sql);
    if (!name) {
      name = `c${scan.columns.size}`;
      scan.columns.set(sql, name);
    }
    return `${scan.alias}.${name}`;
  }

  private scan(source: FactSource): Scan {
    const existing = this.scans.get(source);
    if (existing) return existing;
    const { members } = this.ctx;
    const alias = this.ctx.nextAlias();
    const f = this.ctx.nextAlias();
    const upTo = this.upTo(source, f);
    const columns = new Map<string, string>();
    const flags = this.productFlagsOf(source, f);
    const scan: Scan = {
      alias,
      factAlias: f,
      columns,
      rowFilter: members ? upTo : null,
      ...flags,
      fixed: false,
      render: () => {
        const aggregates = [...columns].map(([sql, name]) => `${sql} AS ${name}`).join(', ');
        if (!members) return `SELECT ${f}.partner_id, ${aggregates} FROM ${this.table(source)} ${f}${flags.join()} WHERE ${upTo} GROUP BY ${f}.partner_id`;
        // The few rows first, on their own: joined to anything, DuckDB would scan rather than use an index.
        // Only the columns read: a scan of every line for many members reads each column
        // whole, and text columns (ids, documents) cost the most (DuckDB: a third of the scan).
        const read = new Set(['partner_id', ...[...`${aggregates}${flags.join()}`.matchAll(new RegExp(`\\b${f}\\.(\\w+)`, 'g'))].map((m) => m[1]!)]);
        const rows = `WITH ${f}_rows AS MATERIALIZED (SELECT ${[...read].join(', ')} FROM ${this.table(source)} WHERE partner_id ${members}) `;
        const one = singleMember(members);
        if (one) return `${rows}SELECT ${one} AS partner_id, ${aggregates} FROM ${f}_rows ${f}${flags.join()}`;
        return `${rows}SELECT ${f}.partner_id, ${aggregates} FROM ${f}_rows ${f}${flags.join()} GROUP BY ${f}.partner_id`;
      },
    };
    this.scans.set(source, scan);
    return scan;
  }

  private table(source: FactSource): string {
    return source === 'sales' ? (this.ctx.salesTable ?? SALES) : TABLE[source];
  }

  /** Facts dated after asOf do not exist yet; undated deals are kept for "all time". */
  private upTo(source: FactSource, f: string): string {
    const date = `${f}.${DATE_COLUMN[source]}`;
    const asOf = this.ctx.params.bind(this.ctx.asOf, 'date');
    return source === 'deals' ? `(${date} IS NULL OR ${date} <= ${asOf})` : `${date} <= ${asOf}`;
  }

  /** The product flags of a scan of sales (see Scan.productFlags); none for other scans. */
  private productFlagsOf(source: FactSource, f: string): Pick<Scan, 'productFlags' | 'flagsAlias' | 'productLookups'> & { join: () => string } {
    if (source !== 'sales') return { productFlags: null, flagsAlias: '', productLookups: null, join: () => '' };
    const productFlags = new Map<string, { column: string; sql: string }>();
    const flagsAlias = this.ctx.nextAlias();
    const productLookups = new FlagJoins(this.ctx.nextAlias);
    const product = columnOf('sales', 'product');
    const group = columnOf('products', 'group');
    const join = () => {
      if (!productFlags.size) return '';
      const x = `${flagsAlias}x`;
      const flagColumns = [...productFlags.values()].map(({ column, sql }) => `${sql} AS ${column}`).join(', ');
      return (
        ` LEFT JOIN (SELECT ${x}.${product}, ${flagColumns} FROM (SELECT id AS ${product}, ${group} FROM ${ENTITIES.products.table}) ${x}` +
        `${productLookups
          .joins()
          .map((j) => ` ${j}`)
          .join('')}) ${flagsAlias} ON ${flagsAlias}.${product} = ${f}.${product}`
      );
    };
    return { productFlags, flagsAlias, productLookups, join };
  }

  /**
   * Documents (distinct purchase documents) of a full scan, counted in a scan of their own:
   * the purchase lines that any documents measure may count are grouped by document once,
   * each measure keeping a document if one of its lines passes its filter. Much cheaper than
   * a COUNT(DISTINCT) per measure over every line. Null for a restricted scan.
   */
  private documents(spec: MeasureSpec): string | null {
    if (this.ctx.members) return null;
    let scan = this.scans.get('sales:documents');
    if (!scan) {
      const alias = this.ctx.nextAlias();
      const f = this.ctx.nextAlias();
      const x = this.ctx.nextAlias();
      const upTo = this.upTo('sales', f);
      const columns = new Map<string, string>();
      const flags = this.productFlagsOf('sales', f);
      scan = {
        alias,
        factAlias: f,
        columns,
        rowFilter: null,
        ...flags,
        fixed: false,
        render: () => {
          const conditions = [...columns.keys()];
          // Only lines some measure may count; no narrowing when one counts them all.
          const any = conditions.includes('TRUE') ? '' : ` AND (${conditions.map((c) => `(${c})`).join(' OR ')})`;
          return (
            `SELECT ${x}.partner_id, ${[...columns.values()].map((name) => `COUNT(*) FILTER (WHERE ${x}.${name}) AS ${name}`).join(', ')} ` +
            `FROM (SELECT ${f}.partner_id, ${f}.document, ${[...columns].map(([sql, name]) => `bool_or(${sql}) AS ${name}`).join(', ')} ` +
            `FROM ${this.table('sales')} ${f}${flags.join()} WHERE ${upTo} AND ${f}.quantity >= 0${any} GROUP BY ${f}.partner_id, ${f}.document) ${x} ` +
            `GROUP BY ${x}.partner_id`
          );
        },
      };
      this.scans.set('sales:documents', scan);
    }
    const condition = this.filterOf(spec, scan) || 'TRUE';
    let name = scan.columns.get(condition);
    if (!name) {
      name = `d${scan.columns.size}`;
      scan.columns.set(condition, name);
    }
    return `${scan.alias}.${name}`;
  }

  /**
   * Settlement measures are the state at the end date D of the period (asOf by default):
   * the balance of the entries dated up to D, and which debts are overdue on D when payments
   * settle the debts that fall due first (FIFO by due date). See docs/rules.md.
   */
  private settlement(spec: MeasureSpec): LeftSide {
    const { dialect, params } = this.ctx;
    const key = `settlements:${spec.range.to}`;
    let scan = this.scans.get(key);
    const end = params.bind(spec.range.to, 'date');
    if (!scan) {
      const alias = this.ctx.nextAlias();
      const f = this.ctx.nextAlias();
      const x = this.ctx.nextAlias();
      const due = `COALESCE(${f}.due_date, ${f}.date)`;
      const { members } = this.ctx;
      // Restricted to some partners, the scan's only WHERE is on partner_id (an index serves it):
      // entries after the end date stay in the rows but count nowhere.
      const dated = members ? `${f}.date <= ${end}` : null;
      const when = (sql: string) => (dated ? `CASE WHEN ${dated} THEN ${sql} ELSE 0 END` : sql);
      const positive = dated ? `CASE WHEN ${dated} AND ${f}.amount > 0 THEN ${f}.amount ELSE 0 END` : `CASE WHEN ${f}.amount > 0 THEN ${f}.amount ELSE 0 END`;
      const kept = members ? `${x}.dated AND ` : '';
      const one = members ? singleMember(members) : null;
      scan = {
        alias,
        factAlias: f,
        columns: new Map(),
        rowFilter: null,
        productFlags: null,
        flagsAlias: '',
        productLookups: null,
        fixed: true,
        render: () =>
          `SELECT ${one ? `${one} AS partner_id` : `${x}.partner_id`}, SUM(${x}.amount)${members ? ` FILTER (WHERE ${x}.dated)` : ''} AS balance, ` +
          `SUM(${x}.amount) FILTER (WHERE ${kept}${x}.amount > 0 AND ${x}.due >= ${end}) AS not_due, ` +
          `MIN(${x}.due) FILTER (WHERE ${kept}${x}.amount > 0 AND ${x}.due < ${end} AND ${x}.newer_debt < ${x}.total) AS oldest_due ` +
          `FROM (SELECT ${f}.partner_id, ${f}.amount, ${due} AS due, ${dated ? `${dated} AS dated, ` : ''}` +
          `SUM(${when(`${f}.amount`)}) OVER (PARTITION BY ${f}.partner_id) AS total, ` +
          `COALESCE(SUM(${positive}) OVER (PARTITION BY ${f}.partner_id ORDER BY ${due} DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS newer_debt ` +
          `FROM ${SETTLEMENTS} ${f} WHERE ${members ? `${f}.partner_id ${members}` : `${f}.date <= ${end}`}) ${x}` +
          (one ? '' : ` GROUP BY ${x}.partner_id`),
      };
      this.scans.set(key, scan);
    }
    const a = scan.alias;
    const balance = `COALESCE(${a}.balance, 0)`;
    const number = (sql: string): LeftSide => ({ kind: 'scalar', sql, type: 'number', nulls: 'false' });
    switch (spec.measure) {
      case 'settlements.receivable':
        return number(`GREATEST(${balance}, 0)`);
      case 'settlements.payable':
        return number(`GREATEST(-${balance}, 0)`);
      case 'settlements.overdueReceivable':
        return number(`GREATEST(${balance} - COALESCE(${a}.not_due, 0), 0)`);
      case 'settlements.maxDaysOverdue':
        return number(`COALESCE(${dialect.daysBetween(`${a}.oldest_due`, end)}, 0)`);
      default:
        throw new Error(`measure ${spec.measure} is not read from settlements`);
    }
  }
}
