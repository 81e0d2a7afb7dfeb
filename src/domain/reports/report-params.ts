import { z } from 'zod';

/** Parameter schemas shared by reports: query-string values (strings) coerced and checked. */

export const dateParam = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

export const segmentParam = z.string().min(1).describe('Segment id');

/** A list given as `a,b,c` or as a repeated parameter. */
export const listParam = z.union([z.string(), z.array(z.string())]).transform((value) => (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter((s) => s !== ''));

/** Rows of the long tables (members, events, points): 10,000 unless asked; at most a million (an XLSX sheet holds 1,048,576). */
export const limitParam = z.coerce.number().int().min(1).max(1_000_000).default(10_000).describe('Most rows of the long table');

export const asOfParam = dateParam.optional().describe('Evaluation date, YYYY-MM-DD; default today');

/** A stored segment's list at the end of a past day, read from its history (default: the current list). */
export const membersAsOfParam = dateParam.optional().describe('Stored segments: their members at the end of this day, from history (default: the current list)');
