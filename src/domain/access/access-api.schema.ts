import { z } from 'zod';
import { ROLES } from './principal.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy.js';

/**
 * What the sign-in, user and API key routes take and answer, one zod schema each (the routes
 * validate with them and describe them in the OpenAPI document; the web UI imports the types).
 * Pure (zod and plain modules only), so the browser's typecheck can follow it.
 */

const roleSchema = z.enum(ROLES);
const managerIdsSchema = z.array(z.string().min(1).max(200)).max(1000).describe('Ids of `managers` whose partners a manager sees (the manager role only)');

export const loginBodySchema = z.strictObject({
  login: z.string().min(1).max(200),
  password: z.string().min(1).max(4096),
});

/** A signed-in user as the sign-in answers it. */
export const signedInUserSchema = z.object({ id: z.string(), login: z.string(), role: roleSchema, managerIds: z.array(z.string()) });

export const loginAnswerSchema = z
  .object({
    user: signedInUserSchema,
    csrfToken: z.string().describe('Send it as the x-csrf-token header with every write made with the session cookie'),
  })
  .meta({ id: 'SignedIn' });
export type LoginAnswer = z.output<typeof loginAnswerSchema>;

export const meAnswerSchema = z
  .object({
    kind: z.enum(['user', 'key']).describe('A signed-in user (session cookie) or an API key'),
    id: z.string(),
    name: z.string().describe("The user's login or the key's name"),
    role: roleSchema,
    managerIds: z.array(z.string()),
    csrfToken: z.string().nullable().describe("The session's CSRF token; null for an API key, which needs none"),
  })
  .meta({ id: 'Me' });
export type MeAnswer = z.output<typeof meAnswerSchema>;

export const userSchema = z
  .object({
    id: z.string(),
    login: z.string(),
    role: roleSchema,
    managerIds: z.array(z.string()),
    disabled: z.boolean(),
    failedLogins: z.number().int().describe('Failed sign-ins since the last successful one'),
    lockedUntil: z.string().nullable().describe('Sign-in refused until then, after repeated failures'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'User' });
export type UserView = z.output<typeof userSchema>;

const passwordSchema = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH).describe(`At least ${PASSWORD_MIN_LENGTH} characters`);

export const newUserSchema = z.strictObject({
  login: z.string().min(1).max(64).describe('Letters a–z, digits, ". _ @ -" (at most 64); compared lower-cased'),
  role: roleSchema,
  managerIds: managerIdsSchema.optional(),
  password: passwordSchema,
});

export const userPatchSchema = z.strictObject({
  role: roleSchema.optional(),
  managerIds: managerIdsSchema.optional(),
  disabled: z.boolean().optional().describe('A disabled user cannot sign in; its sessions end at once'),
  password: passwordSchema.optional().describe("A new password (at least 10 characters); it ends the user's sessions and lifts a lock"),
});

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    managerIds: z.array(z.string()),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().describe('Updated at most once a minute'),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKeyView = z.output<typeof apiKeySchema>;

export const createdApiKeySchema = apiKeySchema
  .extend({ key: z.string().describe('The key, shown this once: send it as `Authorization: Bearer <key>`. Only its hash is stored.') })
  .meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.output<typeof createdApiKeySchema>;

export const newApiKeySchema = z.strictObject({
  name: z.string().min(1).max(200),
  role: roleSchema,
  managerIds: managerIdsSchema.optional(),
});
