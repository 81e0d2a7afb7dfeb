import { fullName, personName } from './names.js';
import { cumulative, Random } from './random.js';

/** Sales managers: about one per 250 partners; some carry far more partners than others. */
export interface DemoManagers {
  readonly rows: readonly { readonly id: string; readonly name: string }[];
  /** Cumulative share of partners each manager carries. */
  readonly load: Float64Array;
  readonly idWidth: number;
}

export function managerCount(partners: number): number {
  return Math.max(6, Math.min(400, Math.round(partners / 250)));
}

export function buildManagers(seed: number, partners: number): DemoManagers {
  const random = Random.stream(seed, 0x4d475253);
  const count = managerCount(partners);
  const idWidth = Math.max(3, String(count).length);
  const rows = Array.from({ length: count }, (_, i) => ({ id: managerId(i + 1, idWidth), name: fullName(personName(random)) }));
  const load = cumulative(Array.from({ length: count }, () => 0.4 + random.next()));
  return { rows, load, idWidth };
}

export const managerId = (n: number, width: number): string => `M${String(n).padStart(width, '0')}`;
