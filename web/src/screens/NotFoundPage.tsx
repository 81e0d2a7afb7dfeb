import { Button, Paper } from '@mantine/core';
import { IconMapOff } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EmptyState } from '../components/EmptyState';

/** A path the app has no screen for. */
export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Paper withBorder radius="lg" maw={560} mx="auto" mt="xl">
      <EmptyState icon={<IconMapOff size={26} />} title={t('notFoundPage.title')} text={t('notFoundPage.text')}>
        <Button component={Link} to="/partners" variant="light" mt="sm">
          {t('coming.back')}
        </Button>
      </EmptyState>
    </Paper>
  );
}
