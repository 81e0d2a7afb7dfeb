import { z } from 'zod';
import { listDirectory } from '../../domain/directories/directories.repository.js';
import { DIRECTORY_NAMES, directoryItemSchema } from '../../domain/directories/directory.schema.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';

export const directoriesRoutes: RouteModule = (app) => {
  app.get(
    '/directories/:name',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['directories'],
        summary: 'All entries of a reference book (partner groups, regions, partner types, managers, product groups)',
        params: z.object({ name: z.enum(DIRECTORY_NAMES) }),
        response: { 200: z.object({ items: z.array(directoryItemSchema) }), 400: errorSchema },
      },
    },
    async (request) => ({ items: await listDirectory(request.db, request.params.name) }),
  );
};
