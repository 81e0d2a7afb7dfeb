import type { Database } from '../src/storage/database.js';
import { rebuildClosure } from '../src/domain/hierarchy/closure.js';
import { ENTITIES } from '../src/model/entities.js';

/** A small hand-made company for segment tests: every fact known, so expectations are plain. */
export async function loadSmallCompany(db: Database): Promise<void> {
  await db.run(
    `INSERT INTO regions (id, name, parent_id) VALUES ('ru', 'Россия', NULL), ('pfo', 'Приволжский ФО', 'ru'), ('perm', 'Пермь', 'pfo'), ('perm-d', 'Дзержинский район', 'perm'), ('msk', 'Москва', 'ru')`,
  );
  await rebuildClosure(db, ENTITIES.regions);
  await db.run(`INSERT INTO product_groups (id, name, parent_id) VALUES ('tools', 'Инструмент', NULL), ('drills', 'Дрели', 'tools'), ('food', 'Продукты', NULL)`);
  await rebuildClosure(db, ENTITIES.productGroups);
  await db.run(
    `INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, region_id, birth_date, registered_at, deleted) VALUES
      ('p1', 'ООО Пермь-Опт', TRUE, FALSE, FALSE, FALSE, 'company', 'perm', NULL, '2022-01-10', FALSE),
      ('p2', 'Иванов Иван Иванович', TRUE, FALSE, FALSE, FALSE, 'person', 'perm-d', '1980-06-15', '2023-03-01', FALSE),
      ('p3', 'АО Москва-Трейд', TRUE, FALSE, FALSE, FALSE, 'company', 'msk', NULL, '2021-05-05', FALSE),
      ('p4', 'ИП Петров', TRUE, FALSE, FALSE, FALSE, 'person', 'perm', '1975-06-16', '2024-01-01', TRUE),
      ('p5', 'ООО Поставщик', FALSE, TRUE, FALSE, FALSE, 'company', 'pfo', NULL, '2020-01-01', FALSE)`,
  );
  await db.run(`INSERT INTO products (id, name, group_id, brand, unit) VALUES ('g1', 'Дрель', 'drills', 'Bosch', 'шт'), ('g2', 'Хлеб', 'food', 'Хлебзавод', 'шт')`);
  await db.appendRows(
    'sales',
    ['id', 'document', 'date', 'partner_id', 'product_id', 'quantity', 'revenue', 'cost', 'manager_id'],
    [
      ['s1', 'D1', '2025-05-10', 'p1', 'g1', '10', '15000', '9000', 'm1'],
      ['s2', 'D2', '2025-06-01', 'p1', 'g2', '100', '3000', '2000', 'm1'],
      ['s3', 'D3', '2025-04-20', 'p2', 'g1', '1', '4000', '2500', 'm2'],
      ['s4', 'D4', '2024-01-15', 'p3', 'g1', '20', '30000', '20000', 'm2'],
      ['s5', 'D5', '2025-06-05', 'p3', 'g1', '-2', '-3000', '-2000', 'm2'],
    ],
  );
}
