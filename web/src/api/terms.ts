import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend, apiSendFile, apiSendText } from './client';
import type { CombineMode } from '../../../src/domain/terms/combination';
import type { RefreshResult } from './segments';
import type { Agreement, Campaign, Discount, DiscountTable, ManualDiscountLimit, ProductChoice, ShipmentBan, TableUploadResult } from '../../../src/domain/terms/terms.schema';
import type { DiscountTableRequest } from '../../../src/domain/terms/discount-table.schema';
import type { Order, OrderCheckResult, OrderPrice } from '../../../src/domain/terms/order.schema';
import type { PriceRowInput, PriceRowRecord, PriceType } from '../../../src/domain/terms/prices.schema';

/**
 * Sales terms (docs/sales-terms.md): campaigns, agreements, discounts and markups, cumulative
 * discount tables, shipment bans, manual discount limits — and the order try-out (price, check).
 */

export { COMBINE_MODES, type CombineMode } from '../../../src/domain/terms/combination';
export { CONDITION_KINDS, CUMULATIVE_MEASURES, THRESHOLD_OPS, type ConditionKind, type CumulativeMeasure, type ThresholdOp } from '../../../src/domain/terms/discount-vocabulary';
export type {
  Agreement,
  Campaign,
  Discount,
  DiscountTable,
  ManualDiscountLimit,
  ProductChoice,
  ShipmentBan,
  TableCell,
  TableColumn,
  TableRow,
  TableUploadResult,
  Validity,
} from '../../../src/domain/terms/terms.schema';
export type { AppliedRule, CheckReason, ManualDiscountState, Order, OrderCheckResult as OrderCheck, OrderPrice, PricedLine } from '../../../src/domain/terms/order.schema';
/** A condition as the forms send it and show it (the server fills defaults and binds cumulative ones to a segment). */
export type { DiscountConditionInput as DiscountCondition } from '../../../src/domain/terms/discount-conditions';

export { PRICE_ROUNDINGS, type PartnerPriceList, type PriceRounding, type PriceRowRecord, type PriceType } from '../../../src/domain/terms/prices.schema';

/** The plain resources: list, create, read, change, delete. */
export interface TermTypes {
  'price-types': PriceType;
  campaigns: Campaign;
  agreements: Agreement;
  discounts: Discount;
  'shipment-bans': ShipmentBan;
  'manual-discount-limits': ManualDiscountLimit;
}
export type TermResource = keyof TermTypes;

/** What a form sends: a new term (with an optional id) or the changes to a saved one. */
export type TermInput = Record<string, unknown>;

const termPath = (resource: string, id?: string) => (id === undefined ? `/${resource}` : `/${resource}/${encodeURIComponent(id)}`);

export function useTerms<R extends TermResource>(resource: R) {
  return useQuery({
    queryKey: ['terms', resource],
    queryFn: ({ signal }) => apiGet<{ items: TermTypes[R][] }>(termPath(resource), undefined, signal),
  });
}

/**
 * A term's change may create or drop segments and changes where segments are used. `except`:
 * a query not to refetch (a deleted table, whose page is still open until it navigates away).
 */
function useInvalidateTerms() {
  const client = useQueryClient();
  return (except?: readonly unknown[]) =>
    Promise.all([
      client.invalidateQueries({ queryKey: ['terms'], predicate: (query) => except === undefined || JSON.stringify(query.queryKey) !== JSON.stringify(except) }),
      client.invalidateQueries({ queryKey: ['segments'] }),
      client.invalidateQueries({ queryKey: ['segment-data'] }),
      client.invalidateQueries({ queryKey: ['partner-agreements'] }),
    ]);
}

export function useSaveTerm<R extends TermResource>(resource: R, existingId: string | undefined) {
  const invalidate = useInvalidateTerms();
  return useMutation({
    mutationFn: (input: TermInput) => (existingId === undefined ? apiSend<TermTypes[R]>('POST', termPath(resource), input) : apiSend<TermTypes[R]>('PATCH', termPath(resource, existingId), input)),
    onSuccess: () => invalidate(),
  });
}

export function useDeleteTerm(resource: TermResource) {
  const invalidate = useInvalidateTerms();
  return useMutation({
    mutationFn: (id: string) => apiSend<void>('DELETE', termPath(resource, id)),
    onSuccess: () => invalidate(),
  });
}

// ---------------------------------------------------------------- cumulative discount tables

/** A table as the form sends it (POST /api/discount-tables). */
export type DiscountTableInput = DiscountTableRequest;

export function useDiscountTables() {
  return useQuery({
    queryKey: ['terms', 'discount-tables'],
    queryFn: ({ signal }) => apiGet<{ items: DiscountTable[] }>('/discount-tables', undefined, signal),
  });
}

export function useDiscountTable(id: string | undefined) {
  return useQuery({
    queryKey: ['terms', 'discount-tables', id],
    queryFn: ({ signal }) => apiGet<DiscountTable>(termPath('discount-tables', id), undefined, signal),
    enabled: id !== undefined,
  });
}

export function useSaveDiscountTable() {
  const invalidate = useInvalidateTerms();
  return useMutation({
    mutationFn: (input: DiscountTableInput) => apiSend<TableUploadResult>('POST', '/discount-tables', input),
    onSuccess: () => invalidate(),
  });
}

export interface CsvUpload {
  id: string;
  name: string;
  csv: string;
  combine: CombineMode;
  language: 'ru' | 'en';
}

/** The same table from a CSV file, as a spreadsheet saves it; segments are generated apart (see useGenerateSegments). */
export function useUploadDiscountTableCsv() {
  const invalidate = useInvalidateTerms();
  return useMutation({
    mutationFn: ({ id, name, csv, combine, language }: CsvUpload) =>
      apiSendText<TableUploadResult>('PUT', `${termPath('discount-tables', id)}/csv`, csv, 'text/csv', { name, combine, language, generate: 'false' }),
    onSuccess: () => invalidate(),
  });
}

export function useDeleteDiscountTable() {
  const invalidate = useInvalidateTerms();
  return useMutation({
    mutationFn: (id: string) => apiSend<{ removed: number; droppedSegments: string[] }>('DELETE', termPath('discount-tables', id)),
    onSuccess: (_, id) => invalidate(['terms', 'discount-tables', id]),
  });
}

export interface BatchRefreshResult {
  asOf: string;
  segments: (Omit<RefreshResult, 'runId' | 'size' | 'entered' | 'left'> & {
    status: 'ok' | 'failed';
    runId: number | null;
    size: number | null;
    entered: number | null;
    left: number | null;
    error: string | null;
  })[];
}

/**
 * Generates stored segments together (POST /api/segments/refresh): a few at a time, so each
 * request stays short. The caller refreshes the segment lists once the last batch is done
 * (`refreshSegmentLists`), not after each, so the lists do not compete with the generation.
 */
export function useGenerateSegments() {
  const client = useQueryClient();
  const mutation = useMutation({ mutationFn: (ids: string[]) => apiSend<BatchRefreshResult>('POST', '/segments/refresh', { ids }) });
  const refreshSegmentLists = () => Promise.all([client.invalidateQueries({ queryKey: ['segments'] }), client.invalidateQueries({ queryKey: ['segment-data'] })]);
  return { ...mutation, refreshSegmentLists };
}

// ---------------------------------------------------------------- orders

export function usePriceOrder() {
  return useMutation({ mutationFn: (order: Order) => apiSend<OrderPrice>('POST', '/orders/price', order) });
}

export function useCheckOrder() {
  return useMutation({ mutationFn: (order: Order) => apiSend<OrderCheckResult>('POST', '/orders/check', order) });
}

/** The agreements open to a partner on a date: active, valid, for a segment the partner is in or for everyone. */
export function usePartnerAgreements(partnerId: string | null, date: string) {
  return useQuery({
    queryKey: ['partner-agreements', partnerId, date],
    queryFn: ({ signal }) => apiGet<{ items: Agreement[] }>(`/partners/${encodeURIComponent(partnerId!)}/agreements`, { date }, signal),
    enabled: partnerId !== null,
  });
}

export function useProductSearch(q: string, enabled = true) {
  return useQuery({
    queryKey: ['products', q],
    queryFn: ({ signal }) => apiGet<{ items: ProductChoice[] }>('/products', { q, limit: 20 }, signal),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
    enabled,
  });
}

// ---------------------------------------------------------------- prices

export interface PriceFilter {
  priceTypeId: string | null;
  productId: string | null;
  /** Only the rows in force on this date. */
  date: string | null;
  offset: number;
}

export const PRICES_PAGE = 50;

export function usePrices(filter: PriceFilter) {
  return useQuery({
    queryKey: ['prices', filter],
    queryFn: ({ signal }) =>
      apiGet<{ items: PriceRowRecord[]; total: number }>(
        '/prices',
        { priceTypeId: filter.priceTypeId ?? undefined, productId: filter.productId ?? undefined, date: filter.date ?? undefined, limit: PRICES_PAGE, offset: filter.offset },
        signal,
      ),
    placeholderData: keepPreviousData,
  });
}

function useInvalidatePrices() {
  const client = useQueryClient();
  return () => Promise.all([client.invalidateQueries({ queryKey: ['prices'] }), client.invalidateQueries({ queryKey: ['partner-prices'] })]);
}

export function useSetPrice() {
  const invalidate = useInvalidatePrices();
  return useMutation({ mutationFn: (row: PriceRowInput) => apiSend<PriceRowRecord>('PUT', '/prices', row), onSuccess: () => invalidate() });
}

export function useDeletePrice() {
  const invalidate = useInvalidatePrices();
  return useMutation({
    mutationFn: (row: PriceRowRecord) =>
      apiSend<void>('DELETE', `/prices?priceTypeId=${encodeURIComponent(row.priceTypeId)}&productId=${encodeURIComponent(row.productId)}&validFrom=${row.validFrom}`),
    onSuccess: () => invalidate(),
  });
}

/** What an import answers (src/import/import-report.ts). */
export interface ImportReport {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  skipped: number;
  errorCount: number;
  errors: { line: number; element?: number; column: string | null; value: string | null; reason: string }[];
}

const IMPORT_TYPES: Record<string, string> = {
  csv: 'text/csv',
  txt: 'text/csv',
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The content type an import file is sent as, by its extension; undefined for one import does not read. */
export const importTypeOf = (name: string): string | undefined => IMPORT_TYPES[name.split('.').pop()?.toLowerCase() ?? ''];

export function useImportPrices() {
  const invalidate = useInvalidatePrices();
  return useMutation({
    mutationFn: ({ file, skipBad }: { file: File; skipBad: boolean }) =>
      apiSendFile<ImportReport>('/import/prices', file, importTypeOf(file.name) ?? 'application/octet-stream', skipBad ? { skipBad: true } : {}),
    onSuccess: () => invalidate(),
  });
}
