import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEADINGS } from '../src/import/headings.js';
import { ENTITIES, IMPORT_ENTITY_NAMES } from '../src/model/entities.js';

describe('docs/import.md', () => {
  const doc = readFileSync(new URL('../docs/import.md', import.meta.url), 'utf8');
  it.each(IMPORT_ENTITY_NAMES)('lists every column of %s', (name) => {
    const section = doc.split(`### \`${name}\``)[1]?.split('###')[0];
    expect(section, `no section for ${name}`).toBeDefined();
    for (const field of ENTITIES[name].fields) expect(section).toContain(`| \`${field.name}\` |`);
  });

  it.each(IMPORT_ENTITY_NAMES)('lists the known headings of %s', (name) => {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${name}\` | \``));
    expect(row, `no headings row for ${name}`).toBeDefined();
    for (const [target, headings] of Object.entries(HEADINGS[name])) {
      expect(row).toContain(`\`${target}\`: ${headings.map((h) => `«${h}»`).join(', ')}`);
    }
  });
});
