/**
 * Every error a user can meet, by code: its HTTP status and an English message template.
 * `{name}` in a template is filled from the error's details. The web UI translates by code.
 * docs/errors.md lists them all (a test checks it).
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid: {summary}' },
  NOT_FOUND: { status: 404, message: 'Nothing found at {path}' },
  UNAUTHENTICATED: { status: 401, message: 'Sign in, or send an API key as "Authorization: Bearer <key>": {reason}' },
  ACCESS_DENIED: { status: 403, message: 'This needs the {needed} role; you are signed in as {role}' },
  ENTITY_NOT_FOUND: { status: 404, message: 'No {entity} with id "{id}"' },
  UNKNOWN_ENTITY: { status: 404, message: 'There is no entity "{entity}" to import; known: {known}' },
  IMPORT_BAD_ROWS: {
    status: 422,
    message: '{badRows} bad row(s) in the file; nothing was imported. Fix them, or import with skipBad to load the good rows',
  },
  IMPORT_BAD_FORMAT: { status: 400, message: 'The file cannot be read as {format}: {reason}' },
  IMPORT_EMPTY: { status: 400, message: 'The file has no rows' },
  SEGMENT_NOT_FOUND: { status: 404, message: 'No segment with id "{id}"' },
  SEGMENT_EXISTS: { status: 409, message: 'A segment with id "{id}" already exists' },
  SEGMENT_METHOD_FIXED: { status: 409, message: 'The method of segment "{id}" is {method}; it cannot be changed after the segment is saved' },
  SEGMENT_KIND_FIXED: { status: 409, message: 'Segment "{id}" is a {kind} segment; its kind cannot be changed' },
  SEGMENT_IN_USE: { status: 409, message: 'Segment "{id}" is used by {list}; it cannot be deleted (it can be archived)' },
  SEGMENT_NOT_STORED: { status: 409, message: 'Segment "{id}" is {method}: its composition is computed when read, there is nothing to generate' },
  SEGMENT_NOT_MANUAL: { status: 409, message: 'Segment "{id}" is {method}: members are added and removed by hand only in manual segments' },
  SEGMENT_HAS_NO_RULE: { status: 409, message: 'Segment "{id}" has no rule to fill it by' },
  SEGMENT_REBUILD_RUNNING: { status: 409, message: 'Segment "{id}" is being generated right now; try again when it finishes' },
  JOB_NOT_FOUND: { status: 404, message: 'No job with id "{id}": it never existed, finished over 15 minutes ago, or the server restarted since' },
  CUSTOM_SQL_FORBIDDEN: { status: 403, message: 'Custom SQL segments are for administrators: start the server with SEGMENTA_ALLOW_CUSTOM_SQL=1' },
  CUSTOM_SQL_INVALID: { status: 400, message: 'The custom SQL is not allowed: {reason}' },
  CUSTOM_SQL_TIMEOUT: { status: 422, message: 'The custom SQL ran longer than {timeoutMs} ms and was stopped; nothing was changed' },
  CUSTOM_SQL_FAILED: { status: 422, message: 'The custom SQL failed: {reason}' },
  CUSTOM_SQL_SANDBOX_MISSING: {
    status: 503,
    message:
      'Custom SQL runs on PostgreSQL as the role {role}, which is missing or not granted to this database user; a PostgreSQL administrator can create it (docs/security.md, "Custom SQL sandbox")',
  },
  PARTNER_SCOPE_UNAVAILABLE: {
    status: 503,
    message:
      'A manager\'s reads run on PostgreSQL as the role {role}, which is missing or not granted to this database user; a PostgreSQL administrator can create it (docs/security.md, "Row-level security on PostgreSQL")',
  },
  CUSTOM_SQL_DYNAMIC: { status: 400, message: 'A custom SQL segment must be periodic or manual: its composition is stored when generated' },
  IMPORT_UNKNOWN_COLUMN: {
    status: 400,
    message: 'The {entity} file has unknown column(s) {columns}; known columns: {known}. Nothing was imported',
  },
  IMPORT_DUPLICATE_COLUMN: { status: 400, message: 'Columns {columns} of the file both give {field}; keep one. Nothing was imported' },
  IMPORT_MISSING_COLUMNS: {
    status: 400,
    message: 'The {entity} file has no column {columns}, which every {singular} needs. Nothing was imported',
  },
  IMPORT_UNKNOWN_FORMAT: { status: 400, message: 'Cannot tell the format of {source}: give it as csv, json or jsonl' },
  IMPORT_BAD_DELIMITER: { status: 400, message: 'The delimiter "{delimiter}" is not supported: use a comma, a semicolon or tab' },
  IMPORT_FILE_UNREADABLE: { status: 400, message: 'Cannot read the file {path}: {reason}' },
  IMPORT_ABORTED: { status: 400, message: 'The file could not be read to its end ({reason}); nothing was imported' },
  IMPORT_CONFLICT: { status: 409, message: 'Another import of {entity} changed the same rows at the same time; nothing was imported, try again' },
  IMPORT_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'An import body cannot be {given}: send it as {accepted}' },
  DATABASE_TOO_NEW: {
    status: 500,
    message: 'The database {database} was made by a newer Segmenta (schema {databaseVersion}; this one knows up to {supportedVersion}); it was not changed',
  },
  ANALYTICS_SETTINGS_INVALID: { status: 400, message: 'The {analysis} settings are not valid: {summary}' },
  SCORE_REFRESH_RUNNING: { status: 409, message: 'The {scoreSet} scores are being refreshed right now; try again when it finishes' },
  RFM_TEMPLATES_NEED_FIVE_BINS: { status: 409, message: 'The named RFM segments are defined on scores 1–5; the RFM settings use {bins} bins' },
  RENEW_PROPERTY_INVALID: { status: 400, message: 'Property "{name}" cannot be part of the renew index: {reason}' },
  MATRIX_NOT_FOUND: { status: 404, message: 'No matrix with id "{id}"' },
  REPORT_NOT_FOUND: { status: 404, message: 'There is no report "{name}"; reports: {known}' },
  REPORT_TABLE_NOT_FOUND: { status: 400, message: 'Report {report} has no table "{table}"; its tables: {tables}' },
  REPORT_SEGMENT_NOT_STORED: { status: 409, message: 'Report {report} reads stored compositions; segment "{id}" is dynamic' },
  REPORT_SEGMENT_KIND: { status: 400, message: 'Report {report} needs {expected} segments; "{id}" is a {kind} segment' },
  DEMO_DATABASE_NOT_EMPTY: {
    status: 409,
    message: 'The database {database} already holds data ({summary}); the demo company is loaded only into an empty database. Run segmenta demo --force to replace everything in it',
  },
  RULE_INVALID: { status: 422, message: 'The rule is not valid: {summary}' },
  TERM_EXISTS: { status: 409, message: 'A {entity} with id "{id}" already exists' },
  TERM_INVALID: { status: 422, message: 'The {entity} is not valid: {summary}' },
  SEGMENT_REFERENCE_MISSING: { status: 422, message: 'There is no segment "{id}" to use in {usage}' },
  SEGMENT_DYNAMIC_NOT_ALLOWED: {
    status: 422,
    message:
      'Segment "{id}" ({name}) is dynamic: its composition is computed each time it is read and never stored, so it cannot be used in {usage}. Sales terms read stored compositions: use a periodic or manual segment',
  },
  SEGMENT_ARCHIVED_NOT_ALLOWED: { status: 422, message: 'Segment "{id}" ({name}) is archived, so it cannot be used in {usage}' },
  SEGMENT_KIND_NOT_ALLOWED: { status: 422, message: 'Segment "{id}" ({name}) is a {kind} segment; {usage} needs a {expected} segment' },
  SEGMENT_USED_BY_TERMS: { status: 409, message: 'Segment "{id}" is used by {list}; it cannot be archived while sales terms use it' },
  CAMPAIGN_IN_USE: { status: 409, message: 'Campaign "{id}" is used by {list}; it cannot be deleted' },
  DISCOUNT_TABLE_INVALID: { status: 422, message: 'The discount table is not valid: {summary}' },
  AGREEMENT_NOT_OPEN: { status: 422, message: 'Agreement "{id}" is not open to partner "{partnerId}" on {date}: {reason}' },
  SHIPMENT_BANNED: {
    status: 409,
    message: 'Shipping to partner "{partnerId}" is banned by "{ban}": the partner is in segment "{segmentId}" ({segmentName}){reasonText}',
  },
  MANUAL_DISCOUNT_OVER_LIMIT: {
    status: 422,
    message: 'A manual discount of {requested}% is above the limit of {limit}% that applies to partner "{partnerId}" ({limitName})',
  },
  PARTNER_MARKED_DELETED: { status: 409, message: 'Partner "{partnerId}" is marked for deletion' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is larger than {limit}' },
  DATABASE_UNAVAILABLE: {
    status: 503,
    message: 'The database stopped working ({reason}); the server stops so that its supervisor restarts it. Try again in a moment; if this repeats, run "segmenta doctor"',
  },
  BACKUP_NOT_SUPPORTED: { status: 422, message: 'Segmenta backs up DuckDB files only; for {database} use pg_dump and pg_restore' },
  BACKUP_INVALID: { status: 422, message: '{path} cannot be restored: {reason}' },
  RESTORE_TARGET_NOT_EMPTY: { status: 409, message: 'The database {database} is not empty ({summary}); add --force to replace it with the backup' },
  BODY_TOO_DEEP: { status: 400, message: 'The request body nests deeper than {limit} levels (at {path}); no request needs that much' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'This request does not take a body of type "{contentType}"{acceptedText}' },
  BAD_URL: { status: 400, message: 'The address is not valid: {reason}' },
  PATH_FORBIDDEN: { status: 403, message: 'The path {path} points outside what the server serves' },
  EXPORT_TOO_LARGE: { status: 422, message: 'Segment "{id}" has {size} members; an Excel sheet holds at most {limit} rows. Export it as CSV (members.csv), which has no limit' },
  TOO_MANY_CONCURRENT_REQUESTS: {
    status: 429,
    message: 'You have {running} heavy requests (exports, reports, refreshes) running; at most {limit} run at once per user or key. Try again when one has finished',
  },
  INTERNAL: { status: 500, message: 'Something went wrong on our side; it has been logged' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
