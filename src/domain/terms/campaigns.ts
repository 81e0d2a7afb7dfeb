import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { Database, Queryable, Row } from '../../storage/database.js';
import { bumpTermsRevision } from './terms-revision.js';
import {
  deleteRow,
  getRow,
  insertRow,
  isoDateSchema,
  newTermId,
  nullableText,
  refuseExisting,
  selectRows,
  stamp,
  termIdSchema,
  text,
  updateRow,
  type TableSpec,
} from './term-store.js';

/**
 * Marketing campaigns (1C's "маркетинговые мероприятия"): a name and a period. Discounts and
 * agreements bound to a campaign are valid only within its period (seed 002: the birthday
 * discount is a line of a campaign).
 */

const fields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(4000).optional(),
  startsOn: isoDateSchema.describe('First day of the campaign, YYYY-MM-DD'),
  endsOn: isoDateSchema.describe('Last day of the campaign (included), YYYY-MM-DD'),
};

export const campaignInputSchema = z
  .object({ id: termIdSchema.optional(), ...fields })
  .refine((c) => c.startsOn <= c.endsOn, { path: ['endsOn'], message: 'the campaign ends before it starts' });
export type CampaignInput = z.output<typeof campaignInputSchema>;

export const campaignPatchSchema = z.object({
  name: fields.name.optional(),
  description: fields.description,
  startsOn: fields.startsOn.optional(),
  endsOn: fields.endsOn.optional(),
});
export type CampaignPatch = z.output<typeof campaignPatchSchema>;

export interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly startsOn: string;
  readonly endsOn: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const campaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    startsOn: z.string(),
    endsOn: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Campaign' });

const SPEC: TableSpec = {
  table: 'campaigns',
  kind: 'campaign',
  columns: { id: 'text', name: 'text', description: 'text', starts_on: 'date', ends_on: 'date', created_at: 'timestamp', updated_at: 'timestamp' },
};

const fromRow = (row: Row): Campaign => ({
  id: text(row, 'id'),
  name: text(row, 'name'),
  description: nullableText(row, 'description'),
  startsOn: text(row, 'starts_on'),
  endsOn: text(row, 'ends_on'),
  createdAt: text(row, 'created_at'),
  updatedAt: text(row, 'updated_at'),
});

const toRow = (c: Campaign) => ({
  id: c.id,
  name: c.name,
  description: c.description,
  starts_on: c.startsOn,
  ends_on: c.endsOn,
  created_at: c.createdAt.replace('T', ' ').replace('Z', ''),
  updated_at: c.updatedAt.replace('T', ' ').replace('Z', ''),
});

export async function listCampaigns(db: Queryable): Promise<Campaign[]> {
  return (await selectRows(db, SPEC)).map(fromRow);
}

export async function getCampaign(db: Queryable, id: string): Promise<Campaign> {
  return fromRow(await getRow(db, SPEC, id));
}

/** The campaign a term names: it must exist (422 on a term's body, not 404). */
export async function requireCampaign(db: Queryable, id: string, usage: string): Promise<Campaign> {
  const [row] = await selectRows(db, SPEC, 'id = $1', [id]);
  if (!row) throw new AppError('TERM_INVALID', { entity: usage, summary: `there is no campaign "${id}"`, path: 'campaignId' });
  return fromRow(row);
}

export async function createCampaign(db: Database, input: CampaignInput): Promise<Campaign> {
  const id = input.id ?? newTermId('campaign');
  await refuseExisting(db, SPEC, id);
  const now = stamp();
  const campaign: Campaign = {
    id,
    name: input.name,
    description: input.description ?? null,
    startsOn: input.startsOn,
    endsOn: input.endsOn,
    createdAt: now,
    updatedAt: now,
  };
  await db.transaction(async (tx) => {
    await insertRow(tx, SPEC, toRow(campaign));
    await bumpTermsRevision(tx);
  });
  return getCampaign(db, id);
}

export async function updateCampaign(db: Database, id: string, patch: CampaignPatch): Promise<Campaign> {
  const current = await getCampaign(db, id);
  const next: Campaign = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.startsOn !== undefined ? { startsOn: patch.startsOn } : {}),
    ...(patch.endsOn !== undefined ? { endsOn: patch.endsOn } : {}),
    updatedAt: stamp(),
  };
  if (next.startsOn > next.endsOn) {
    throw new AppError('TERM_INVALID', { entity: 'campaign', summary: 'endsOn: the campaign ends before it starts', path: 'endsOn' });
  }
  await db.transaction(async (tx) => {
    await updateRow(tx, SPEC, id, toRow(next));
    await bumpTermsRevision(tx);
  });
  return getCampaign(db, id);
}

/** A campaign that discounts or agreements are bound to cannot be deleted. */
export async function deleteCampaign(db: Database, id: string): Promise<void> {
  await getCampaign(db, id);
  const users = await db.query<{ kind: string; id: string; name: string }>(
    `SELECT 'discount' AS kind, id, name FROM discounts WHERE campaign_id = $1
     UNION ALL SELECT 'agreement' AS kind, id, name FROM agreements WHERE campaign_id = $1 ORDER BY kind, id`,
    [id],
  );
  if (users.length) {
    throw new AppError('CAMPAIGN_IN_USE', { id, usedBy: users, list: users.map((u) => `${u.kind} "${u.name}"`).join(', ') });
  }
  await db.transaction(async (tx) => {
    await deleteRow(tx, SPEC, id);
    await bumpTermsRevision(tx);
  });
}
