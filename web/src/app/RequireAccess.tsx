import { Button, Paper } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Access } from '../../../src/domain/access/principal';
import { EmptyState } from '../components/EmptyState';
import { useAuth } from './auth-context';
import { HOME_PATH } from './screens';

/** A page only some roles may open: the others (e.g. by a bookmark) are told so instead of a screen of 403s. */
export function RequireAccess({ access, children }: { access: Access; children: ReactNode }) {
  const { t } = useTranslation();
  const { me, permissions } = useAuth();
  if (permissions.reaches(access)) return children;
  return (
    <Paper withBorder radius="lg" maw={560} mx="auto" mt="xl" data-testid="no-access">
      <EmptyState
        icon={<IconLock size={26} />}
        title={t('auth.noAccess.title')}
        text={t('auth.noAccess.text', { role: access === 'public' ? access : t(`auth.roles.${access}`), current: t(`auth.roles.${me.role}`) })}
      >
        <Button component={Link} to={HOME_PATH} variant="light" mt="sm">
          {t('auth.noAccess.back')}
        </Button>
      </EmptyState>
    </Paper>
  );
}
