import { AppError } from '../errors/app-error.js';
import type { ScalarField } from '../model/entities.js';
import type { ColumnMap, ColumnTarget } from './column-map.js';
import { said } from './row-error-codes.js';
import { BadValue, isEmpty, quote, toBoolean } from './field-coercers.js';
import type { PropertyTypes } from './property-types.js';
import type { RowErrorLog, RowPosition } from './row-errors.js';
import type { PreviewRow } from './import-preview.js';

/** Where a row of the file is: its ordinal (1-based, orders "last one wins") and position. */
export interface SourceRow extends RowPosition {
  readonly ordinal: number;
}

/** A row for a staging table: SQL literal texts or null. */
export type StagingRow = (string | null)[];

/**
 * Turns the rows of a file into staging rows: each value coerced to its column's type, roles to
 * flag columns, additional properties to property rows. A bad row is logged (line, column,
 * value, reason) and left out. Compiled once per file; no schema library per row.
 *
 * Staging row: the entity's columns in `ColumnMap.columns` order, then `_row` (ordinal) and,
 * when the ordinal is not the line (JSON arrays), `_line`. Property row: owner id, name,
 * value_text, value_number, value_date, value_boolean, `_row`.
 */
export class RowBuilder {
  rows: StagingRow[] = [];
  propertyRows: StagingRow[] = [];
  /** Data rows seen, good and bad. */
  rowCount = 0;
  /** Which columns the file gives (anywhere); the others are left as they are on update. */
  readonly present: boolean[];
  /** The first rows as parsed (when asked for: a preview). */
  readonly sample: PreviewRow[] = [];
  /** Required columns the header lacks (filled by csvHeader). */
  missingColumns: string[] = [];
  /** The file's own name of each column, for messages. */
  private readonly labels: (string | undefined)[];
  private readonly width: number;
  private readonly idSlot: number;
  private readonly required: { field: ScalarField; slot: number }[];
  /** Slots of the fields that make the id of a row given without one (ENTITIES' `key`). */
  private readonly keySlots: readonly number[] | undefined;
  /** Slots of the current row whose value was bad (so a bad required value is not also "missing"). */
  private readonly failedSlots: number[] = [];

  constructor(
    private readonly map: ColumnMap,
    private readonly propertyTypes: PropertyTypes | undefined,
    private readonly errors: RowErrorLog,
    /** Whether rows carry `_line` apart from `_row` (JSON arrays, whose ordinal is the element). */
    private readonly separateLine: boolean,
    /** How many first rows to keep as parsed in `sample` (a preview). */
    private readonly sampleLimit = 0,
  ) {
    this.width = map.columns.length;
    this.present = new Array<boolean>(this.width).fill(false);
    this.labels = new Array<string | undefined>(this.width).fill(undefined);
    this.idSlot = map.columns.findIndex((c) => c.column === 'id');
    this.required = map.requiredFields().map((field) => ({ field, slot: map.slotOf(field) }));
    for (const { slot } of this.required) this.present[slot] = true;
    const key = map.entity.key;
    if (key) {
      this.keySlots = key.map((name) => map.slotOf(map.entity.fields.find((f): f is ScalarField => f.kind === 'scalar' && f.name === name)!));
      this.present[this.idSlot] = true;
    }
  }

  /** The file's name for a staging column (e.g. `partner_id` when the file said so), else the API name. */
  label(column: string): string {
    const slot = this.map.columns.findIndex((c) => c.column === column);
    const field = this.map.entity.fields.find((f) => f.kind === 'scalar' && f.column === column);
    return this.labels[slot] ?? field?.name ?? column;
  }

  /** Staging rows built since the last call (and their property rows), handed over. */
  take(): { rows: StagingRow[]; propertyRows: StagingRow[] } {
    const batch = { rows: this.rows, propertyRows: this.propertyRows };
    this.rows = [];
    this.propertyRows = [];
    return batch;
  }

  /**
   * Checks a CSV (or sheet) header and returns the reader of the rows below it. Unknown, doubled
   * or missing required columns fail the whole file (AppError), naming them — unless `lenient`
   * (a preview): then unknown columns are left out and missing ones kept in `missingColumns`.
   */
  csvHeader(header: readonly string[], { lenient = false, headerLine = 1 }: { lenient?: boolean; headerLine?: number } = {}): (record: readonly string[], source: SourceRow) => void {
    const entity = this.map.entity;
    const targets: (ColumnTarget | undefined)[] = [];
    const unknown: string[] = [];
    const suggestions: Record<string, string[]> = {};
    const owners = new Map<string, string>();
    const claim = (key: string, name: string, field: string) => {
      const other = owners.get(key);
      if (other !== undefined) throw new AppError('IMPORT_DUPLICATE_COLUMN', { columns: [quote(other), quote(name)], field });
      owners.set(key, name);
    };
    for (const raw of header) {
      const name = raw.trim();
      if (name === '') {
        targets.push(undefined); // a trailing delimiter in the header: an unnamed, ignored column
        continue;
      }
      const target = this.map.resolve(name);
      targets.push(target);
      if (!target) {
        const match = this.map.match(name);
        if (match.how === 'unknown') {
          unknown.push(quote(name) + (match.suggestions.length ? ` (${match.suggestions.join(' or ')}?)` : ''));
          suggestions[name] = [...match.suggestions];
        }
        continue;
      }
      switch (target.kind) {
        case 'scalar':
          claim(`slot:${target.slot}`, name, target.field.name);
          this.present[target.slot] = true;
          this.labels[target.slot] = name;
          break;
        case 'flags':
          for (const slot of target.slots) {
            claim(`slot:${slot}`, name, target.field.name);
            this.present[slot] = true;
            this.labels[slot] = name;
          }
          break;
        case 'flag':
          claim(`slot:${target.slot}`, name, `${target.field.name} ${target.value}`);
          this.present[target.slot] = true;
          this.labels[target.slot] = name;
          break;
        case 'property':
          claim(`property:${target.name}`, name, `property ${target.name}`);
          break;
        case 'properties':
          claim('properties', name, 'properties');
          break;
      }
    }
    if (unknown.length && !lenient) {
      throw new AppError('IMPORT_UNKNOWN_COLUMN', { entity: entity.name, columns: unknown, known: this.map.knownNames(), line: headerLine, suggestions });
    }
    const missing = this.required.filter(({ slot }) => this.labels[slot] === undefined).map(({ field }) => field.name);
    this.missingColumns = missing;
    if (missing.length && !lenient) {
      throw new AppError('IMPORT_MISSING_COLUMNS', { entity: entity.name, singular: entity.singular, columns: missing });
    }

    const columnCount = header.length;
    return (record, source) => {
      this.rowCount++;
      if (record.length !== columnCount && !this.fieldCountFits(record, columnCount)) {
        const reason = `has ${record.length} fields where the header has ${columnCount}${
          record.length > columnCount ? ' (a decimal comma in a comma-separated file needs quotes, or use ; as the delimiter)' : ''
        }`;
        this.errors.add(source, null, null, reason, said('fieldCount', { count: record.length, expected: columnCount }));
        return;
      }
      const out = this.emptyRow(source);
      let props: StagingRow[] | undefined;
      let bad = false;
      for (let c = 0; c < columnCount; c++) {
        const target = targets[c];
        if (target === undefined) continue;
        const raw = record[c] ?? '';
        try {
          if (target.kind === 'scalar') out[target.slot] = target.coerce(raw);
          else if (target.kind === 'property' || target.kind === 'properties') {
            props ??= [];
            if (target.kind === 'property') props.push(this.propertyRow(target.name, raw, source));
            else if (!isEmpty(raw)) this.propertiesObject(parseJsonObject(raw), source, props);
          } else this.setFlags(target, raw, out);
        } catch (error) {
          if (!(error instanceof BadValue)) throw error;
          this.errors.add(source, error.inner?.column ?? header[c]!.trim(), error.inner ? error.inner.value : raw, error.reason, error.said);
          if (target.kind === 'scalar') this.failedSlots.push(target.slot);
          bad = true;
        }
      }
      this.accept(out, props, bad, source);
    };
  }

  /** Adds one JSON value (an element of an array, or a JSON Lines line). */
  jsonValue(value: unknown, source: SourceRow): void {
    this.rowCount++;
    if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
      this.errors.add(source, null, null, `is nested more than ${MAX_JSON_DEPTH} levels deep; a row is a flat object (roles a list, properties one object of values)`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.errors.add(source, null, value, `${Array.isArray(value) ? 'a list' : quote(value)} is not an object; each row is {"id": …, …}`);
      return;
    }
    const out = this.emptyRow(source);
    const given: (string | undefined)[] = new Array<string | undefined>(this.width);
    let props: StagingRow[] | undefined;
    let bad = false;
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const target = this.map.resolve(key);
      if (!target) {
        if (this.map.skips(key)) continue;
        throw new AppError('IMPORT_UNKNOWN_COLUMN', {
          entity: this.map.entity.name,
          columns: [quote(key)],
          known: this.map.knownNames(),
          line: source.line,
          ...(source.element === undefined ? {} : { element: source.element }),
        });
      }
      const raw = record[key];
      try {
        if (target.kind === 'property') {
          props ??= [];
          props.push(this.propertyRow(target.name, raw, source));
          continue;
        }
        if (target.kind === 'properties') {
          props ??= [];
          if (raw !== null && raw !== undefined) {
            if (typeof raw !== 'object' || Array.isArray(raw)) throw new BadValue(`${quote(raw)} is not an object of properties ({"name": value})`);
            this.propertiesObject(raw as Record<string, unknown>, source, props);
          }
          continue;
        }
        const slots = target.kind === 'flags' ? target.slots : [target.slot];
        for (const slot of slots) {
          const other = given[slot];
          if (other !== undefined) throw new BadValue(`${quote(other)} and ${quote(key)} both give ${target.field.name}; keep one`);
          given[slot] = key;
          if (!this.present[slot] || this.labels[slot] === undefined) {
            this.present[slot] = true;
            this.labels[slot] = key;
          }
        }
        if (target.kind === 'scalar') out[target.slot] = target.coerce(raw);
        else this.setFlags(target, raw, out);
      } catch (error) {
        if (!(error instanceof BadValue)) throw error;
        this.errors.add(source, error.inner?.column ?? key, error.inner ? error.inner.value : raw, error.reason, error.said);
        if (target.kind === 'scalar') this.failedSlots.push(target.slot);
        bad = true;
      }
    }
    this.accept(out, props, bad, source);
  }

  /** Counts a row that could not even be read (a JSON Lines line that is not JSON) and logs why. */
  badRow(source: SourceRow, value: unknown, reason: string): void {
    this.rowCount++;
    this.errors.add(source, null, value, reason);
  }

  private fieldCountFits(record: readonly string[], columnCount: number): boolean {
    // Extra empty fields (a trailing delimiter) are harmless.
    if (record.length < columnCount) return false;
    for (let i = columnCount; i < record.length; i++) if (record[i] !== '') return false;
    return true;
  }

  private emptyRow(source: SourceRow): StagingRow {
    const out: StagingRow = new Array<string | null>(this.separateLine ? this.width + 2 : this.width + 1).fill(null);
    out[this.width] = String(source.ordinal);
    if (this.separateLine) out[this.width + 1] = String(source.line);
    return out;
  }

  private setFlags(target: Extract<ColumnTarget, { kind: 'flags' | 'flag' }>, raw: unknown, out: StagingRow): void {
    if (target.kind === 'flag') {
      out[target.slot] = isEmpty(raw) ? null : String(toBoolean(raw));
      return;
    }
    const flags = target.coerce(raw);
    for (let i = 0; i < flags.length; i++) out[target.slots[i]!] = flags[i] ? 'true' : 'false';
  }

  private propertyRow(name: string, raw: unknown, source: SourceRow): StagingRow {
    const values = this.propertyTypes!.values(name, raw, source.line);
    return [null, name, ...values, String(source.ordinal)];
  }

  private propertiesObject(object: Record<string, unknown>, source: SourceRow, props: StagingRow[]): void {
    for (const name in object) {
      try {
        props.push(this.propertyRow(name, object[name], source));
      } catch (error) {
        if (error instanceof BadValue) throw new BadValue(error.reason, { column: `properties.${name}`, value: object[name] }, error.said);
        throw error;
      }
    }
  }

  private keepSample(out: StagingRow, props: StagingRow[] | undefined, bad: boolean, source: SourceRow): void {
    const values: Record<string, string | null> = {};
    this.map.columns.forEach(({ column }, slot) => {
      if (!this.present[slot]) return;
      const field = this.map.entity.fields.find((f) => f.kind === 'scalar' && f.column === column);
      values[field?.name ?? column] = out[slot] ?? null;
    });
    for (const row of props ?? []) values[`properties.${row[1]}`] = row.slice(2, 6).find((v) => v !== null) ?? null;
    this.sample.push({ line: source.line, values, bad });
  }

  private accept(out: StagingRow, props: StagingRow[] | undefined, bad: boolean, source: SourceRow): void {
    for (const { field, slot } of this.required) {
      if (out[slot] === null && !this.failedSlots.includes(slot)) {
        this.errors.add(
          source,
          this.labels[slot] ?? field.name,
          null,
          `${field.name} is missing; every ${this.map.entity.singular} needs one`,
          said('missing', { field: this.labels[slot] ?? field.name }),
        );
        bad = true;
      }
    }
    this.failedSlots.length = 0;
    if (this.sample.length < this.sampleLimit) this.keepSample(out, props, bad, source);
    if (bad) return;
    if (this.keySlots && out[this.idSlot] === null) out[this.idSlot] = this.keySlots.map((slot) => out[slot]).join('|');
    this.rows.push(out);
    if (props) {
      const owner = out[this.idSlot]!;
      for (const row of props) {
        row[0] = owner;
        this.propertyRows.push(row);
      }
    }
  }
}

/** Nesting a JSON row may have: the row, its properties object, a value, and room to spare. */
const MAX_JSON_DEPTH = 8;

/** Whether lists and objects nest deeper than `limit` (checked without recursion: a row may nest thousands deep). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadValue(`${quote(text)} is not a JSON object of properties ({"name": value})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadValue(`${quote(text)} is not a JSON object of properties`);
  return value as Record<string, unknown>;
}
