import { Button, Group } from '@mantine/core';
import { IconFileSpreadsheet, IconFileTypeCsv } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { QueryParams } from '../../../../api/client';
import { reportFileUrl } from '../../../../api/segment-reports';

/** The report as an Excel workbook (every table) and a CSV file (its main table). */
export function ReportFiles({ report, params, testId }: { report: string; params: QueryParams; testId: string }) {
  const { t, i18n } = useTranslation();
  return (
    <Group gap={6} wrap="nowrap" aria-label={t('segmentCard.reports.download')}>
      <Button
        component="a"
        href={reportFileUrl(report, 'xlsx', params, i18n.language)}
        download
        size="compact-sm"
        variant="light"
        leftSection={<IconFileSpreadsheet size={14} />}
        data-testid={`report-${testId}-xlsx`}
      >
        XLSX
      </Button>
      <Button
        component="a"
        href={reportFileUrl(report, 'csv', params, i18n.language)}
        download
        size="compact-sm"
        variant="default"
        leftSection={<IconFileTypeCsv size={14} />}
        data-testid={`report-${testId}-csv`}
      >
        CSV
      </Button>
    </Group>
  );
}
