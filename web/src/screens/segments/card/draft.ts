import { prepareRuleGroup, type RuleGroupType } from 'react-querybuilder';
import type { ParameterValue, Segment, SegmentInput, SegmentKind, SegmentMethod } from '../../../api/segments';
import { queryToRule, ruleToQuery, type BuilderGroup } from '../rule-builder/rule-query';

/** The segment card's form: what the user is editing, before it is saved. */
export interface Draft {
  id: string;
  kind: SegmentKind;
  name: string;
  description: string;
  method: SegmentMethod;
  query: BuilderGroup;
  /** Custom SQL segments keep their query; the builder does not edit them. */
  sql: string | null;
  schedule: string | null;
  checkOnCreate: boolean;
  competitors: string[];
  /** The folder the segment is listed in ('' : none). */
  folder: string;
  parameters: { name: string; text: string }[];
}

/** 1C's default selection: partners not marked for deletion. */
export const DEFAULT_RULE = { all: [{ attr: 'deleted', op: 'eq', value: false }] } as const;

const prepared = (query: BuilderGroup) => prepareRuleGroup(query as unknown as RuleGroupType) as unknown as BuilderGroup;

/** The rule a new segment starts from: 1C's default for partners, nothing for products. */
export function emptyQuery(kind: SegmentKind): BuilderGroup {
  return prepared(ruleToQuery(kind === 'partner' ? (structuredClone(DEFAULT_RULE) as never) : { all: [] }));
}

export function newDraft(): Draft {
  return {
    id: '',
    kind: 'partner',
    name: '',
    description: '',
    method: 'periodic',
    query: emptyQuery('partner'),
    sql: null,
    schedule: '0 3 * * *',
    checkOnCreate: false,
    competitors: [],
    folder: '',
    parameters: [],
  };
}

export function draftOf(segment: Segment): Draft {
  return {
    id: segment.id,
    kind: segment.kind,
    name: segment.name,
    description: segment.description,
    method: segment.method,
    query: prepared(ruleToQuery(segment.rule)),
    sql: segment.sql,
    schedule: segment.schedule,
    checkOnCreate: segment.checkOnCreate,
    competitors: [...segment.competitors],
    folder: segment.folder ?? '',
    parameters: Object.entries(segment.parameters).map(([name, value]) => ({ name, text: JSON.stringify(value) })),
  };
}

/** A parameter's value: JSON when it reads as JSON, else the text itself. */
export function parameterValue(text: string): ParameterValue {
  try {
    return JSON.parse(text) as ParameterValue;
  } catch {
    return text;
  }
}

export function draftParameters(draft: Draft): Record<string, ParameterValue> {
  return Object.fromEntries(draft.parameters.filter((p) => p.name.trim()).map((p) => [p.name.trim(), parameterValue(p.text)]));
}

/** What saving sends: a manual segment without conditions has no rule; an SQL segment keeps its SQL. */
export function draftToInput(draft: Draft): SegmentInput {
  const rule = queryToRule(draft.query);
  const noRule = draft.sql !== null || (draft.method === 'manual' && draft.query.rules.length === 0);
  return {
    id: draft.id,
    kind: draft.kind,
    name: draft.name.trim(),
    description: draft.description,
    method: draft.method,
    ...(noRule ? {} : { rule }),
    parameters: draftParameters(draft),
    schedule: draft.method === 'periodic' ? draft.schedule : null,
    checkOnCreate: draft.method === 'periodic' ? draft.checkOnCreate : false,
    competitors: draft.competitors,
    folder: draft.folder.trim() || null,
  };
}

const LATIN: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};

/** A code from a name, as 1C users type names in Russian: "Клиенты Урала" → "klienty-urala". */
export function slugOf(name: string): string {
  return [...name.toLowerCase()]
    .map((ch) => LATIN[ch] ?? ch)
    .join('')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}
