/** Value coercion and the streaming readers, without a database. */
import { describe, expect, it } from 'vitest';
import { ENTITIES, type ScalarField } from '../src/model/entities.js';
import { readCsv } from '../src/import/csv-records.js';
import { BadValue, flagsCoercer, scalarCoercer } from '../src/import/field-coercers.js';
import { inferPropertyType } from '../src/import/property-types.js';
import { readJsonArray, readJsonLines } from '../src/import/json-values.js';
import { TextInput } from '../src/import/text-input.js';

const field = (type: ScalarField['type'], extra: Partial<ScalarField> = {}): ScalarField => ({ kind: 'scalar', name: 'f', column: 'f', type, ...extra });

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof BadValue) return error.reason;
    throw error;
  }
  throw new Error('expected a bad value');
}

/** Bytes in chunks of `size`, as a slow network or a small read buffer would hand them over. */
function chunked(text: string | Buffer, size: number): AsyncGenerator<string> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return new TextInput('csv').decode(
    (async function* () {
      yield* chunks;
    })(),
  );
}

async function csvRows(text: string | Buffer, chunkSize = 1 << 16) {
  const out: { header?: string[]; delimiter?: string; rows: { line: number; record: string[] }[] } = { rows: [] };
  for await (const item of readCsv(chunked(text, chunkSize))) {
    if ('header' in item) Object.assign(out, { header: item.header, delimiter: item.delimiter });
    else item.records.forEach((record, i) => out.rows.push({ line: item.lines[i]!, record }));
  }
  return out;
}

describe('decimal values', () => {
  const decimal = scalarCoercer(field('decimal'));
  it.each([
    ['1234.5', '1234.5'],
    ['1234,5', '1234.5'],
    ['-0,75', '-0.75'],
    ['1 234,50', '1234.50'],
    ['1\u00a0234\u00a0567,5', '1234567.5'],
    ['1,234.50', '1234.50'],
    ['1.234,50', '1234.50'],
    ['+12', '12'],
    [',5', '0.5'],
    [' 42 ', '42'],
  ])('reads %j as %s', (text, canonical) => {
    expect(decimal(text)).toBe(canonical);
  });
  it('reads JSON numbers without exponents', () => {
    expect(decimal(1e-7)).toBe('0.0000001');
    expect(decimal(-3)).toBe('-3');
  });
  it('treats an empty field as null', () => {
    expect(decimal('')).toBeNull();
    expect(decimal(null)).toBeNull();
  });
  it.each(['abc', '1,2,3', '12a', '1 23,4', '--1'])('refuses %j', (text) => {
    expect(reasonOf(() => decimal(text))).toBe(`${JSON.stringify(text)} is not a number`);
  });
  it('refuses numbers the column cannot hold', () => {
    expect(reasonOf(() => decimal('123456789012345'))).toContain('too large');
  });
});

describe('dates, whole numbers, booleans and allowed values', () => {
  const date = scalarCoercer(field('date'));
  it('reads ISO and 1C dates, dropping a time', () => {
    expect(date('2024-02-29')).toBe('2024-02-29');
    expect(date('29.02.2024')).toBe('2024-02-29');
    expect(date('1.3.2024 0:00:00')).toBe('2024-03-01');
    expect(date('2024-03-01T10:30:00Z')).toBe('2024-03-01');
  });
  it("reads 1C's empty date 01.01.0001 as no date", () => {
    expect(date('01.01.0001 0:00:00')).toBeNull();
  });
  it.each(['2023-02-29', '31.04.2024', '2024/01/01', 'yesterday'])('refuses %j', (text) => {
    expect(reasonOf(() => date(text))).toBe(`${JSON.stringify(text)} is not a date (write YYYY-MM-DD or DD.MM.YYYY)`);
  });

  it('checks bounds of whole numbers', () => {
    const score = scalarCoercer(field('integer', { min: 0, max: 10 }));
    expect(score('7')).toBe('7');
    expect(score(10)).toBe('10');
    expect(reasonOf(() => score('11'))).toBe('"11" is above the maximum 10');
    expect(reasonOf(() => score(-1))).toBe('-1 is below the minimum 0');
    expect(reasonOf(() => score('7.5'))).toBe('"7.5" is not a whole number');
  });

  it('reads booleans in English, Russian and digits', () => {
    const flag = scalarCoercer(field('boolean'));
    expect(['true', 'Yes', '1', 'да', 'Истина', true].map(flag)).toEqual(Array(6).fill('true'));
    expect(['false', 'no', '0', 'НЕТ', 'ложь', false].map(flag)).toEqual(Array(6).fill('false'));
    expect(reasonOf(() => flag('maybe'))).toContain('"maybe" is not true or false');
  });

  it('canonicalises allowed values and names them when refusing', () => {
    const legalForm = scalarCoercer(field('text', { values: ['company', 'person'] }));
    expect(legalForm('Company')).toBe('company');
    expect(reasonOf(() => legalForm('firm'))).toBe('"firm" is not one of: company, person');
  });

  it('reads roles from text with | or , and from JSON lists', () => {
    const rolesField = ENTITIES.partners.fields.find((f) => f.name === 'roles');
    if (rolesField?.kind !== 'flags') throw new Error('partners have roles');
    const roles = flagsCoercer(rolesField);
    expect(roles('customer|supplier')).toEqual([true, true, false, false]);
    expect(roles('Competitor, other')).toEqual([false, false, true, true]);
    expect(roles(['supplier'])).toEqual([false, true, false, false]);
    expect(roles('')).toEqual([false, false, false, false]);
    expect(reasonOf(() => roles('customer|buyer'))).toBe('"buyer" is not one of the roles: customer, supplier, competitor, other');
  });
});

describe('property type inference', () => {
  it.each([
    ['12', 'number'],
    ['12,5', 'number'],
    [3.5, 'number'],
    ['007', 'string'],
    ['2024-01-31', 'date'],
    ['2024-02-30', 'string'],
    ['да', 'boolean'],
    [false, 'boolean'],
    ['+7 912 000-00-00', 'string'],
  ])('infers %j as %s', (value, type) => {
    expect(inferPropertyType(value)).toBe(type);
  });
});

describe('CSV reading', () => {
  const file = '\ufeffid;name;note\r\np1;"ООО ""Ромашка""";"two\r\nlines"\r\n\r\np2;ООО "Лютик";x\r\n;;\r\np3;"a;b";\r\n';

  it('detects the delimiter, strips the BOM and numbers rows by their physical line', async () => {
    const { header, delimiter, rows } = await csvRows(file);
    expect(delimiter).toBe(';');
    expect(header).toEqual(['id', 'name', 'note']);
    expect(rows).toEqual([
      { line: 2, record: ['p1', 'ООО "Ромашка"', 'two\r\nlines'] },
      { line: 5, record: ['p2', 'ООО "Лютик"', 'x'] },
      { line: 7, record: ['p3', 'a;b', ''] },
    ]);
  });

  it('reads the same whatever the chunk boundaries (even inside a character or a quote)', async () => {
    const whole = await csvRows(file);
    for (const size of [1, 2, 3, 7]) expect(await csvRows(file, size)).toEqual(whole);
  });

  it('takes a comma delimiter and a file without a final newline', async () => {
    const { delimiter, rows } = await csvRows('id,name\n1,"a, b"');
    expect(delimiter).toBe(',');
    expect(rows).toEqual([{ line: 2, record: ['1', 'a, b'] }]);
  });

  it('refuses a quote that is never closed, naming the line', async () => {
    await expect(csvRows('id;name\n1;a\n2;"never closed\n3;c\n')).rejects.toMatchObject({
      code: 'IMPORT_BAD_FORMAT',
      message: expect.stringContaining('line 3 is never closed'),
    });
  });

  it('reads a Windows-1251 export (1C) as such, whatever the chunk boundaries', async () => {
    const cp1251 = Buffer.from([0x69, 0x64, 0x3b, 0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x31, 0x3b, 0xcf, 0xe5, 0xf0, 0xec, 0xfc, 0x0a]);
    for (const size of [1, 3, 1 << 16]) expect((await csvRows(cp1251, size)).rows).toEqual([{ line: 2, record: ['1', 'Пермь'] }]);
  });

  it('refuses bytes that are neither UTF-8 nor Windows-1251 text, naming line and column', async () => {
    const overlong = Buffer.concat([Buffer.from('id;name\n1;a'), Buffer.from([0xc0, 0xaf]), Buffer.from('\n')]);
    await expect(csvRows(overlong)).rejects.toMatchObject({
      code: 'IMPORT_BAD_FORMAT',
      message: expect.stringContaining('not UTF-8 text: at line 2, column 4, byte 0xC0 starts an overlong'),
      details: { line: 2, column: 4 },
    });
  });
});

describe('JSON reading', () => {
  async function collect(rows: AsyncGenerator<{ value: unknown; line: number; element: number | undefined; invalid?: string }[]>) {
    const out = [];
    for await (const batch of rows) out.push(...batch);
    return out;
  }
  const array = '[\n  {"id": "a", "name": "x]}\\"{"},\n  {\n    "id": "b"\n  },\n  5\n]\n';

  it('cuts an array into elements that know their line, across any chunk boundary', async () => {
    const expected = [
      { value: { id: 'a', name: 'x]}"{' }, line: 2, element: 0 },
      { value: { id: 'b' }, line: 3, element: 1 },
      { value: 5, line: 6, element: 2 },
    ];
    for (const size of [1, 5, 1 << 16]) expect(await collect(readJsonArray(chunked(array, size)))).toEqual(expected);
  });

  it('refuses what is not an array, and a cut-off array', async () => {
    await expect(collect(readJsonArray(chunked('{"id": 1}', 64)))).rejects.toMatchObject({ code: 'IMPORT_BAD_FORMAT' });
    await expect(collect(readJsonArray(chunked('[{"id": 1},\n{"id"', 64)))).rejects.toMatchObject({
      message: expect.stringContaining('ends before the array is closed'),
    });
  });

  it('reads JSON Lines, keeping a bad line as a bad row', async () => {
    const rows = await collect(readJsonLines(chunked('{"id":"a"}\r\n\n{"id":\n{"id":"c"}', 3)));
    expect(rows).toEqual([
      { value: { id: 'a' }, line: 1, element: undefined },
      { value: '{"id":', invalid: expect.stringContaining('is not valid JSON'), line: 3, element: undefined },
      { value: { id: 'c' }, line: 4, element: undefined },
    ]);
  });
});
