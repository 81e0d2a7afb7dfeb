import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend, apiSendText } from './client';
import type { RefreshResult } from './segments';

/**
 * Sales terms (docs/sales-terms.md): campaigns, agreements, discounts and markups, cumulative
 * discount tables, shipment bans, manual discount limits — and the order try-out (price, check).
 */

export const COMBINE_MODES = ['max', 'sum', 'priority', 'exclusive'] as const;
export type CombineMode = (typeof COMBINE_MODES)[number];
export const CUMULATIVE_MEASURES = ['sales.revenue', 'sales.quantity', 'sales.grossProfit', 'sales.documents'] as const;
export type CumulativeMeasure = (typeof CUMULATIVE_MEASURES)[number];
export const THRESHOLD_OPS = ['gte', 'gt'] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

/** When a term applies: its own dates and a marketing campaign's period (both bounds included). */
export interface Validity {
  campaignId: string | null;
  validFrom: string | null;
  validTo: string | null;
}

interface Stamped {
  createdAt: string;
  updatedAt: string;
}

export interface Campaign extends Stamped {
  id: string;
  name: string;
  description: string | null;
  startsOn: string;
  endsOn: string;
}

export interface Agreement extends Validity, Stamped {
  id: string;
  name: string;
  description: string | null;
  segmentId: string | null;
  priceType: string | null;
  discountPercent: number;
  active: boolean;
}

export type DiscountCondition =
  | { kind: 'partnerInSegment'; segment: string }
  | { kind: 'productInSegment'; segment: string }
  | {
      kind: 'cumulative';
      measure?: CumulativeMeasure;
      months?: number | null;
      productSegment?: string | null;
      op?: ThresholdOp;
      threshold: number;
      /** Set by the server: the periodic segment that keeps the condition. */
      segment?: string;
    }
  | { kind: 'birthday'; withinDays?: number }
  | { kind: 'orderAmount'; min: number };
export type ConditionKind = DiscountCondition['kind'];
export const CONDITION_KINDS: readonly ConditionKind[] = ['partnerInSegment', 'cumulative', 'productInSegment', 'birthday', 'orderAmount'];

export interface Discount extends Validity, Stamped {
  id: string;
  name: string;
  description: string | null;
  percent: number;
  conditions: DiscountCondition[];
  combine: CombineMode;
  priority: number;
  active: boolean;
  /** The cumulative discount table that made it (rewritten when the table is uploaded again). */
  tableId: string | null;
}

export interface ShipmentBan extends Stamped {
  id: string;
  name: string;
  segmentId: string;
  reason: string | null;
  active: boolean;
}

export interface ManualDiscountLimit extends Stamped {
  id: string;
  name: string;
  /** null: the default limit, for partners in no limited segment. */
  segmentId: string | null;
  maxPercent: number;
}

/** The plain resources: list, create, read, change, delete. */
export interface TermTypes {
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
    mutationFn: (input: TermInput) =>
      existingId === undefined ? apiSend<TermTypes[R]>('POST', termPath(resource), input) : apiSend<TermTypes[R]>('PATCH', termPath(resource, existingId), input),
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

export interface TableColumn {
  key: string;
  label: string;
  measure?: CumulativeMeasure;
  months?: number | null;
  op?: ThresholdOp;
  threshold: number;
}

export interface TableRow {
  productSegment: string;
  percents: (number | null)[];
}

export interface DiscountTable extends Validity, Stamped {
  id: string;
  name: string;
  columns: TableColumn[];
  rows: TableRow[];
  combine: CombineMode;
  priority: number;
  active: boolean;
}

/** A table as the form sends it (POST /api/discount-tables). */
export interface DiscountTableInput {
  id: string;
  name: string;
  columns: { label?: string; measure?: CumulativeMeasure; months: number | null; op?: ThresholdOp; threshold: number }[];
  rows: TableRow[];
  combine?: CombineMode;
  priority?: number;
  language?: 'ru' | 'en';
  generate?: boolean;
}

export interface TableCell {
  productSegment: string;
  column: string;
  percent: number;
  discountId: string;
  segmentId: string;
}

export interface TableUploadResult {
  table: DiscountTable;
  discounts: { created: number; updated: number; unchanged: number; removed: number };
  segments: { created: string[]; reused: number; generated: number; dropped: string[] };
  cells: TableCell[];
}

export function useDiscountTables() {
  return useQuery({
    queryKey: ['terms', 'discount-tables'],
    queryFn: ({ signal }) => apiGet<{ items: DiscountTable[] }>('/discount-tables', undefined, signal),
  });
}

export function useDiscountTable(id: string | undefined) {
  return useQuery({
    queryKey: ['terms', 'discount-tables', id],
    queryFn: ({ signal }) => apiGet<DiscountTable>(termPath('discount-tables', id!), undefined, signal),
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

export interface OrderLine {
  productId: string;
  quantity: number;
  price: number;
}

export interface Order {
  partnerId: string;
  date?: string;
  agreementId?: string;
  manualDiscount?: number;
  lines: OrderLine[];
}

export interface AppliedRule {
  discountId: string;
  source: 'discount' | 'agreement';
  name: string;
  percent: number;
  combine: CombineMode;
  priority: number;
  segmentId: string | null;
  segmentName: string | null;
  productSegmentId: string | null;
  campaignId: string | null;
  tableId: string | null;
}

export interface PricedLine {
  line: number;
  productId: string;
  quantity: number;
  price: number;
  amount: number;
  automaticPercent: number;
  manualPercent: number;
  discountPercent: number;
  discountAmount: number;
  amountAfterDiscount: number;
  rule: AppliedRule | null;
  applied: AppliedRule[];
  overridden: { discountId: string; name: string; percent: number; combine: CombineMode }[];
}

export interface ManualDiscountState {
  requested: number;
  limit: number | null;
  limitId: string | null;
  limitName: string | null;
  segmentId: string | null;
  allowed: boolean;
}

export interface OrderPrice {
  partnerId: string;
  date: string;
  agreement: { id: string; name: string; priceType: string | null; discountPercent: number } | null;
  lines: PricedLine[];
  totals: { amount: number; discountAmount: number; amountAfterDiscount: number };
  manualDiscount: ManualDiscountState | null;
}

export interface CheckReason {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export interface OrderCheck {
  partnerId: string;
  date: string;
  allowed: boolean;
  reasons: CheckReason[];
  manualDiscount: ManualDiscountState | null;
}

export function usePriceOrder() {
  return useMutation({ mutationFn: (order: Order) => apiSend<OrderPrice>('POST', '/orders/price', order) });
}

export function useCheckOrder() {
  return useMutation({ mutationFn: (order: Order) => apiSend<OrderCheck>('POST', '/orders/check', order) });
}

/** The agreements open to a partner on a date: active, valid, for a segment the partner is in or for everyone. */
export function usePartnerAgreements(partnerId: string | null, date: string) {
  return useQuery({
    queryKey: ['partner-agreements', partnerId, date],
    queryFn: ({ signal }) => apiGet<{ items: Agreement[] }>(`/partners/${encodeURIComponent(partnerId!)}/agreements`, { date }, signal),
    enabled: partnerId !== null,
  });
}

export interface ProductChoice {
  id: string;
  name: string;
  group: string | null;
  brand: string | null;
  unit: string | null;
  /** The price of the product's latest sale: a suggestion for the order line. */
  lastPrice: number | null;
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
