import { Center, Loader, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { fetchMe, logout, ME_QUERY_KEY, type Me } from '../api/auth';
import { onSessionLost, setCsrfToken } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';
import { LoginPage } from '../screens/login/LoginPage';
import { AuthContext, type Auth } from './auth-context';
import { permissionsOf } from './permissions';

/** Forgets what the previous session loaded, so the next user never sees it (or a stale scope). */
function forgetData(client: QueryClient): void {
  void client.cancelQueries({ predicate: (query) => query.queryKey[0] !== ME_QUERY_KEY[0] });
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_QUERY_KEY[0] });
  client.getMutationCache().clear();
}

/**
 * The app behind sign-in: asks `/api/auth/me` first, shows the login screen to nobody in
 * particular, the app to a signed-in user. A 401 from any later call (the session expired)
 * brings the login screen back at the same address, so signing in again returns to the page.
 */
export function AuthGate({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [expired, setExpired] = useState(false);
  const me = useQuery({ queryKey: ME_QUERY_KEY, queryFn: ({ signal }) => fetchMe(signal), staleTime: Infinity, gcTime: Infinity });

  useEffect(() => {
    onSessionLost(() => {
      setCsrfToken(null);
      if (client.getQueryData(ME_QUERY_KEY) === null) return;
      setExpired(true);
      client.setQueryData(ME_QUERY_KEY, null);
    });
    return () => onSessionLost(null);
  }, [client]);

  const signedIn = useCallback(
    (user: Me) => {
      forgetData(client);
      setExpired(false);
      client.setQueryData(ME_QUERY_KEY, user);
    },
    [client],
  );

  const signOut = useCallback(async () => {
    try {
      await logout();
    } catch {
      // The session may be gone already (expired, or the server restarted): signing out here is what matters.
    } finally {
      setExpired(false);
      client.setQueryData(ME_QUERY_KEY, null);
      forgetData(client);
      // The next user starts at home, not on the page this one left.
      void navigate('/', { replace: true });
    }
  }, [client, navigate]);

  const user = me.data;
  const auth = useMemo<Auth | null>(() => (user ? { me: user, permissions: permissionsOf(user), signOut } : null), [user, signOut]);

  if (me.isPending) {
    return (
      <Center h="100dvh">
        <Stack align="center" gap="xs" data-testid="auth-loading">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            {t('auth.starting')}
          </Text>
        </Stack>
      </Center>
    );
  }
  if (me.isError) {
    return (
      <Center h="100dvh" p="md">
        <div style={{ maxWidth: 480, width: '100%' }}>
          <ErrorAlert error={me.error} onRetry={() => void me.refetch()} />
        </div>
      </Center>
    );
  }
  if (!auth) return <LoginPage expired={expired} onSignedIn={signedIn} />;
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}
