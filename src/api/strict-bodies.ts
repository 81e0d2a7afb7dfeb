import type { RouteOptions } from 'fastify';
import { z } from 'zod';

/**
 * Every request body is read strictly: a field the schema does not name is refused (400
 * VALIDATION_FAILED, `Unrecognized key: "segment"`) instead of being dropped silently, which
 * once opened an agreement sent with `segment` for `segmentId` to every partner.
 *
 * Done here once, for every route, rather than by `z.strictObject` in each domain schema: the
 * route's body schema is copied with each object in it made strict (`catchall: never`). Objects
 * that say what to do with other keys (`z.looseObject`, `.catchall(…)`) keep their choice;
 * records and `z.unknown()` (rules, parameters) stay open by nature. Intersections are left as
 * they are: made strict, each side would refuse the other's fields.
 */
export function strictBodies(routeOptions: RouteOptions): void {
  const body = routeOptions.schema?.body;
  if (isZod(body)) routeOptions.schema = { ...routeOptions.schema, body: strict(body) };
}

type AnyZod = z.ZodType & { clone(def: unknown, params?: { parent: boolean }): z.ZodType };
type Def = Record<string, unknown> & { type: string };

const isZod = (value: unknown): value is AnyZod => typeof value === 'object' && value !== null && '_zod' in value;

/** Wrappers whose one inner schema is in `innerType`. */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'success']);

const seen = new WeakMap<object, z.ZodType>();

function strict(schema: AnyZod): z.ZodType {
  const done = seen.get(schema);
  if (done) return done;
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  const inner = (value: unknown): unknown => (isZod(value) ? strict(value) : value);
  let next: Def | null = null;
  switch (def.type) {
    case 'object': {
      const shape = Object.fromEntries(Object.entries(def.shape as Record<string, unknown>).map(([key, value]) => [key, inner(value)]));
      // No catchall means "strip unknown keys" (z.object's default): that is what becomes strict.
      next = { ...def, shape, ...(def.catchall === undefined ? { catchall: z.never() } : {}) };
      break;
    }
    case 'array':
      next = { ...def, element: inner(def.element) };
      break;
    case 'union':
      next = { ...def, options: (def.options as unknown[]).map(inner) };
      break;
    case 'pipe':
      next = { ...def, in: inner(def.in) };
      break;
    case 'record':
      next = { ...def, valueType: inner(def.valueType) };
      break;
    case 'tuple':
      next = { ...def, items: (def.items as unknown[]).map(inner), rest: def.rest ? inner(def.rest) : def.rest };
      break;
    default:
      if (WRAPPERS.has(def.type)) next = { ...def, innerType: inner(def.innerType) };
  }
  // `parent` keeps the schema's description and other metadata, but not its id: the copy is
  // not the component the responses refer to.
  const result = next ? schema.clone(next, { parent: true }) : schema;
  seen.set(schema, result);
  return result;
}
