import { Stack, Tabs, Text } from '@mantine/core';
import { IconArrowsShuffle, IconChartBar, IconCoins, type Icon } from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { SegmentWithStatus } from '../../../api/segments';
import { IntersectionsReport } from './reports/IntersectionsReport';
import { SalesReport } from './reports/SalesReport';
import { SettlementsReport } from './reports/SettlementsReport';

const REPORT_KEYS = ['sales', 'intersections', 'settlements'] as const;
type ReportKey = (typeof REPORT_KEYS)[number];

/** The segment's reports of SPEC §6, each read from GET /api/reports/{name} when its tab opens. */
const SEGMENT_REPORTS: Record<ReportKey, { icon: Icon; view: ComponentType<{ segment: SegmentWithStatus }> }> = {
  sales: { icon: IconChartBar, view: SalesReport },
  intersections: { icon: IconArrowsShuffle, view: IntersectionsReport },
  settlements: { icon: IconCoins, view: SettlementsReport },
};

/**
 * The Reports tab of the segment card: sales by month, intersections with other segments,
 * settlements — charts and tables on screen, XLSX and CSV files. The open report is in the
 * address (`?tab=reports&report=settlements`), so a link opens it.
 */
export function ReportsPanel({ segment }: { segment: SegmentWithStatus }) {
  const { t } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const asked = search.get('report');
  const current: ReportKey = (REPORT_KEYS as readonly string[]).includes(asked ?? '') ? (asked as ReportKey) : 'sales';
  const open = (next: string | null) =>
    setSearch(
      (previous) => {
        const params = new URLSearchParams(previous);
        if (!next || next === 'sales') params.delete('report');
        else params.set('report', next);
        return params;
      },
      { replace: true },
    );
  return (
    <Stack gap="md" data-testid="segment-reports" data-segment={segment.id}>
      <Text size="sm" c="dimmed" maw={760}>
        {t('segmentCard.reports.intro')}
      </Text>
      {/* keepMounted off: a report is asked for only when its tab is shown. */}
      <Tabs value={current} onChange={open} variant="pills" radius="md" keepMounted={false}>
        {/* Pills wrap to a second row on a phone rather than hide the last report. */}
        <Tabs.List mb="md">
          {REPORT_KEYS.map((key) => {
            const ReportIcon = SEGMENT_REPORTS[key].icon;
            return (
              <Tabs.Tab key={key} value={key} leftSection={<ReportIcon size={16} />} data-testid={`report-tab-${key}`}>
                {t(`segmentCard.reports.tabs.${key}`)}
              </Tabs.Tab>
            );
          })}
        </Tabs.List>
        {REPORT_KEYS.map((key) => {
          const View = SEGMENT_REPORTS[key].view;
          return (
            <Tabs.Panel key={key} value={key}>
              <View segment={segment} />
            </Tabs.Panel>
          );
        })}
      </Tabs>
    </Stack>
  );
}
