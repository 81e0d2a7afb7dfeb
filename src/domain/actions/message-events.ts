/** What the task and e-mail actions read from a message's body (dispatcher.ts builds it; docs/events.md). */
export interface MessageEvent {
  readonly id: string;
  readonly type: 'segment.member.entered' | 'segment.member.left';
  readonly partner?: { readonly id: string; readonly name: string | null };
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
