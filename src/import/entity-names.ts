import { AppError } from '../errors/app-error.js';
import { ENTITIES, IMPORT_ENTITY_NAMES, type EntityDef } from '../model/entities.js';

const squash = (name: string): string => name.toLowerCase().replace(/[-_\s]/g, '');

const BY_NAME = new Map<string, EntityDef>();
for (const name of IMPORT_ENTITY_NAMES) {
  const entity = ENTITIES[name];
  BY_NAME.set(squash(entity.name), entity);
  BY_NAME.set(squash(entity.table), entity);
}

/**
 * The entity an import names: its API name (`partnerGroups`), its table (`partner_groups`) or
 * either in kebab case (`partner-groups`), any case. UNKNOWN_ENTITY (404) otherwise.
 */
export function resolveImportEntity(name: string): EntityDef {
  const entity = BY_NAME.get(squash(name));
  if (!entity) throw new AppError('UNKNOWN_ENTITY', { entity: name, known: [...IMPORT_ENTITY_NAMES] });
  return entity;
}
