import { Anchor, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconUsers } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../../api/client';
import type { SegmentKind, usePreview } from '../../../api/segments';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useFormat } from '../../../i18n/format';
import classes from '../segments.module.css';

/** The live count under the rule being edited, with a few of the partners it selects. */
export function PreviewPanel({ preview, everyone, kind }: { preview: ReturnType<typeof usePreview>; everyone: boolean; kind: SegmentKind }) {
  const { t } = useTranslation();
  const format = useFormat();
  const invalid = preview.error instanceof ApiError && preview.error.code === 'RULE_INVALID';
  const data = preview.data;
  return (
    <Paper withBorder radius="md" p="lg" data-testid="rule-preview">
      <Group justify="space-between" mb={6}>
        <Title order={5} fw={600}>
          {t('segment.preview.title')}
        </Title>
        {preview.isFetching && <Loader size={16} />}
      </Group>
      {invalid ? (
        <Group gap={6} wrap="nowrap" c="orange.8" data-testid="preview-incomplete">
          <IconAlertTriangle size={18} />
          <Text size="sm" fw={500}>
            {t('segment.preview.incomplete')}
          </Text>
        </Group>
      ) : preview.isError && !data ? (
        <ErrorAlert error={preview.error} onRetry={() => void preview.refetch()} />
      ) : data ? (
        <Stack gap={8} style={{ opacity: preview.isPlaceholderData ? 0.55 : 1 }}>
          <Group gap={8} align="baseline">
            <IconUsers size={22} color="var(--mantine-color-blue-6)" />
            <Text className={classes.previewCount} data-testid="preview-count" data-count={data.count}>
              {format.number(data.count)}
            </Text>
          </Group>
          <Text size="sm" c="dimmed">
            {kind === 'product' ? t('segment.preview.productCount', { count: data.count }) : t('segment.preview.count', { count: data.count })}
            {everyone ? ` · ${t('segment.preview.everyone')}` : ''}
          </Text>
          {data.count === 0 ? (
            <Text size="sm" c="dimmed">
              {t('segment.preview.none')}
            </Text>
          ) : (
            <Stack gap={2}>
              <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                {t('segment.preview.sample')}
              </Text>
              {data.sample.map((partner) =>
                kind === 'product' ? (
                  <Text key={partner.id} size="sm" truncate="end">
                    {partner.name}
                  </Text>
                ) : (
                  <Anchor key={partner.id} component={Link} to={`/partners/${encodeURIComponent(partner.id)}`} size="sm" truncate="end">
                    {partner.name}
                  </Anchor>
                ),
              )}
            </Stack>
          )}
        </Stack>
      ) : (
        <Text size="sm" c="dimmed">
          {t('segment.preview.counting')}
        </Text>
      )}
    </Paper>
  );
}
