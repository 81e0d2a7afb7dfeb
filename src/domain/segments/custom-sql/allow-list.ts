import { ENTITIES, ENTITY_NAMES } from '../../../model/entities.js';

/**
 * What custom SQL may name. Everything else is refused, so a relation or function added to
 * DuckDB or PostgreSQL later is not readable until it is listed here.
 */

/**
 * Segmenta's data: the directories and facts, their closures and additional properties, the
 * stored memberships and the scores. Not the bookkeeping (segment definitions, runs, claims,
 * settings). On PostgreSQL the sandbox role of migration 8 has SELECT on exactly these.
 */
export const READABLE_TABLES: ReadonlySet<string> = new Set([
  ...ENTITY_NAMES.map((n) => ENTITIES[n].table),
  ...ENTITY_NAMES.filter((n) => ENTITIES[n].hierarchy).map((n) => `${ENTITIES[n].table}_closure`),
  'partner_properties',
  'product_properties',
  'property_definitions',
  'segment_members',
  'segment_history',
  'partner_scores',
]);

/** Table functions that only make numbers or unpack a value: nothing outside the query. */
export const TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['range', 'generate_series', 'unnest']);

/**
 * Scalar, aggregate and window functions that compute from their arguments only, on either
 * engine (a name only one engine knows fails there when bound, which is harmless). No function
 * that reads files, settings, the catalog or the environment, or keeps state past the query
 * (advisory locks, sequences, set_config, setseed).
 */
export const FUNCTIONS: ReadonlySet<string> = new Set([
  // aggregates
  'count', 'count_star', 'sum', 'avg', 'mean', 'min', 'max', 'string_agg', 'array_agg', 'list', 'bool_and', 'bool_or',
  'every', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'median', 'mode', 'quantile_cont',
  'quantile_disc', 'percentile_cont', 'percentile_disc', 'first', 'last', 'any_value', 'arg_max', 'arg_min', 'max_by',
  'min_by', 'approx_count_distinct', 'corr', 'covar_pop', 'covar_samp', 'product',
  // window
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value',
  'nth_value',
  // numbers
  'abs', 'ceil', 'ceiling', 'floor', 'round', 'trunc', 'sign', 'sqrt', 'cbrt', 'power', 'pow', 'exp', 'ln', 'log', 'log10',
  'log2', 'mod', 'div', 'greatest', 'least', 'pi', 'random', 'width_bucket',
  // text
  'lower', 'upper', 'length', 'char_length', 'character_length', 'octet_length', 'substring', 'substr', 'trim', 'ltrim',
  'rtrim', 'btrim', 'replace', 'concat', 'concat_ws', 'left', 'right', 'lpad', 'rpad', 'strpos', 'position', 'instr',
  'starts_with', 'ends_with', 'suffix', 'prefix', 'contains', 'split_part', 'reverse', 'repeat', 'initcap', 'translate',
  'regexp_replace', 'regexp_matches', 'regexp_match', 'regexp_full_match', 'regexp_extract', 'regexp_like', 'md5',
  'like_escape', 'ilike_escape', 'not_like_escape', 'not_ilike_escape', 'to_char', 'format', 'printf', 'ascii', 'chr',
  // dates and times
  'date_trunc', 'date_part', 'datepart', 'age', 'now', 'today', 'make_date', 'make_timestamp', 'to_date', 'to_timestamp',
  'strftime', 'strptime', 'date_diff', 'datediff', 'date_sub', 'datesub', 'date_add', 'year', 'month', 'day', 'quarter',
  'week', 'weekofyear', 'dayofweek', 'dayofmonth', 'dayofyear', 'isodow', 'isoyear', 'epoch', 'last_day', 'monthname',
  'dayname', 'justify_days', 'justify_interval', 'make_interval', 'to_days', 'to_months', 'to_years',
  // conditionals, rows, lists
  'nullif', 'ifnull', 'if', 'row', 'list_value', 'struct_pack', 'array_length', 'cardinality', 'len', 'list_contains',
  'array_contains', 'array_position', 'list_position', 'unnest', 'generate_series', 'range',
]);

/** Operators (DuckDB's parser names them as functions): symbols, LIKE and SIMILAR TO. */
export const OPERATOR = /^(?:[-+*/%^<>=!~|&#@?]+|~~|!~~|~~\*|!~~\*)$/;

/** Types a value may be cast to (DuckDB's type ids: `text`, `numeric`, `int4`… are mapped onto them). */
export const CAST_TYPES: ReadonlySet<string> = new Set([
  'BOOLEAN', 'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT',
  'FLOAT', 'DOUBLE', 'DECIMAL', 'VARCHAR', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'INTERVAL', 'UUID',
]);
