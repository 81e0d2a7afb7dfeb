/**
 * A webhook receiver on 127.0.0.1 (port 0) that behaves like a real one: it verifies each
 * message's Standard Webhooks signature with its secret, and answers with the statuses it is
 * told to (one per request, then 200). It records every request and, deduplicating on
 * webhook-id as docs/events.md tells receivers to, every event it accepted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/domain/actions/signing.js';

export interface ReceivedRequest {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly valid: boolean;
  readonly status: number;
  readonly body: { type: string; data: { events?: { id: string; type: string; partner?: { id: string } }[] } & Record<string, unknown> };
}

export interface WebhookReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Accepted messages by webhook-id (a retry of one already accepted is not counted again). */
  readonly accepted: Map<string, ReceivedRequest>;
  /** Statuses to answer next, in order; 200 once they are used up. */
  readonly answers: number[];
  secret: string;
  /** The receiver's clock, for the signature's timestamp tolerance. */
  now: () => number;
  /** How long it takes to answer (a slow endpoint), ms. */
  delayMs: number;
  /** Event ids accepted, with the webhook-ids they came in (one each when nothing is duplicated). */
  eventIds(): Map<string, Set<string>>;
  close(): Promise<void>;
}

export async function startReceiver(secret = ''): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const accepted = new Map<string, ReceivedRequest>();
  const answers: number[] = [];
  const receiver = {
    url: '',
    requests,
    accepted,
    answers,
    secret,
    now: () => Date.now(),
    delayMs: 0,
    eventIds() {
      const ids = new Map<string, Set<string>>();
      for (const [messageId, r] of accepted) for (const e of r.body.data.events ?? []) ids.set(e.id, (ids.get(e.id) ?? new Set()).add(messageId));
      return ids;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const headers = { id: String(req.headers['webhook-id'] ?? ''), timestamp: String(req.headers['webhook-timestamp'] ?? ''), signature: String(req.headers['webhook-signature'] ?? '') };
      const valid = verifySignature(receiver.secret, headers, text, receiver.now());
      const status = valid ? (answers.shift() ?? 200) : 401;
      const request: ReceivedRequest = { ...headers, valid, status, body: JSON.parse(text) as ReceivedRequest['body'] };
      requests.push(request);
      if (status >= 200 && status < 300 && !accepted.has(headers.id)) accepted.set(headers.id, request);
      const answer = () => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ received: status < 300 }));
      };
      if (receiver.delayMs > 0) setTimeout(answer, receiver.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
