import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend, apiUrl } from './client';
import type { Task, TaskControlRow, TaskDue, TaskStatus } from '../../../src/domain/tasks/task.schema';
import type { MailSettings, MailSettingsInput } from '../../../src/domain/mail/mail-settings';
import type { MailLogEntry } from '../../../src/domain/mail/mail-log';
import type { MailTemplate, MailLanguage } from '../../../src/domain/actions/subscription.schema';

// The shapes are the server's own (src/domain/tasks, src/domain/mail), imported as types only.
export type { Task, TaskControlRow, TaskDue, TaskStatus } from '../../../src/domain/tasks/task.schema';
export type { MailSettings, MailSettingsInput } from '../../../src/domain/mail/mail-settings';
export type { MailLogEntry } from '../../../src/domain/mail/mail-log';

export interface TaskQuery {
  status?: TaskStatus;
  due?: TaskDue;
  managerId?: string;
  partnerId?: string;
}

export function useTasks(query: TaskQuery, enabled = true) {
  return useQuery({
    queryKey: ['tasks', query],
    queryFn: ({ signal }) => apiGet<{ items: Task[] }>('/tasks', { ...query }, signal),
    enabled,
  });
}

export function usePartnerTasks(partnerId: string) {
  return useQuery({ queryKey: ['tasks', 'partner', partnerId], queryFn: ({ signal }) => apiGet<{ items: Task[] }>(`/partners/${encodeURIComponent(partnerId)}/tasks`, undefined, signal) });
}

export function useCloseTask() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, status, result }: { id: string; status: TaskStatus; result?: string }) => apiSend<Task>('PATCH', `/tasks/${encodeURIComponent(id)}`, { status, ...(result ? { result } : {}) }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tasks'] }),
  });
}

export interface ControlPeriod {
  from?: string;
  to?: string;
}

export function useTaskControl(period: ControlPeriod) {
  return useQuery({ queryKey: ['tasks', 'control', period], queryFn: ({ signal }) => apiGet<{ items: TaskControlRow[] }>('/tasks/control', { ...period }, signal) });
}

export const taskControlXlsxUrl = (period: ControlPeriod, lang: string): string => apiUrl('/tasks/control.xlsx', { ...period, lang });

export function useMailSettings() {
  return useQuery({ queryKey: ['mail', 'settings'], queryFn: ({ signal }) => apiGet<MailSettings | null>('/mail/settings', undefined, signal) });
}

export function useSaveMailSettings() {
  const client = useQueryClient();
  return useMutation({ mutationFn: (input: MailSettingsInput) => apiSend<MailSettings>('PUT', '/mail/settings', input), onSuccess: () => client.invalidateQueries({ queryKey: ['mail'] }) });
}

export function useMailLog() {
  return useQuery({ queryKey: ['mail', 'log'], queryFn: ({ signal }) => apiGet<{ items: MailLogEntry[] }>('/mail/log', { limit: 100 }, signal), refetchInterval: 10_000 });
}

export function useTestMail() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { to: string; template: MailTemplate; language: MailLanguage; partnerId?: string }) => apiSend<MailLogEntry>('POST', '/mail/test', body),
    onSettled: () => client.invalidateQueries({ queryKey: ['mail', 'log'] }),
  });
}

export interface MailPreview {
  partnerId: string;
  recipient: string | null;
  language: MailLanguage;
  subject: string;
  html: string;
  text: string;
  skipped: string | null;
}

export function usePreviewMail() {
  return useMutation({ mutationFn: (body: { partnerId: string; subscriptionId: string }) => apiSend<MailPreview>('POST', '/mail/preview', body) });
}
