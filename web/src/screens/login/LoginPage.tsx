import { Alert, Box, Button, Group, Paper, PasswordInput, Stack, Text, TextInput, ThemeIcon, Title } from '@mantine/core';
import { IconAlertTriangle, IconChartDonut3, IconClockHour4, IconLogin2 } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { login, type Me } from '../../api/auth';
import { ApiError } from '../../api/client';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { errorMessage } from '../../i18n/errors';
import classes from './LoginPage.module.css';

interface LoginPageProps {
  /** The session ended under the user (a 401): say so, the page stays where it was. */
  expired: boolean;
  onSignedIn: (me: Me) => void;
}

/** Why sign-in failed, in the reader's language: "wrong login or password" for a plain 401. */
function useLoginError(error: unknown): { code: string; message: string } | null {
  const { t, i18n } = useTranslation();
  if (!error) return null;
  if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') return { code: error.code, message: t('auth.login.failed') };
  return errorMessage(i18n, error);
}

/** A centred card: login, password, Enter signs in. The language can be chosen before signing in. */
export function LoginPage({ expired, onSignedIn }: LoginPageProps) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation({ mutationFn: login, onSuccess: onSignedIn });
  const error = useLoginError(signIn.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() || !password || signIn.isPending) return;
    signIn.mutate({ login: name.trim(), password });
  };

  return (
    <Box className={classes.page}>
      <Group justify="flex-end" p="md" className={classes.top}>
        <LanguageSwitch />
      </Group>
      <Paper component="main" withBorder radius="lg" p={{ base: 'lg', sm: 32 }} className={classes.card} aria-labelledby="login-title">
        <form onSubmit={submit} noValidate data-testid="login-form">
          <Stack gap="md">
            <Stack gap={6} align="center" mb={4}>
              <ThemeIcon size={48} radius="md" variant="gradient" gradient={{ from: 'blue.6', to: 'cyan.5', deg: 135 }}>
                <IconChartDonut3 size={28} />
              </ThemeIcon>
              <Title order={2} id="login-title" ta="center" fz={24}>
                {t('auth.login.title')}
              </Title>
              <Text size="sm" c="dimmed" ta="center">
                {t('auth.login.subtitle')}
              </Text>
            </Stack>
            {expired && !error && (
              <Alert color="blue" variant="light" icon={<IconClockHour4 size={18} />} data-testid="login-expired">
                {t('auth.login.expired')}
              </Alert>
            )}
            {error && (
              <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert" data-testid="login-error" data-error-code={error.code}>
                {error.message}
              </Alert>
            )}
            <TextInput
              label={t('auth.login.login')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              // The one thing to do on this screen: type the login.
              autoFocus
              required
              withAsterisk={false}
              size="md"
              data-testid="login-name"
            />
            <PasswordInput
              label={t('auth.login.password')}
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete="current-password"
              required
              withAsterisk={false}
              size="md"
              data-testid="login-password"
            />
            <Button type="submit" size="md" fullWidth mt={4} loading={signIn.isPending} disabled={!name.trim() || !password} leftSection={<IconLogin2 size={18} />} data-testid="login-submit">
              {t('auth.login.submit')}
            </Button>
            <Text size="xs" c="dimmed" ta="center">
              {t('auth.login.hint')}
            </Text>
          </Stack>
        </form>
      </Paper>
    </Box>
  );
}
