import type { UiErrorCode } from './error-codes';

export type ErrorDetails = Record<string, unknown>;

/**
 * A failed API call, in the server's shape `{"error":{code,message,details}}`, or one of the
 * browser's own codes when there was no readable answer (status 0: no answer at all).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** A registered code (see UiErrorCode); a newer server may send one this UI does not know. */
    readonly code: UiErrorCode | (string & {}),
    readonly details: ErrorDetails,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type QueryParams = Record<string, string | number | boolean | null | undefined>;

/** `/api/...` with the given query parameters; empty ones are left out. */
export function apiUrl(path: string, params: QueryParams = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const query = search.toString();
  return `/api${path}${query ? `?${query}` : ''}`;
}

function isErrorBody(body: unknown): body is { error: { code: string; message?: string; details?: ErrorDetails } } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = body.error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

/**
 * The session's CSRF token (from sign-in or `/api/auth/me`): every write a cookie authenticates
 * must carry it as `x-csrf-token`. Kept in memory only, never in localStorage: a script that
 * could read storage must not get it.
 */
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type SessionLostListener = () => void;
let sessionLost: SessionLostListener | null = null;

/**
 * Called when the API answers 401 to a signed-in call (the session expired or was ended
 * elsewhere): the app shows the login screen. The auth calls themselves are left out: their 401
 * is "wrong password" or "not signed in yet".
 */
export function onSessionLost(listener: SessionLostListener | null): void {
  sessionLost = listener;
}

const isAuthCall = (url: string) => url.startsWith('/api/auth/');

async function request<T>(url: string, init: RequestInit, signal?: AbortSignal): Promise<T> {
  let response: Response;
  const method = (init.method ?? 'GET').toUpperCase();
  const csrf: Record<string, string> = method !== 'GET' && method !== 'HEAD' && csrfToken !== null ? { 'x-csrf-token': csrfToken } : {};
  try {
    response = await fetch(url, { ...init, headers: { Accept: 'application/json', ...csrf, ...init.headers }, signal: signal ?? null });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new ApiError(0, 'NETWORK_ERROR', {}, 'The server does not answer');
  }
  if (response.status === 401 && !isAuthCall(url)) sessionLost?.();
  // 204 No Content (a delete): nothing to read.
  if (response.status === 204) return undefined as T;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (response.ok && body !== undefined) return body as T;
  if (isErrorBody(body)) {
    const { code, message, details } = body.error;
    throw new ApiError(response.status, code, details ?? {}, message ?? code);
  }
  throw new ApiError(response.status, 'BAD_RESPONSE', { status: response.status }, `Unreadable answer (HTTP ${response.status})`);
}

/** GET a JSON resource; throws ApiError for every failure. */
export function apiGet<T>(path: string, params?: QueryParams, signal?: AbortSignal): Promise<T> {
  return request<T>(apiUrl(path, params), {}, signal);
}

/** POST, PUT, PATCH or DELETE with a JSON body; throws ApiError for every failure. */
export function apiSend<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  return request<T>(apiUrl(path), { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }) }, signal);
}

/** PUT or POST a file's text as the body (e.g. a CSV with `text/csv`); throws ApiError for every failure. */
export function apiSendText<T>(method: 'PUT' | 'POST', path: string, text: string, contentType: string, params?: QueryParams): Promise<T> {
  return request<T>(apiUrl(path, params), { method, body: text, headers: { 'Content-Type': contentType } });
}

/** POST a file as the body, as it is (a CSV, JSON or XLSX import); throws ApiError for every failure. */
export function apiSendFile<T>(path: string, file: Blob, contentType: string, params?: QueryParams): Promise<T> {
  return request<T>(apiUrl(path, params), { method: 'POST', body: file, headers: { 'Content-Type': contentType } });
}

/** Client errors will not change on a retry; a lost connection or a server error may. */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof ApiError && error.status >= 400 && error.status < 500);
}

export function shouldRetry(failureCount: number, error: unknown): boolean {
  return isRetryable(error) && failureCount < 2;
}

/**
 * POST a file as the raw request body (an import), reporting the upload's progress: the server
 * reads the body as it arrives, so the bytes sent are the import's progress. XMLHttpRequest,
 * as fetch cannot tell upload progress. Throws ApiError for every failure.
 */
export function apiUpload<T>(path: string, file: Blob, contentType: string, params: QueryParams = {}, onProgress?: (sent: number, total: number) => void): Promise<T> {
  const url = apiUrl(path, params);
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Content-Type', contentType);
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrfToken !== null) xhr.setRequestHeader('x-csrf-token', csrfToken);
    if (onProgress) xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK_ERROR', {}, 'The server does not answer'));
    xhr.onload = () => {
      if (xhr.status === 401) sessionLost?.();
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText) as unknown;
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body !== undefined) resolve(body as T);
      else if (isErrorBody(body)) reject(new ApiError(xhr.status, body.error.code, body.error.details ?? {}, body.error.message ?? body.error.code));
      else reject(new ApiError(xhr.status, 'BAD_RESPONSE', { status: xhr.status }, `Unreadable answer (HTTP ${xhr.status})`));
    };
    xhr.send(file);
  });
}
