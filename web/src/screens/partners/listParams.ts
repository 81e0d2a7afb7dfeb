import { LEGAL_FORMS, PARTNER_ROLES, PARTNER_SORTS, type LegalForm, type PartnerListQuery, type PartnerRole, type PartnerSort } from '../../api/partners';

export const PAGE_SIZES = [25, 50, 100] as const;
const DEFAULT_PAGE_SIZE = 25;

export type DeletedFilter = 'hide' | 'only';

/** The partners list's state, kept in the URL so reload, back and shared links keep it. */
export interface ListParams {
  q: string;
  role?: PartnerRole;
  legalForm?: LegalForm;
  region?: string;
  group?: string;
  /** Only the members of this partner segment. */
  segment?: string;
  deleted?: DeletedFilter;
  sort: PartnerSort;
  order: 'asc' | 'desc';
  /** 1-based. */
  page: number;
  pageSize: number;
}

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined => (value !== null && (values as readonly string[]).includes(value) ? (value as T) : undefined);

export function readListParams(search: URLSearchParams): ListParams {
  const page = Number.parseInt(search.get('page') ?? '', 10);
  const size = Number.parseInt(search.get('size') ?? '', 10);
  return {
    q: search.get('q') ?? '',
    role: oneOf(PARTNER_ROLES, search.get('role')),
    legalForm: oneOf(LEGAL_FORMS, search.get('legalForm')),
    region: search.get('region') || undefined,
    group: search.get('group') || undefined,
    segment: search.get('segment') || undefined,
    deleted: oneOf(['hide', 'only'] as const, search.get('deleted')),
    sort: oneOf(PARTNER_SORTS, search.get('sort')) ?? 'name',
    order: search.get('order') === 'desc' ? 'desc' : 'asc',
    page: Number.isFinite(page) && page > 0 ? page : 1,
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
  };
}

/** Only what differs from the defaults goes into the URL. */
export function writeListParams(params: ListParams): URLSearchParams {
  const search = new URLSearchParams();
  if (params.q) search.set('q', params.q);
  if (params.role) search.set('role', params.role);
  if (params.legalForm) search.set('legalForm', params.legalForm);
  if (params.region) search.set('region', params.region);
  if (params.group) search.set('group', params.group);
  if (params.segment) search.set('segment', params.segment);
  if (params.deleted) search.set('deleted', params.deleted);
  if (params.sort !== 'name') search.set('sort', params.sort);
  if (params.order !== 'asc') search.set('order', params.order);
  if (params.page !== 1) search.set('page', String(params.page));
  if (params.pageSize !== DEFAULT_PAGE_SIZE) search.set('size', String(params.pageSize));
  return search;
}

export function hasFilters(params: ListParams): boolean {
  return Boolean(params.q || params.role || params.legalForm || params.region || params.group || params.segment || params.deleted);
}

/** The API request for a list state. */
export function toApiQuery(params: ListParams): PartnerListQuery {
  return {
    ...(params.q.trim() ? { q: params.q.trim() } : {}),
    ...(params.role ? { role: params.role } : {}),
    ...(params.legalForm ? { legalForm: params.legalForm } : {}),
    ...(params.region ? { region: params.region } : {}),
    ...(params.group ? { group: params.group } : {}),
    ...(params.segment ? { segment: params.segment } : {}),
    ...(params.deleted ? { deleted: params.deleted === 'only' } : {}),
    sort: params.sort,
    order: params.order,
    limit: params.pageSize,
    offset: (params.page - 1) * params.pageSize,
  };
}
