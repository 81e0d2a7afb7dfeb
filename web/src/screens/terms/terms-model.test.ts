import { describe, expect, it } from 'vitest';
import type { Campaign, Discount, DiscountTable } from '../../api/terms';
import { conditionDraftOf, conditionInput, newCondition } from './discounts/condition-draft';
import { effectivePeriod, termState } from './shared/format';
import { termHref } from './shared/links';
import { cellKey, cellsOf, chunks, sampleCsv, segmentsOf, specOf } from './tables/table-model';

const stamp = { createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z' };

describe('discount conditions in the form', () => {
  it('sends every kind of condition as the API takes it, and reads it back the same', () => {
    const conditions = [
      { kind: 'partnerInSegment', segment: 'vip' },
      { kind: 'productInSegment', segment: 'segment1' },
      { kind: 'cumulative', measure: 'sales.documents', months: null, productSegment: 'segment1', op: 'gte', threshold: 1 },
      { kind: 'cumulative', measure: 'sales.revenue', months: 24, productSegment: null, op: 'gt', threshold: 10_000 },
      { kind: 'birthday', withinDays: 3 },
      { kind: 'orderAmount', min: 50_000 },
    ] as const;
    for (const condition of conditions) expect(conditionInput(conditionDraftOf(condition))).toEqual(condition);
  });

  it('leaves out the segment the server bound a cumulative condition to', () => {
    const saved = { kind: 'cumulative', measure: 'sales.revenue', months: 12, productSegment: 'segment2', op: 'gte', threshold: 40_000, segment: 'cum-segment2-12m-revenue-gte-40000' } as const;
    expect(conditionInput(conditionDraftOf(saved))).not.toHaveProperty('segment');
    expect(conditionDraftOf(saved)).toMatchObject({ segment: 'cum-segment2-12m-revenue-gte-40000' });
  });

  it('holds back a condition still being filled', () => {
    expect(conditionInput(newCondition('partnerInSegment'))).toBeNull();
    expect(conditionInput(newCondition('cumulative'))).toBeNull();
    expect(conditionInput(newCondition('orderAmount'))).toBeNull();
    // A birthday needs nothing more: today.
    expect(conditionInput(newCondition('birthday'))).toEqual({ kind: 'birthday', withinDays: 0 });
  });
});

describe('validity of a term', () => {
  const campaigns = new Map<string, Campaign>([['summer', { id: 'summer', name: 'Лето', description: null, startsOn: '2025-06-01', endsOn: '2025-08-31', ...stamp }]]);

  it("narrows a term's own dates by its campaign's period", () => {
    expect(effectivePeriod({ campaignId: 'summer', validFrom: '2025-07-01', validTo: null }, campaigns)).toEqual({ from: '2025-07-01', to: '2025-08-31' });
    expect(effectivePeriod({ campaignId: null, validFrom: null, validTo: null }, campaigns)).toEqual({ from: null, to: null });
  });

  it('says whether it applies on a day, both bounds included', () => {
    const term = { campaignId: 'summer', validFrom: null, validTo: null, active: true };
    expect(termState(term, campaigns, '2025-05-31')).toBe('future');
    expect(termState(term, campaigns, '2025-06-01')).toBe('active');
    expect(termState(term, campaigns, '2025-08-31')).toBe('active');
    expect(termState(term, campaigns, '2025-09-01')).toBe('expired');
    expect(termState({ ...term, active: false }, campaigns, '2025-07-01')).toBe('inactive');
  });
});

describe('cumulative discount tables', () => {
  const table: DiscountTable = {
    id: 't',
    name: 'Накопительная',
    columns: [
      { key: 'all-documents-gte-1', label: 'После первой покупки', measure: 'sales.documents', months: null, threshold: 1 },
      { key: '24m-revenue-gte-10000', label: 'от 10000 за 24 мес.', months: 24, threshold: 10_000 },
    ],
    rows: [{ productSegment: 'segment1', percents: [1, 1.5] }],
    combine: 'max',
    priority: 0,
    active: true,
    campaignId: null,
    validFrom: null,
    validTo: null,
    ...stamp,
  };
  type Cumulative = Extract<Discount['conditions'][number], { kind: 'cumulative' }>;
  const discount = (id: string, tableId: string | null, cumulative: Omit<Cumulative, 'kind' | 'productSegment'>): Discount => ({
    id,
    name: id,
    description: null,
    percent: 1,
    conditions: [
      { kind: 'productInSegment', segment: 'segment1' },
      { kind: 'cumulative', productSegment: 'segment1', ...cumulative },
    ],
    combine: 'max',
    priority: 0,
    active: true,
    tableId,
    campaignId: null,
    validFrom: null,
    validTo: null,
    ...stamp,
  });

  it('finds the discount and segment each cell made, by its conditions, with the defaults of a column', () => {
    const cells = cellsOf(table, [
      discount('a', 't', { measure: 'sales.documents', months: null, op: 'gte', threshold: 1, segment: 'cum-a' }),
      discount('b', 't', { measure: 'sales.revenue', months: 24, op: 'gte', threshold: 10_000, segment: 'cum-b' }),
      discount('other-table', 'u', { measure: 'sales.revenue', months: 24, op: 'gte', threshold: 10_000, segment: 'cum-x' }),
    ]);
    expect(cells.get(cellKey('segment1', 0))).toMatchObject({ discount: { id: 'a' }, segmentId: 'cum-a' });
    expect(cells.get(cellKey('segment1', 1))).toMatchObject({ discount: { id: 'b' }, segmentId: 'cum-b' });
    expect(segmentsOf(cells)).toEqual(['cum-a', 'cum-b']);
    expect(specOf(table.columns[1]!)).toEqual({ measure: 'sales.revenue', months: 24, op: 'gte', threshold: 10_000 });
  });

  it('generates segments a few at a time', () => {
    expect(chunks(['a', 'b', 'c', 'd', 'e', 'f', 'g'], 3)).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
    expect(chunks([], 5)).toEqual([]);
  });

  it('offers a sample CSV as a Russian spreadsheet saves it: ";" and decimal commas, a row per segment', () => {
    const lines = sampleCsv(['Сегмент1', 'Сегмент2'], 'ru').trim().split('\r\n');
    expect(lines[0]).toBe('Сегмент номенклатуры;После первой покупки;от 10000 руб. за 24 месяца;от 20000 руб. за 20 месяцев;от 30000 руб. за 16 месяцев;от 40000 руб. за 12 месяцев');
    expect(lines[1]).toBe('Сегмент1;1;1,5;2;2,5;3');
    expect(lines[2]).toBe('Сегмент2;1,5;2;2,5;3;3,5');
  });
});

describe('links to the terms', () => {
  it('leads every kind a segment is used by to its screen, and knows no other', () => {
    expect(termHref('agreement', 'wholesale')).toBe('/sales-terms/agreements?open=wholesale');
    expect(termHref('discount', 'vip 5')).toBe('/sales-terms/discounts?open=vip%205');
    expect(termHref('discountTable', 'seed002')).toBe('/sales-terms/tables/seed002');
    expect(termHref('shipmentBan', 'debtors')).toBe('/sales-terms/bans?open=debtors');
    expect(termHref('manualDiscountLimit', 'key-10')).toBe('/sales-terms/limits?open=key-10');
    expect(termHref('segment', 'vip')).toBeNull();
  });
});
