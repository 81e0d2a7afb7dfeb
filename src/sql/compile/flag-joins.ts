/**
 * Conditions of the form "some row of a table, keyed by this row's value, passes a test" —
 * a region and its ancestors (inHierarchy), a partner and its stored segments (inSegment) —
 * compiled as one grouped subquery per table and key, joined once, with one boolean column
 * per distinct test. A hundred rules naming twenty regions and ten segments then cost two
 * joins, not thirty subqueries: fewer plans to build for one partner, fewer hash tables over
 * a million.
 */

/** A table of rows keyed by a column, maybe narrowed (a partner's memberships only). */
export interface FlagSource {
  /** Identity of the source: flags of equal sources and keys share one join. */
  readonly id: string;
  readonly table: string;
  /** The column of `table` matched against the key. */
  readonly keyColumn: string;
  /** A condition on the source's rows (alias given), e.g. `m.member_id = $3`. */
  readonly where?: (alias: string) => string;
}

interface FlagGroup {
  readonly alias: string;
  readonly source: FlagSource;
  readonly key: string;
  /** test SQL → column */
  readonly columns: Map<string, string>;
}

export class FlagJoins {
  private readonly groups = new Map<string, FlagGroup>();

  constructor(private readonly nextAlias: () => string) {}

  /**
   * A boolean SQL (never NULL): some row of `source` whose key column equals `key` passes
   * `test` (written over the source row aliased as given).
   */
  flag(source: FlagSource, key: string, test: (alias: string) => string): string {
    const id = JSON.stringify([source.id, key]);
    let group = this.groups.get(id);
    if (!group) {
      group = { alias: this.nextAlias(), source, key, columns: new Map() };
      this.groups.set(id, group);
    }
    const sql = test(`${group.alias}r`);
    let column = group.columns.get(sql);
    if (!column) {
      column = `f${group.columns.size}`;
      group.columns.set(sql, column);
    }
    return `COALESCE(${group.alias}.${column}, FALSE)`;
  }

  /** LEFT JOINs of every group. */
  joins(): string[] {
    return [...this.groups.values()].map(({ alias, source, key, columns }) => {
      const r = `${alias}r`;
      const flags = [...columns].map(([sql, column]) => `bool_or(${sql}) AS ${column}`).join(', ');
      // Rows that pass no test change no flag (a missing group reads FALSE): leave them out,
      // unless the source is narrowed already (an index serves that narrowing alone).
      const any = `(${[...columns.keys()].map((sql) => `(${sql})`).join(' OR ')})`;
      const where = ` WHERE ${source.where ? source.where(r) : any}`;
      return `LEFT JOIN (SELECT ${r}.${source.keyColumn} AS k, ${flags} FROM ${source.table} ${r}${where} GROUP BY ${r}.${source.keyColumn}) ${alias} ON ${alias}.k = ${key}`;
    });
  }
}
