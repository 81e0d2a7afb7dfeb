import { Badge, Button, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconArrowRight, type Icon } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

interface ComingSoonPageProps {
  section: 'segments' | 'analytics' | 'salesTerms';
  icon: Icon;
}

/** A section that is not built yet: what it will hold, and a way back to what works. */
export function ComingSoonPage({ section, icon: SectionIcon }: ComingSoonPageProps) {
  const { t } = useTranslation();
  return (
    <Paper withBorder radius="lg" p={{ base: 'lg', sm: 48 }} maw={720} mx="auto" mt={{ base: 'md', sm: 48 }} data-testid="coming-soon">
      <Stack align="center" ta="center" gap="md">
        <ThemeIcon size={64} radius="xl" variant="light">
          <SectionIcon size={34} stroke={1.5} />
        </ThemeIcon>
        <Badge variant="light" color="blue" size="lg" radius="sm">
          {t('coming.badge')}
        </Badge>
        <Title order={2}>{t(`coming.${section}.title`)}</Title>
        <Text c="dimmed" maw={520}>
          {t(`coming.${section}.text`)}
        </Text>
        <Text size="sm" c="dimmed">
          {t('coming.soon')}
        </Text>
        <Button component={Link} to="/partners" variant="light" rightSection={<IconArrowRight size={16} />}>
          {t('coming.back')}
        </Button>
      </Stack>
    </Paper>
  );
}
