import { Box, Paper, Skeleton, Stack, Table, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconArrowsSort } from '@tabler/icons-react';
import { rowSortingFeature, tableFeatures, useTable, type RowData, type SortingState, type TableOptions } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import classes from './DataTable.module.css';

/**
 * The features every data table registers. Sorting and paging happen on the server (lists are
 * large), so the table only renders a page and reports header clicks. For long client-side
 * lists, add @tanstack/react-virtual here (TanStack Table's virtualisation pairing).
 */
export const dataTableFeatures = tableFeatures({ rowSortingFeature });
export type DataTableFeatures = typeof dataTableFeatures;
export type DataColumns<TData extends RowData> = TableOptions<DataTableFeatures, TData>['columns'];

export interface DataTableProps<TData extends RowData> {
  columns: DataColumns<TData>;
  data: TData[];
  getRowId: (row: TData) => string;
  /** The server's sort, one column; clicking a sortable header asks for the next one. */
  sorting: SortingState;
  onSortingChange: (sorting: SortingState) => void;
  /** First load: skeleton rows. */
  loading?: boolean;
  /** A newer page is loading while the old one is shown. */
  refreshing?: boolean;
  onRowClick?: (row: TData) => void;
  /** Shown instead of rows when there are none. */
  empty: ReactNode;
  /** Phone width: each row as a card instead of a table too wide for the screen. */
  compact?: boolean;
  renderCompactRow?: (row: TData) => ReactNode;
  /** Accessible name of the table. */
  label: string;
}

function SortIcon({ direction }: { direction: false | 'asc' | 'desc' }) {
  if (direction === 'asc') return <IconArrowUp size={14} stroke={2} />;
  if (direction === 'desc') return <IconArrowDown size={14} stroke={2} />;
  return <IconArrowsSort size={14} stroke={1.5} className={classes.idleSort} />;
}

/** A server-driven data table in the app's style: sortable headers, clickable rows, empty state. */
export function DataTable<TData extends RowData>(props: DataTableProps<TData>) {
  const { columns, data, sorting, onSortingChange, loading, refreshing, onRowClick, empty, compact, renderCompactRow, label } = props;
  const table = useTable({
    features: dataTableFeatures,
    columns,
    data,
    getRowId: props.getRowId,
    state: { sorting },
    onSortingChange: (updater) => onSortingChange(typeof updater === 'function' ? updater(sorting) : updater),
    manualSorting: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
  });
  const rows = table.getRowModel().rows;

  if (compact && renderCompactRow) {
    if (loading) {
      return (
        <Stack gap="sm">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} height={88} radius="md" />
          ))}
        </Stack>
      );
    }
    if (rows.length === 0)
      return (
        <Paper withBorder radius="md">
          {empty}
        </Paper>
      );
    return (
      <Stack gap="sm" style={{ opacity: refreshing ? 0.6 : 1 }} aria-label={label} role="list">
        {rows.map((row) => (
          <Box key={row.id} role="listitem">
            {renderCompactRow(row.original)}
          </Box>
        ))}
      </Stack>
    );
  }

  const columnCount = table.getAllLeafColumns().length;
  return (
    <Paper withBorder radius="md" className={classes.frame}>
      <Table.ScrollContainer minWidth={820} type="native">
        <Table
          highlightOnHover={!!onRowClick}
          verticalSpacing="sm"
          horizontalSpacing="sm"
          aria-label={label}
          aria-busy={loading || refreshing}
          className={classes.table}
          style={{ opacity: refreshing ? 0.6 : 1 }}
        >
          <Table.Thead className={classes.head}>
            {table.getHeaderGroups().map((group) => (
              <Table.Tr key={group.id}>
                {group.headers.map((header) => {
                  const canSort = header.column.getCanSort();
                  const direction = header.column.getIsSorted();
                  const content = header.isPlaceholder ? null : <table.FlexRender header={header} />;
                  return (
                    <Table.Th key={header.id} aria-sort={direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : undefined}>
                      {canSort ? (
                        <UnstyledButton className={classes.sortButton} onClick={header.column.getToggleSortingHandler()} data-sorted={direction || undefined}>
                          {content}
                          <SortIcon direction={direction} />
                        </UnstyledButton>
                      ) : (
                        content
                      )}
                    </Table.Th>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Thead>
          <Table.Tbody>
            {loading &&
              [0, 1, 2, 3, 4].map((i) => (
                <Table.Tr key={`skeleton-${i}`}>
                  {Array.from({ length: columnCount }, (_, c) => (
                    <Table.Td key={c}>
                      <Skeleton height={14} radius="sm" width={c === 0 ? '80%' : '60%'} />
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            {!loading && rows.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={columnCount} className={classes.emptyCell}>
                  {empty}
                </Table.Td>
              </Table.Tr>
            )}
            {!loading &&
              rows.map((row) => (
                <Table.Tr key={row.id} className={onRowClick ? classes.clickable : undefined} onClick={onRowClick ? () => onRowClick(row.original) : undefined}>
                  {row.getAllCells().map((cell) => (
                    <Table.Td key={cell.id}>
                      <table.FlexRender cell={cell} />
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
