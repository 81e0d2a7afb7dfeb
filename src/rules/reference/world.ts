import type { PropertyType } from '../../model/entities.js';
import type { SegmentRuleInfo } from '../catalog.js';

/**
 * Every entity of SPEC §1 as plain in-memory arrays, in API shape (camelCase, roles as a
 * list, properties as an object): what the reference evaluator reads.
 */
export type PropertyValue = string | number | boolean | null;

export interface TreeRecord {
  readonly id: string;
  readonly name: string;
  readonly parent: string | null;
}

export interface PartnerRecord {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly legalForm: string | null;
  readonly group: string | null;
  readonly region: string | null;
  readonly manager: string | null;
  readonly type: string | null;
  readonly birthDate: string | null;
  readonly registeredAt: string | null;
  readonly deleted: boolean | null;
  /** The partner asked for no mailings (issue 22); absent or null is no flag. */
  readonly noMailings?: boolean | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly properties: Readonly<Record<string, PropertyValue>>;
}

export interface ProductRecord {
  readonly id: string;
  readonly name: string;
  readonly group: string | null;
  readonly brand: string | null;
  readonly unit: string | null;
  readonly properties: Readonly<Record<string, PropertyValue>>;
}

/** Amounts are numbers with at most 4 decimal places, as DECIMAL(18,4) keeps them. */
export interface SaleRecord {
  readonly id: string;
  readonly document: string;
  readonly date: string;
  readonly partner: string;
  readonly product: string;
  readonly quantity: number;
  readonly revenue: number;
  readonly cost: number | null;
  readonly manager: string | null;
}

export interface InteractionRecord {
  readonly id: string;
  readonly partner: string;
  readonly date: string;
  readonly type: string;
  readonly direction: string | null;
  readonly subject: string | null;
  readonly score: number | null;
  readonly result: string | null;
}

export interface SettlementRecord {
  readonly id: string;
  readonly partner: string;
  readonly date: string;
  readonly amount: number;
  readonly dueDate: string | null;
}

export interface DealRecord {
  readonly id: string;
  readonly partner: string;
  readonly type: string | null;
  readonly stage: string | null;
  readonly amount: number | null;
  readonly createdAt: string | null;
  readonly closedAt: string | null;
  readonly outcome: string | null;
  readonly lostReason: string | null;
}

export interface PropertyDefinition {
  readonly entity: 'partners' | 'products';
  readonly name: string;
  readonly type: PropertyType;
}

export interface World {
  readonly partnerGroups: readonly TreeRecord[];
  readonly regions: readonly TreeRecord[];
  readonly productGroups: readonly TreeRecord[];
  readonly partners: readonly PartnerRecord[];
  readonly products: readonly ProductRecord[];
  readonly sales: readonly SaleRecord[];
  readonly interactions: readonly InteractionRecord[];
  readonly settlements: readonly SettlementRecord[];
  readonly deals: readonly DealRecord[];
  readonly propertyDefinitions: readonly PropertyDefinition[];
  readonly segments: readonly SegmentRuleInfo[];
  readonly segmentMembers: readonly { readonly segmentId: string; readonly memberId: string }[];
  readonly partnerScores: readonly { readonly partnerId: string; readonly score: string; readonly value: number }[];
}
