import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from './client';
import type { Role } from './auth';
import type { ApiKeyInfo } from '../../../src/domain/access/api-keys';

export type { ApiKeyInfo } from '../../../src/domain/access/api-keys';

// TODO(merge h-auth, h-audit): the server's own types replace the three local ones below —
// `import type` a user (src/domain/access/users…) and an audit entry (src/domain/access/audit.schema.ts)
// once those files are on main. They are declared here, in one place, to the agreed contract.

/** A user as `GET /api/users` lists it (admin). */
export interface UserInfo {
  readonly id: string;
  readonly login: string;
  readonly role: Role;
  readonly managerIds: readonly string[];
  readonly disabled: boolean;
  readonly createdAt: string;
  /** Set while sign-in is locked after failed attempts. */
  readonly lockedUntil?: string | null;
}

/** One row of the audit log (`GET /api/audit`, admin): who wrote what, with the entity before and after. */
export interface AuditEntry {
  readonly id: string | number;
  readonly occurredAt: string;
  readonly actorKind: 'user' | 'key' | (string & {});
  readonly actorId: string | null;
  readonly actorName: string | null;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string | null;
  readonly method: string;
  readonly route: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly status: number;
}

export interface AuditPage {
  readonly items: AuditEntry[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

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
    mutationFn: (key: NewKey) => apiSend<{ key: string; info: ApiKeyInfo }>('POST', '/keys', key),
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
