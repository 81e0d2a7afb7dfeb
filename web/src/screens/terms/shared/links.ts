/**
 * Addresses of the sales-terms screens, for links from elsewhere (the segment card's "where it
 * is used", the order try-out's rules). A term's list opens its form with `?open=<id>`.
 */

/** The tabs of the section, in navigation order; each is `/sales-terms/<tab>`. */
export const TERMS_TABS = ['order', 'agreements', 'priceTypes', 'prices', 'discounts', 'tables', 'bans', 'limits', 'campaigns'] as const;
export type TermsTab = (typeof TERMS_TABS)[number];

export const termsTabHref = (tab: TermsTab) => `/sales-terms/${tab}`;

const open = (tab: TermsTab, id: string) => `${termsTabHref(tab)}?open=${encodeURIComponent(id)}`;

export const tableHref = (id: string) => `/sales-terms/tables/${encodeURIComponent(id)}`;
export const segmentHref = (id: string) => `/segments/${encodeURIComponent(id)}`;

/** The kinds a segment's usage list names (`term_segment_refs`), and where each is edited. */
const BY_KIND: Record<string, (id: string) => string> = {
  agreement: (id) => open('agreements', id),
  discount: (id) => open('discounts', id),
  discountTable: tableHref,
  shipmentBan: (id) => open('bans', id),
  manualDiscountLimit: (id) => open('limits', id),
  campaign: (id) => open('campaigns', id),
  priceType: (id) => open('priceTypes', id),
};

/** Where a sales term of the given kind is shown, or null for a kind this UI does not know. */
export function termHref(kind: string, id: string): string | null {
  return BY_KIND[kind]?.(id) ?? null;
}
