import type { Task, TaskControlRow } from './task.schema.js';

const WORDS = {
  ru: {
    control: 'Контроль',
    open: 'Задачи',
    manager: 'Менеджер',
    columns: ['Открыто', 'Просрочено', 'Выполнено в срок', 'Выполнено с опозданием', 'Отменено', 'Медиана до закрытия, ч'],
    task: ['Партнёр', 'Задача', 'Срок', 'Статус', 'Результат', 'Создана', 'Закрыта'],
    none: '(без менеджера)',
  },
  en: {
    control: 'Control',
    open: 'Tasks',
    manager: 'Manager',
    columns: ['Open', 'Overdue', 'Done on time', 'Done late', 'Cancelled', 'Median hours to close'],
    task: ['Partner', 'Task', 'Deadline', 'Status', 'Result', 'Made', 'Closed'],
    none: '(no manager)',
  },
} as const;

/** The control view as a workbook: per manager, then every task of the period. */
export async function controlToXlsx(rows: readonly TaskControlRow[], tasks: readonly Task[], language: 'ru' | 'en' = 'ru'): Promise<Buffer> {
  const words = WORDS[language];
  // Loaded on first use: at start-up ExcelJS would cost every process (CLI command, test file,
  // child) about 0.1–0.25 s of CPU, workbook or not.
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(words.control);
  sheet.addRow([words.manager, ...words.columns]).font = { bold: true };
  for (const r of rows) sheet.addRow([r.managerName ?? r.managerId ?? words.none, r.open, r.overdue, r.doneOnTime, r.doneLate, r.cancelled, r.medianHoursToClose]);
  sheet.columns.forEach((c, i) => (c.width = i === 0 ? 30 : 16));
  const list = book.addWorksheet(words.open);
  list.addRow([words.manager, ...words.task]).font = { bold: true };
  for (const t of tasks)
    list.addRow([
      t.managerName ?? t.managerId ?? words.none,
      t.partner.name ?? t.partner.id,
      t.title,
      t.dueDate,
      t.status,
      t.result ?? '',
      t.createdAt.slice(0, 16).replace('T', ' '),
      t.closedAt?.slice(0, 16).replace('T', ' ') ?? '',
    ]);
  list.columns.forEach((c, i) => (c.width = i === 2 ? 50 : 20));
  return Buffer.from(await book.xlsx.writeBuffer());
}
