import type { EventValue } from './event-values.js';

/** What the actions read from a message's body (dispatcher.ts builds it; docs/events.md). */
export interface MessageEvent {
  readonly id: string;
  readonly type: 'segment.member.entered' | 'segment.member.left';
  readonly partner?: { readonly id: string; readonly name: string | null };
  /** The values the segment's rule read for the member (event-values.ts). */
  readonly values?: Readonly<Record<string, EventValue>>;
}

export interface ParsedMessage {
  readonly type: string;
  readonly segment: { readonly id: string; readonly name: string | null; readonly kind: string } | null;
  readonly events: readonly MessageEvent[];
}

export function parseMessage(body: string): ParsedMessage {
  const parsed = JSON.parse(body) as { type: string; data?: { segment?: ParsedMessage['segment']; events?: MessageEvent[] } };
  return { type: parsed.type, segment: parsed.data?.segment ?? null, events: parsed.data?.events ?? [] };
}

/** The rule's values per partner of a message's events: what templates fill `{settlements.overdueReceivable}` from. */
export function ruleValuesOf(events: readonly MessageEvent[]): Map<string, Readonly<Record<string, EventValue>>> {
  return new Map(events.flatMap((e) => (e.partner && e.values ? [[e.partner.id, e.values] as const] : [])));
}
