import { Badge, Paper, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconArrowsShuffle, IconChartBar, IconCoins, type Icon } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { SegmentWithStatus } from '../../../api/segments';

/**
 * The segment's reports (SPEC §6: sales by month, intersections, settlements). The analytics
 * screens plug in here: replace a tile's body with the report for `segment`.
 */
export const SEGMENT_REPORTS: readonly { key: 'sales' | 'intersections' | 'settlements'; icon: Icon }[] = [
  { key: 'sales', icon: IconChartBar },
  { key: 'intersections', icon: IconArrowsShuffle },
  { key: 'settlements', icon: IconCoins },
];

export function ReportsPanel({ segment }: { segment: SegmentWithStatus }) {
  const { t } = useTranslation();
  return (
    <Stack gap="md" data-testid="segment-reports" data-segment={segment.id}>
      <Text size="sm" c="dimmed" maw={720}>
        {t('segment.reports.text')}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
        {SEGMENT_REPORTS.map(({ key, icon: ReportIcon }) => (
          <Paper key={key} withBorder radius="md" p="lg">
            <Stack gap="xs" align="flex-start">
              <ThemeIcon variant="light" size={40} radius="md">
                <ReportIcon size={22} />
              </ThemeIcon>
              <Title order={5}>{t(`segment.reports.${key}`)}</Title>
              <Badge variant="light" color="gray" size="sm">
                {t('coming.badge')}
              </Badge>
            </Stack>
          </Paper>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
