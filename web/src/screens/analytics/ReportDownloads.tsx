import { Button, Group } from '@mantine/core';
import { IconFileSpreadsheet, IconFileTypeCsv } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { reportFileUrl } from '../../api/analytics';
import type { QueryParams } from '../../api/client';

interface ReportDownloadsProps {
  /** The report of GET /api/reports/{name} (docs/reports.md). */
  report: string;
  params: QueryParams;
  /** The table the CSV holds (a CSV has one); the XLSX has a sheet per table. */
  csvTable?: string;
  testId: string;
}

/** "XLSX" and "CSV" links to a report's files, with the parameters the screen shows. */
export function ReportDownloads({ report, params, csvTable, testId }: ReportDownloadsProps) {
  const { t, i18n } = useTranslation();
  return (
    <Group gap={6} wrap="nowrap">
      <Button
        component="a"
        href={reportFileUrl(report, 'xlsx', params, i18n.language)}
        download
        size="compact-sm"
        variant="light"
        leftSection={<IconFileSpreadsheet size={15} />}
        title={t('analytics.download.xlsx')}
        data-testid={`${testId}-xlsx`}
      >
        XLSX
      </Button>
      <Button
        component="a"
        href={reportFileUrl(report, 'csv', { ...params, table: csvTable }, i18n.language)}
        download
        size="compact-sm"
        variant="default"
        leftSection={<IconFileTypeCsv size={15} />}
        title={t('analytics.download.csv')}
        data-testid={`${testId}-csv`}
      >
        CSV
      </Button>
    </Group>
  );
}
