import { ERROR_CODES, type ErrorCode } from './codes.js';

export type ErrorDetails = Record<string, unknown>;

/** An error meant for the user: a registered code, a message made from details, no stack shown. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly details: ErrorDetails = {},
    message?: string,
  ) {
    super(message ?? formatMessage(code, details));
    this.name = 'AppError';
    this.status = ERROR_CODES[code].status;
  }

  toJSON(): { error: { code: ErrorCode; message: string; details: ErrorDetails } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export function formatMessage(code: ErrorCode, details: ErrorDetails): string {
  return ERROR_CODES[code].message.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = details[key];
    if (value === undefined) return whole;
    return Array.isArray(value) ? value.join(', ') : String(value);
  });
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
