import type { ErrorCode } from '../../../src/errors/codes';

/** Errors the browser itself meets before or instead of a server answer. */
export const CLIENT_ERROR_CODES = ['NETWORK_ERROR', 'BAD_RESPONSE'] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/**
 * Every error code the UI translates: the server's registry (src/errors/codes.ts) and the
 * browser's own. The locale files are typed by it, so a code without a translation fails
 * the typecheck, and a unit test checks the texts too.
 */
export type UiErrorCode = ErrorCode | ClientErrorCode;
