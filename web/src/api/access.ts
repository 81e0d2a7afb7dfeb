import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from './client';
import type { Role } from './auth';
import type { ApiKeyView as ApiKeyInfo, CreatedApiKey, UserView as UserInfo } from '../../../src/domain/access/access-api.schema';
import type { AuditPage } from '../../../src/domain/access/audit.schema';

export type { ApiKeyView as ApiKeyInfo } from '../../../src/domain/access/access-api.schema';

// The shapes are the server's own schemas (src/domain/access/*.schema.ts), imported as types only.
export type { UserView as UserInfo, CreatedApiKey } from '../../../src/domain/access/access-api.schema';
export type { AuditEntry, AuditPage } from '../../../src/domain/access/audit.schema';

export interface NewUser {
  login: string;
  role: Role;
  managerIds: string[];
  password: string;
}

export interface UserChange {
  role?: Role;
  managerIds?: string[];
  disabled?: boolean;
  password?: string;
}

export interface NewKey {
  name: string;
  role: Role;
  managerIds: string[];
}

const userPath = (id: string) => `/users/${encodeURIComponent(id)}`;
const keyPath = (id: string) => `/keys/${encodeURIComponent(id)}`;

export function useUsers() {
  return useQuery({
    queryKey: ['admin', 'users'],
    queryFn: ({ signal }) => apiGet<{ items: UserInfo[] }>('/users', undefined, signal),
  });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (user: NewUser) => apiSend<UserInfo>('POST', '/users', user),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin'] }),
  });
}

export function useChangeUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: UserChange }) => apiSend<UserInfo>('PATCH', userPath(id), change),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin'] }),
  });
}

export function useApiKeys() {
  return useQuery({
    queryKey: ['admin', 'keys'],
    queryFn: ({ signal }) => apiGet<{ items: ApiKeyInfo[] }>('/keys', undefined, signal),
  });
}

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (key: NewKey) => apiSend<CreatedApiKey>('POST', '/keys', key),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin'] }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend<void>('DELETE', keyPath(id)),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin'] }),
  });
}

/** The audit log's filters, as `GET /api/audit` takes them (dates as YYYY-MM-DD). */
export interface AuditQuery {
  entity?: string;
  entityId?: string;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export function useAuditLog(query: AuditQuery) {
  return useQuery({
    queryKey: ['admin', 'audit', query],
    queryFn: ({ signal }) => apiGet<AuditPage>('/audit', { ...query }, signal),
    placeholderData: keepPreviousData,
  });
}
