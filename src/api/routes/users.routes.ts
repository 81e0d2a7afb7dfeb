import { z } from 'zod';
import { apiKeySchema, createdApiKeySchema, newApiKeySchema, newUserSchema, userPatchSchema, userSchema } from '../../domain/access/access-api.schema.js';
import type { ApiKeyInfo } from '../../domain/access/api-keys.js';
import type { UserInfo } from '../../domain/access/users.js';
import type { AuditSpec } from '../audit.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';

const tags = ['access'];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema };
const idParams = z.object({ id: z.string() });

const userView = (user: UserInfo) => ({ ...user, managerIds: [...user.managerIds] });
const keyView = (key: ApiKeyInfo) => ({ ...key, managerIds: [...key.managerIds] });

/** Users and API keys, for admins (docs/security.md). `segmenta users|keys` does the same from the shell. */
export const usersRoutes: RouteModule = (app, ctx) => {
  const { access } = ctx.services;
  // The audit log keeps users and keys as listed (never a password or a key's secret).
  const userAudit: AuditSpec = { entity: 'user', load: access.auditLoaders.user };
  const keyAudit: AuditSpec = { entity: 'apiKey', load: access.auditLoaders.apiKey };

  app.get('/users', { config: { access: 'admin' }, schema: { tags, summary: 'Every user', response: { 200: z.object({ items: z.array(userSchema) }), ...errors } } }, async () => ({
    items: (await access.listUsers()).map(userView),
  }));

  app.post(
    '/users',
    { config: { access: 'admin', audit: userAudit }, schema: { tags, summary: 'Add a user (a manager covers one or more managers)', body: newUserSchema, response: { 201: userSchema, ...errors } } },
    async (request, reply) => reply.status(201).send(userView(await access.addUser(request.body))),
  );

  app.patch(
    '/users/:id',
    {
      config: { access: 'admin', audit: userAudit },
      schema: {
        tags,
        summary: "Change a user's role, managers, password, or disable it (disabling or a new password ends its sessions)",
        params: idParams,
        body: userPatchSchema,
        response: { 200: userSchema, ...errors },
      },
    },
    async (request) => userView(await access.updateUser(request.params.id, request.body)),
  );

  app.get(
    '/keys',
    { config: { access: 'admin' }, schema: { tags, summary: 'Every API key (never its secret), revoked ones too', response: { 200: z.object({ items: z.array(apiKeySchema) }), ...errors } } },
    async () => ({
      items: (await access.listKeys()).map(keyView),
    }),
  );

  app.post(
    '/keys',
    { config: { access: 'admin', audit: keyAudit }, schema: { tags, summary: 'Make an API key: the answer shows it once', body: newApiKeySchema, response: { 201: createdApiKeySchema, ...errors } } },
    async (request, reply) => {
      const { key, info } = await access.createKey({ ...request.body, createdBy: request.principal?.id ?? null });
      return reply.status(201).send({ ...keyView(info), key });
    },
  );

  app.delete(
    '/keys/:id',
    {
      config: { access: 'admin', audit: { ...keyAudit, action: 'apiKey.revoke' } },
      schema: { tags, summary: 'Revoke an API key: it stops working at once', params: idParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await access.revokeKey(request.params.id);
      return reply.status(204).send(null);
    },
  );
};
