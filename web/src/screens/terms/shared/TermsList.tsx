import { Button, Group, Paper, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import type { RowData } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { DataTable, type DataColumns } from '../../../components/DataTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { usePermissions } from '../../../app/auth-context';

interface TermsListProps<T extends RowData> {
  /** What the list is about, one line above it. */
  intro: ReactNode;
  createLabel: string;
  onCreate: () => void;
  query: { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  items: T[];
  columns: DataColumns<T>;
  getRowId: (item: T) => string;
  onRowClick: (item: T) => void;
  renderCompact: (item: T) => ReactNode;
  empty: { icon: ReactNode; title: string; text: string };
  label: string;
  testId: string;
  /** Filters and counters beside the create button. */
  tools?: ReactNode;
}

/** A list of sales terms: intro, create button, a table (cards on a phone), empty and error states. */
export function TermsList<T extends RowData>(props: TermsListProps<T>) {
  const { intro, createLabel, onCreate, query, items, columns, getRowId, onRowClick, renderCompact, empty, label, testId, tools } = props;
  const compact = useMediaQuery('(max-width: 48em)') ?? false;
  // Managers read the terms (and open each one read-only); only analysts and admins make them.
  const { editTerms } = usePermissions();
  return (
    <div data-testid={testId}>
      <Group justify="space-between" align="flex-start" gap="sm" mb="md" wrap="wrap">
        <Text size="sm" c="dimmed" maw={720} style={{ flex: '1 1 320px' }}>
          {intro}
        </Text>
        <Group gap="sm" wrap="wrap">
          {tools}
          {editTerms && (
            <Button leftSection={<IconPlus size={16} />} onClick={onCreate} data-testid={`${testId}-create`}>
              {createLabel}
            </Button>
          )}
        </Group>
      </Group>
      {query.isError ? (
        <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <DataTable
          label={label}
          columns={columns}
          data={items}
          getRowId={getRowId}
          sorting={[]}
          onSortingChange={() => undefined}
          loading={query.isPending}
          onRowClick={onRowClick}
          compact={compact}
          renderCompactRow={(item) => (
            <Paper withBorder radius="md" p="sm" onClick={() => onRowClick(item)} style={{ cursor: 'pointer' }} data-testid={`${testId}-card`}>
              {renderCompact(item)}
            </Paper>
          )}
          empty={
            <EmptyState icon={empty.icon} title={empty.title} text={empty.text}>
              {editTerms && (
                <Button variant="light" mt="sm" leftSection={<IconPlus size={16} />} onClick={onCreate}>
                  {createLabel}
                </Button>
              )}
            </EmptyState>
          }
        />
      )}
    </div>
  );
}
