/** Import of every entity from CSV, JSON arrays and JSON Lines (SPEC §1). */
export { importData, type ImportInput, type ImportOptions } from './importer.js';
export { importFile, type ImportFileOptions } from './import-file.js';
export { IMPORTED_IDS_CHUNK, type ImportedEvent, type ImportListener } from './import-listeners.js';
export { MAX_LISTED_ERRORS, type ImportProgress, type ImportReport, type RowError } from './import-report.js';
export { CSV_DELIMITERS, formatFromFileName, formatFromMediaType, IMPORT_FORMATS, IMPORT_MEDIA_TYPES, isImportFormat, parseDelimiter, type CsvDelimiter, type ImportFormat } from './import-format.js';
export { resolveImportEntity } from './entity-names.js';
