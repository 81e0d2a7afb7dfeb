import { Badge, Button, Group, Paper, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconArrowsShuffle, IconChartBar, IconCoins, IconFileSpreadsheet, IconFileTypeCsv, type Icon } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { apiUrl } from '../../../api/client';
import type { SegmentWithStatus } from '../../../api/segments';

interface SegmentReport {
  key: 'sales' | 'intersections' | 'settlements';
  icon: Icon;
  /** The report of GET /api/reports/{name} (docs/reports.md) and its parameters for this segment. */
  report: string;
  params: (segment: SegmentWithStatus) => Record<string, string> | null;
}

/**
 * The segment's reports (SPEC §6: sales by month, intersections, settlements). Each tile
 * offers the report's files from the reports API; the analytics screens plug their tables
 * and charts in here (replace a tile's body with the report for `segment`).
 */
export const SEGMENT_REPORTS: readonly SegmentReport[] = [
  { key: 'sales', icon: IconChartBar, report: 'segment-sales', params: (s) => ({ segment: s.id }) },
  // Intersections are of stored segments only (a dynamic one is refused by the report).
  { key: 'intersections', icon: IconArrowsShuffle, report: 'intersections', params: (s) => (s.method === 'dynamic' ? null : {}) },
  { key: 'settlements', icon: IconCoins, report: 'settlements', params: (s) => ({ segment: s.id }) },
];

export function ReportsPanel({ segment }: { segment: SegmentWithStatus }) {
  const { t } = useTranslation();
  return (
    <Stack gap="md" data-testid="segment-reports" data-segment={segment.id}>
      <Text size="sm" c="dimmed" maw={720}>
        {t('segment.reports.text')}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
        {SEGMENT_REPORTS.map(({ key, icon: ReportIcon, report, params }) => {
          const query = params(segment);
          return (
            <Paper key={key} withBorder radius="md" p="lg">
              <Stack gap="xs" align="flex-start">
                <ThemeIcon variant="light" size={40} radius="md">
                  <ReportIcon size={22} />
                </ThemeIcon>
                <Title order={5}>{t(`segment.reports.${key}`)}</Title>
                <Badge variant="light" color="gray" size="sm" tt="none">
                  {t('segment.reports.chartsSoon')}
                </Badge>
                {query && (
                  <Group gap="xs" mt={4}>
                    <Button component="a" href={apiUrl(`/reports/${report}.xlsx`, query)} download size="compact-xs" variant="light" leftSection={<IconFileSpreadsheet size={13} />} data-testid={`report-${key}-xlsx`}>
                      XLSX
                    </Button>
                    <Button component="a" href={apiUrl(`/reports/${report}.csv`, query)} download size="compact-xs" variant="default" leftSection={<IconFileTypeCsv size={13} />}>
                      CSV
                    </Button>
                  </Group>
                )}
              </Stack>
            </Paper>
          );
        })}
      </SimpleGrid>
    </Stack>
  );
}
