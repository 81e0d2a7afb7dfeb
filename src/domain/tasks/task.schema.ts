import { z } from 'zod';

/** Tasks for managers inside Segmenta (issue 22, docs/tasks-and-mailings.md). */

export const TASK_STATUSES = ['open', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Where an open task stands on its deadline: due today, overdue, or later. */
export const TASK_DUE = ['today', 'overdue', 'upcoming'] as const;
export type TaskDue = (typeof TASK_DUE)[number];

export interface Task {
  readonly id: string;
  readonly partner: { readonly id: string; readonly name: string | null };
  readonly managerId: string | null;
  readonly managerName: string | null;
  /** The user the task is for: the one who covers the partner's manager (null when none does yet). */
  readonly assigneeUserId: string | null;
  readonly assigneeLogin: string | null;
  /** What made it: a subscription on a segment's event, or nobody (made by hand). */
  readonly subscriptionId: string | null;
  readonly segmentId: string | null;
  readonly eventId: string | null;
  readonly title: string;
  readonly description: string;
  readonly dueDate: string;
  readonly status: TaskStatus;
  readonly result: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly closedAt: string | null;
  readonly closedBy: string | null;
}

export interface TaskChange {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly status: TaskStatus;
  readonly note: string | null;
}

export const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export const taskPatchSchema = z
  .object({
    status: z.enum(TASK_STATUSES).optional().describe('done or cancelled closes it (with a result); open reopens it'),
    result: z.string().trim().max(5000).optional().describe('What was done: the manager writes it when closing'),
    title: z.string().trim().min(1).max(500).optional(),
    description: z.string().max(5000).optional(),
    dueDate: dateSchema.optional(),
  })
  .strict();
export type TaskPatch = z.output<typeof taskPatchSchema>;

export const taskInputSchema = z
  .object({
    partnerId: z.string().min(1).max(200),
    title: z.string().trim().min(1).max(500),
    description: z.string().max(5000).default(''),
    dueDate: dateSchema,
  })
  .strict();
export type TaskInput = z.output<typeof taskInputSchema>;

export interface TaskFilter {
  readonly status?: TaskStatus;
  readonly due?: TaskDue;
  readonly managerId?: string;
  readonly partnerId?: string;
  readonly assigneeUserId?: string;
  readonly limit?: number;
}

/** One manager's line of the control view. */
export interface TaskControlRow {
  readonly managerId: string | null;
  readonly managerName: string | null;
  readonly open: number;
  readonly overdue: number;
  readonly doneOnTime: number;
  readonly doneLate: number;
  readonly cancelled: number;
  /** The median time from made to done, in hours (null when none is done). */
  readonly medianHoursToClose: number | null;
}
