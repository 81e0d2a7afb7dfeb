import { Paper, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** One figure of a report's summary: a label, the number, and a line under it. */
export function ReportStat({ label, value, hint, color, testId }: { label: string; value: ReactNode; hint?: ReactNode; color?: string; testId?: string }) {
  return (
    <Paper withBorder radius="md" px="md" py="sm" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.3}>
        {label}
      </Text>
      <Text fz={22} fw={700} c={color} style={{ fontVariantNumeric: 'tabular-nums', lineHeight: 1.3 }} data-testid={testId ? `${testId}-value` : undefined}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed" mt={2}>
          {hint}
        </Text>
      )}
    </Paper>
  );
}
