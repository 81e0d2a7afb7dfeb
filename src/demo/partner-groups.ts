/** Partner groups (a hierarchy, as in 1C's "Партнёры" folders) and Bitrix-style partner types. */
export interface DemoGroup {
  readonly id: string;
  readonly name: string;
  readonly parent: string | null;
}

export const DEMO_PARTNER_GROUPS: readonly DemoGroup[] = [
  { id: 'customers', name: 'Покупатели', parent: null },
  { id: 'wholesale', name: 'Оптовые покупатели', parent: 'customers' },
  { id: 'wholesale-large', name: 'Крупный опт', parent: 'wholesale' },
  { id: 'wholesale-small', name: 'Мелкий опт', parent: 'wholesale' },
  { id: 'dealers', name: 'Дилеры', parent: 'customers' },
  { id: 'builders', name: 'Строительные организации', parent: 'customers' },
  { id: 'retail', name: 'Розничные покупатели', parent: 'customers' },
  { id: 'suppliers', name: 'Поставщики', parent: null },
  { id: 'suppliers-local', name: 'Российские производители', parent: 'suppliers' },
  { id: 'suppliers-import', name: 'Импортёры', parent: 'suppliers' },
  { id: 'competitors', name: 'Конкуренты', parent: null },
  { id: 'other', name: 'Прочие', parent: null },
];

export const DEMO_PARTNER_TYPES: readonly { readonly id: string; readonly name: string }[] = [
  { id: 'client', name: 'Клиент' },
  { id: 'key', name: 'Ключевой клиент' },
  { id: 'reseller', name: 'Реселлер' },
  { id: 'partner', name: 'Партнёр' },
  { id: 'supplier', name: 'Поставщик' },
  { id: 'competitor', name: 'Конкурент' },
  { id: 'other', name: 'Другое' },
];

/** Index of a group or type id in its list (the generator stores small codes). */
export const groupCode = (id: string): number => codeOf(DEMO_PARTNER_GROUPS, id);
export const typeCode = (id: string): number => codeOf(DEMO_PARTNER_TYPES, id);

function codeOf(items: readonly { readonly id: string }[], id: string): number {
  const code = items.findIndex((item) => item.id === id);
  if (code < 0) throw new Error(`unknown demo id ${id}`);
  return code;
}
