import { z } from 'zod';

/** The reference books a partner or product points into: what the UI shows names from and filters by. */
export const DIRECTORY_NAMES = ['partnerGroups', 'regions', 'partnerTypes', 'managers', 'productGroups'] as const;
export type DirectoryName = (typeof DIRECTORY_NAMES)[number];

/** One entry of a directory, as GET /api/directories/{name} lists it. */
export const directoryItemSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    parent: z.string().nullable().describe('Parent id in a hierarchy (groups, regions); null at the top and in flat directories'),
  })
  .meta({ id: 'DirectoryItem' });
export type DirectoryItem = z.output<typeof directoryItemSchema>;
