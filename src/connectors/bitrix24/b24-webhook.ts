/**
 * An incoming webhook's address, `https://<portal>/rest/<user>/<code>/…`, split into the
 * connection's settings (the portal and the user) and its secret (the code). The web dialog and
 * `segmenta connectors add bitrix24` both take the whole address as Bitrix24 shows it.
 */
export interface B24Webhook {
  /** The portal: `https://example.bitrix24.ru`. */
  readonly url: string;
  /** The id of the user who made the webhook. */
  readonly user: string;
  /** The secret code. */
  readonly code: string;
}

/** The address's parts; null when it is not a webhook address. */
export function parseWebhook(address: string): B24Webhook | null {
  try {
    const u = new URL(address.trim());
    const m = /^\/rest\/(\d+)\/([^/]+)/.exec(u.pathname);
    if (!/^https?:$/.test(u.protocol) || !m) return null;
    return { url: `${u.protocol}//${u.host}`, user: m[1]!, code: decodeURIComponent(m[2]!) };
  } catch {
    return null;
  }
}
