import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import type { Database } from '../../storage/database.js';
import { column, termTable } from './term-store.js';
import type { Campaign, CampaignInput, CampaignPatch } from './terms.schema.js';
import { termRepository } from './term-repository.js';
import { sql } from '../../sql/sql.js';

/**
 * Marketing campaigns (1C's "маркетинговые мероприятия"): a name and a period. Discounts and
 * agreements bound to a campaign are valid only within its period (seed 002: the birthday
 * discount is a line of a campaign).
 */

const campaigns = termRepository<Campaign>({
  table: termTable<Campaign>('campaigns', 'campaign', {
    id: column.text('id'),
    name: column.text('name'),
    description: column.nullableText('description'),
    startsOn: column.date('starts_on'),
    endsOn: column.date('ends_on'),
    createdAt: column.timestamp('created_at'),
    updatedAt: column.timestamp('updated_at'),
  }),
  idPrefix: 'campaign',
  async check(_db, campaign) {
    if (campaign.startsOn > campaign.endsOn) {
      throw new AppError('TERM_INVALID', { entity: 'campaign', summary: 'endsOn: the campaign ends before it starts', path: 'endsOn' });
    }
  },
  /** A campaign that discounts or agreements are bound to cannot be deleted. */
  async checkDelete(db, campaign) {
    const id = sql.param(campaign.id);
    const users = await db.query<{ kind: string; id: string; name: string }>(
      sql`SELECT 'discount' AS kind, id, name FROM discounts WHERE campaign_id = ${id}
       UNION ALL SELECT 'agreement' AS kind, id, name FROM agreements WHERE campaign_id = ${id} ORDER BY kind, id`,
    );
    if (users.length) {
      throw new AppError('CAMPAIGN_IN_USE', { id: campaign.id, usedBy: users, list: users.map((u) => `${u.kind} "${u.name}"`).join(', ') });
    }
  },
});

export const listCampaigns = (db: Queryable): Promise<Campaign[]> => campaigns.list(db);
export const getCampaign = (db: Queryable, id: string): Promise<Campaign> => campaigns.get(db, id);
export const updateCampaign = (db: Database, id: string, patch: CampaignPatch): Promise<Campaign> => campaigns.update(db, id, patch);
export const deleteCampaign = (db: Database, id: string): Promise<void> => campaigns.delete(db, id);

/** The campaign a term names: it must exist (422 on a term's body, not 404). */
export async function requireCampaign(db: Queryable, id: string, usage: string): Promise<Campaign> {
  const [campaign] = await campaigns.list(db, sql`id = ${id}`);
  if (!campaign) throw new AppError('TERM_INVALID', { entity: usage, summary: `there is no campaign "${id}"`, path: 'campaignId' });
  return campaign;
}

export function createCampaign(db: Database, input: CampaignInput): Promise<Campaign> {
  return campaigns.create(db, input.id, (id, now) => ({
    id,
    name: input.name,
    description: input.description ?? null,
    startsOn: input.startsOn,
    endsOn: input.endsOn,
    createdAt: now,
    updatedAt: now,
  }));
}
