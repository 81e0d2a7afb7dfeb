/**
 * A small hand-made company for the analytics and report suites. Every number the tests expect
 * is worked out by hand from these rows (see the comments in each test), never by the code
 * under test. The evaluation date is AS_OF; the RFM window (last 12 months) is 2024-07-01 … 2025-06-30.
 */
import { importData } from '../src/import/importer.js';
import type { Database } from '../src/storage/database.js';

export const AS_OF = '2025-06-30';

const load = async (db: Database, entity: string, rows: readonly Record<string, unknown>[]) => {
  await importData(db, [JSON.stringify(rows)], { entity, format: 'json' });
};

export async function loadAnalyticsCompany(db: Database): Promise<void> {
  await load(db, 'regions', [
    { id: 'ru', name: 'Россия' },
    { id: 'perm', name: 'Пермь', parent: 'ru' },
    { id: 'msk', name: 'Москва', parent: 'ru' },
  ]);
  await load(db, 'managers', [
    { id: 'm1', name: 'Иванова' },
    { id: 'm2', name: 'Петров' },
  ]);
  await load(db, 'productGroups', [{ id: 'tools', name: 'Инструмент' }]);
  await load(db, 'products', [
    { id: 'g1', name: 'Дрель', group: 'tools' },
    { id: 'g2', name: 'Пила', group: 'tools' },
  ]);
  await load(db, 'partners', [
    { id: 'c1', name: 'ООО Альфа', roles: ['customer'], region: 'perm', manager: 'm1', properties: { activity: 4, brandStrength: 6 } },
    { id: 'c2', name: 'ООО Бета', roles: ['customer'], region: 'msk', manager: 'm1', properties: { activity: 5 } },
    { id: 'c3', name: 'ООО Гамма', roles: ['customer'], region: 'perm', manager: 'm2', properties: { activity: 2 } },
    { id: 'c4', name: 'ООО Дельта', roles: ['customer'], region: 'msk', manager: 'm2', properties: { activity: 1 } },
    { id: 'c5', name: 'ИП Ершов', roles: ['customer'], region: 'perm' },
    { id: 'c6', name: 'ООО Старый', roles: ['customer'], region: 'msk' },
    { id: 'c7', name: 'ООО Тихий', roles: ['customer'], region: 'msk' },
    { id: 'l1', name: 'МайдлПром', properties: { brandStrength: 5, orderAttractiveness: 4, refusalStatus: 3, activity: 3 } },
    { id: 'l2', name: 'Мылопром', properties: { brandStrength: 2, orderAttractiveness: 2 } },
    { id: 'l3', name: 'Газпром-сервис', properties: { brandStrength: 1, orderAttractiveness: 1, refusalStatus: 5 } },
    { id: 'l4', name: 'Лид с тендером', properties: { note: 'тендер проигран' } },
    { id: 'l5', name: 'Удалённый лид', deleted: true },
    { id: 's1', name: 'Поставщик', roles: ['supplier'] },
  ]);
  const sale = (id: string, document: string, date: string, partner: string, quantity: number, revenue: number, cost: number) => ({
    id,
    document,
    date,
    partner,
    product: 'g1',
    quantity,
    revenue,
    cost,
  });
  await load(db, 'sales', [
    // c1: 3 documents in the window (D1 has two lines), last on 2025-06-20 → recency 10, F 3, M 3500.
    sale('s1', 'D1', '2025-06-20', 'c1', 2, 600, 400),
    sale('s2', 'D1', '2025-06-20', 'c1', 1, 400, 300),
    sale('s3', 'D2', '2025-05-10', 'c1', 10, 2000, 1500),
    sale('s4', 'D3', '2025-03-01', 'c1', 5, 500, 300),
    // c2: one document → recency 10, F 1, M 300; a sale after AS_OF never counts.
    sale('s5', 'D4', '2025-06-20', 'c2', 3, 300, 200),
    sale('s6', 'D99', '2025-07-05', 'c2', 100, 99999, 1),
    // c3: 2 documents → recency 166 (2025-01-15 → 2025-06-30), F 2, M 6000.
    sale('s7', 'D5', '2025-01-15', 'c3', 20, 5000, 3000),
    sale('s8', 'D6', '2024-12-01', 'c3', 4, 1000, 800),
    // c4: 4 documents → recency 241 (2024-11-01 → 2025-06-30), F 4, M 800.
    sale('s9', 'D7', '2024-08-01', 'c4', 1, 200, 100),
    sale('s10', 'D8', '2024-09-01', 'c4', 1, 200, 100),
    sale('s11', 'D9', '2024-10-01', 'c4', 1, 200, 100),
    sale('s12', 'D10', '2024-11-01', 'c4', 1, 200, 100),
    // c5: a purchase and a return → recency 29 (the return is not a purchase), F 1, M 800 − 300 = 500.
    sale('s13', 'D11', '2025-06-01', 'c5', 2, 800, 500),
    sale('s14', 'R1', '2025-06-15', 'c5', -1, -300, -200),
    // c6: bought only before the window → no RFM scores; churned.
    sale('s15', 'D12', '2024-05-01', 'c6', 1, 700, 400),
  ]);
  const survey = (id: string, partner: string, date: string, score: number | null, type = 'survey') => ({ id, partner, date, type, score });
  await load(db, 'interactions', [
    // 2025 Q1: 10, 9, 8, 2, 0
    survey('i1', 'c1', '2025-01-20', 10),
    survey('i2', 'c2', '2025-02-10', 9),
    survey('i3', 'c3', '2025-03-05', 8),
    survey('i4', 'c4', '2025-03-31', 2),
    survey('i5', 'c5', '2025-01-01', 0),
    // 2025 Q2: 7, 3, 10, 6, 1, 9
    survey('i6', 'c1', '2025-04-01', 7),
    survey('i7', 'c2', '2025-05-15', 3),
    survey('i8', 'c3', '2025-06-30', 10),
    survey('i9', 'c4', '2025-04-10', 6),
    survey('i10', 'c5', '2025-05-05', 1),
    survey('i11', 'c1', '2025-06-01', 9),
    // not counted: another type, no score, before the period
    survey('i12', 'c1', '2025-02-02', 5, 'call'),
    survey('i13', 'c2', '2025-02-03', null),
    survey('i14', 'c3', '2024-12-31', 10),
    // leads who came to us and never bought
    survey('i15', 'l1', '2024-03-01', null, 'request'),
    survey('i16', 'l2', '2024-04-01', null, 'request'),
    survey('i17', 'l3', '2025-02-01', null, 'request'),
    survey('i18', 'l5', '2025-02-01', null, 'request'),
    survey('i19', 's1', '2025-02-01', null, 'call'),
  ]);
  await load(db, 'deals', [{ id: 'dl1', partner: 'l4', type: 'tender', outcome: 'lost', createdAt: '2025-01-10', lostReason: 'price' }]);
  await load(db, 'settlements', [
    // c1: owes 1000 due 2025-05-31, paid 400 → balance 600, all overdue for 30 days on AS_OF.
    { id: 'st1', partner: 'c1', date: '2025-05-01', amount: 1000, dueDate: '2025-05-31' },
    { id: 'st2', partner: 'c1', date: '2025-06-10', amount: -400 },
    // c2: owes 500, due after AS_OF.
    { id: 'st3', partner: 'c2', date: '2025-06-20', amount: 500, dueDate: '2025-07-20' },
    // c3: paid in advance: we owe 200.
    { id: 'st4', partner: 'c3', date: '2025-06-01', amount: -200 },
  ]);
}
