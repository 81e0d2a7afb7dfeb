import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../../src/errors/codes';
import { CLIENT_ERROR_CODES } from '../../api/error-codes';
import { en } from './en';
import { ru } from './ru';

const LOCALES = { ru, en } as const;

/** Every leaf key of a nested messages object, as 'a.b.c'. */
function leafKeys(messages: object, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([key, value]) => (typeof value === 'object' && value !== null ? leafKeys(value as object, `${prefix}${key}.`) : [`${prefix}${key}`]));
}

const placeholders = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((m) => m[1]!).sort();

describe('UI translations', () => {
  it.each(Object.entries(LOCALES))('%s translates every error code of the server registry and of the browser', (_, messages) => {
    const codes = messages.errors.codes as Record<string, string | undefined>;
    const missing = [...Object.keys(ERROR_CODES), ...CLIENT_ERROR_CODES].filter((code) => !codes[code]?.trim());
    expect(missing, 'add these codes to web/src/i18n/locales/{ru,en}.ts').toEqual([]);
  });

  it.each(Object.entries(LOCALES))('%s fills error messages only from details the server sends', (_, messages) => {
    for (const [code, { message }] of Object.entries(ERROR_CODES)) {
      const serverNames = new Set(placeholders(message, /\{(\w+)\}/g));
      const translation = (messages.errors.codes as Record<string, string>)[code] ?? '';
      for (const name of placeholders(translation, /\{\{(\w+)\}\}/g)) {
        expect(serverNames, `${code} uses {{${name}}}, which the server's message does not have`).toContain(name);
      }
    }
  });

  it('Russian and English have the same keys, none empty', () => {
    expect(leafKeys(en)).toEqual(leafKeys(ru));
    for (const [lang, messages] of Object.entries(LOCALES)) {
      const empty = leafKeys(messages).filter((key) => {
        const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], messages);
        return typeof value !== 'string' || value.trim() === '';
      });
      expect(empty, `empty texts in ${lang}`).toEqual([]);
    }
  });
});
