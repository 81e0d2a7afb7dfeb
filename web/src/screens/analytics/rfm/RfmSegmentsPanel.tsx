import { Anchor, Button, Group, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { IconArrowRight, IconPlus, IconWand } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { RfmTemplate } from '../../../api/analytics';
import { ConfirmDialog } from '../../../components/UnsavedChangesGuard';
import { currentLanguage } from '../../../i18n';
import classes from '../analytics.module.css';
import { useNumbers } from '../numbers';
import { templateTotals, type RfmGrid, type RfmMetric } from './rfm-model';

/** Where the named segments are saved: `rfm-<key>` (the API's default prefix). */
export const rfmSegmentId = (key: string) => `rfm-${key}`;

const band = ([low, high]: readonly [number, number]) => (low === high ? String(low) : `${low}–${high}`);

interface RfmSegmentsPanelProps {
  grid: RfmGrid;
  metric: RfmMetric;
  templates: readonly RfmTemplate[];
  /** Ids of the segments that exist. */
  existing: ReadonlySet<string>;
  active: string | null;
  onActive: (key: string | null) => void;
  onOpen: (template: RfmTemplate) => void;
  /** Makes every named segment; absent when the user's role may not create segments (then none is offered). */
  onCreateAll?: () => void;
  creatingAll: boolean;
}

/** The named RFM segments with their customers and revenue, each opening (or creating) its segment. */
export function RfmSegmentsPanel({ grid, metric, templates, existing, active, onActive, onOpen, onCreateAll, creatingAll }: RfmSegmentsPanelProps) {
  const { t, i18n } = useTranslation();
  const numbers = useNumbers();
  const language = currentLanguage();
  const allExist = templates.every((tpl) => existing.has(rfmSegmentId(tpl.key)));
  // Making (or remaking) a dozen segments at once is asked first (issue 21).
  const [confirming, setConfirming] = useState(false);
  return (
    <Stack gap={6} data-testid="rfm-templates">
      {onCreateAll && (
        <ConfirmDialog
          opened={confirming}
          title={allExist ? t('analytics.rfm.updateAll') : t('analytics.rfm.createAll')}
          text={t('analytics.rfm.createAllText', { count: templates.length })}
          confirm={allExist ? t('analytics.rfm.updateAll') : t('analytics.rfm.createAll')}
          color="blue"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            onCreateAll();
          }}
          testId="rfm-create-all"
        />
      )}
      <Group justify="space-between" align="center" gap="xs">
        <Title order={5}>{t('analytics.rfm.templatesTitle')}</Title>
        {onCreateAll && (
          <Button size="compact-sm" variant="light" leftSection={<IconWand size={14} />} onClick={() => setConfirming(true)} loading={creatingAll} data-testid="rfm-create-all">
            {allExist ? t('analytics.rfm.updateAll') : t('analytics.rfm.createAll')}
          </Button>
        )}
      </Group>
      <Text size="xs" c="dimmed" mb={4}>
        {t('analytics.rfm.templatesHint')}
      </Text>
      {templates.map((template) => {
        const totals = templateTotals(grid, template);
        const id = rfmSegmentId(template.key);
        const exists = existing.has(id);
        const descriptionKey = `analytics.rfm.descriptions.${template.key}`;
        const description = i18n.exists(descriptionKey) ? String(t(descriptionKey as never)) : template.description;
        return (
          <Stack
            key={template.key}
            gap={0}
            className={classes.templateRow}
            data-active={active === template.key ? true : undefined}
            onMouseEnter={() => onActive(template.key)}
            onMouseLeave={() => onActive(null)}
            data-testid="rfm-template"
            data-template={template.key}
            data-customers={totals.customers}
          >
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <UnstyledButton onClick={() => onOpen(template)} style={{ minWidth: 0 }} data-testid="rfm-template-open">
                <Text size="sm" fw={600} truncate>
                  {template.name[language]}
                </Text>
              </UnstyledButton>
              <Group gap={6} wrap="nowrap" style={{ flexShrink: 0 }}>
                <Text size="sm" fw={600} ff="monospace" data-testid="rfm-template-value">
                  {metric === 'customers' ? numbers.whole(totals.customers) : numbers.compact(totals.revenue)}
                </Text>
                <Text size="xs" c="dimmed" w={44} ta="right">
                  {numbers.percent(metric === 'customers' ? totals.customerShare : totals.revenueShare)}
                </Text>
              </Group>
            </Group>
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Text size="xs" c="dimmed" truncate title={description} style={{ minWidth: 0 }}>
                R {band(template.r)} · F {band(template.f)} · {description}
              </Text>
              {exists ? (
                <Anchor component={Link} to={`/segments/${encodeURIComponent(id)}`} size="xs" style={{ flexShrink: 0 }} data-testid="rfm-template-segment">
                  <Group gap={2} wrap="nowrap">
                    {t('analytics.rfm.openSegment')}
                    <IconArrowRight size={12} />
                  </Group>
                </Anchor>
              ) : (
                onCreateAll && (
                  <Button size="compact-xs" variant="subtle" leftSection={<IconPlus size={12} />} onClick={() => onOpen(template)} style={{ flexShrink: 0 }} data-testid="rfm-template-create">
                    {t('analytics.rfm.createSegment')}
                  </Button>
                )
              )}
            </Group>
          </Stack>
        );
      })}
    </Stack>
  );
}
