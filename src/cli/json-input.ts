import { readFileSync } from 'node:fs';
import { AppError } from '../errors/app-error.js';

/** JSON and text input of CLI commands: from a file, or standard input when the path is "-". */

export function readText(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new AppError('IMPORT_FILE_UNREADABLE', { path, reason: error instanceof Error ? error.message : String(error) });
  }
}

export function readJsonInput(path: string): unknown {
  const text = readText(path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', { summary: `${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`, issues: [] });
  }
}

interface SafeParser<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

/** Validates input with a zod schema; problems become VALIDATION_FAILED with their paths, as in the API. */
export function parseInput<T>(schema: SafeParser<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
  throw new AppError('VALIDATION_FAILED', { summary: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues });
}
