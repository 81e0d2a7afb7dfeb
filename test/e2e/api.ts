/**
 * The API of a running demo server, called as an integration would: with the admin key the test
 * app made (`buildTestApp`'s `testKey`), so fixtures need no session and no CSRF token.
 */

/** Where the API is and the key to call it with. A DemoServer is one. */
export interface ApiTarget {
  readonly url: string;
  readonly key: string;
}

export async function apiCall(target: ApiTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${target.url}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${target.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}
