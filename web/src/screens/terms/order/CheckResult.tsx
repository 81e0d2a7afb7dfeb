import { Anchor, Badge, Group, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconAlertTriangle, IconBan, IconCircleCheck, IconCircleX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../../api/client';
import type { CheckReason, OrderCheck } from '../../../api/terms';
import { errorMessage } from '../../../i18n/errors';
import { useTermsFormat } from '../shared/format';
import { segmentHref, termHref } from '../shared/links';
import classes from './order.module.css';

const text = (value: unknown) => (typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value));

/** One reason the order may not be shipped, in the reader's language, with links to what decided it. */
function Reason({ reason }: { reason: CheckReason }) {
  const { t, i18n } = useTranslation();
  const format = useTermsFormat();
  const d = reason.details;
  if (reason.code === 'SHIPMENT_BANNED') {
    const banHref = termHref('shipmentBan', text(d.banId));
    return (
      <Stack gap={2} data-testid="check-reason" data-code={reason.code}>
        <Group gap={6} wrap="wrap">
          <IconBan size={16} color="var(--mantine-color-red-7)" />
          <Text size="sm" fw={600}>
            {t('terms.order.check.banned')}
          </Text>
          {banHref ? (
            <Anchor component={Link} to={banHref} size="sm" fw={600}>
              «{text(d.ban)}»
            </Anchor>
          ) : (
            <Text size="sm">«{text(d.ban)}»</Text>
          )}
        </Group>
        <Text size="sm" pl={22}>
          {t('terms.order.check.inSegment')}{' '}
          <Anchor component={Link} to={segmentHref(text(d.segmentId))} size="sm" data-testid="check-reason-segment" data-segment={text(d.segmentId)}>
            {text(d.segmentName) || text(d.segmentId)}
          </Anchor>
        </Text>
        {text(d.reason) && (
          <Text size="sm" pl={22} data-testid="check-reason-text">
            {t('terms.order.check.why')}: {text(d.reason)}
          </Text>
        )}
      </Stack>
    );
  }
  if (reason.code === 'MANUAL_DISCOUNT_OVER_LIMIT') {
    return (
      <Stack gap={2} data-testid="check-reason" data-code={reason.code}>
        <Group gap={6}>
          <IconAlertTriangle size={16} color="var(--mantine-color-red-7)" />
          <Text size="sm" fw={600}>
            {t('terms.order.check.overLimit', { value: format.percent(Number(d.requested)), limit: format.percent(Number(d.limit)) })}
          </Text>
        </Group>
        <Text size="sm" pl={22}>
          {t('terms.order.check.limitFrom', { name: text(d.limitName) })}
          {text(d.segmentId) && (
            <>
              {' · '}
              <Anchor component={Link} to={segmentHref(text(d.segmentId))} size="sm">
                {text(d.segmentId)}
              </Anchor>
            </>
          )}
        </Text>
      </Stack>
    );
  }
  // Other reasons (agreement not open, partner marked for deletion): the error text of the code.
  const { message } = errorMessage(i18n, new ApiError(0, reason.code, reason.details, reason.message));
  return (
    <Group gap={6} wrap="nowrap" align="flex-start" data-testid="check-reason" data-code={reason.code}>
      <IconAlertTriangle size={16} color="var(--mantine-color-red-7)" style={{ flexShrink: 0, marginTop: 2 }} />
      <Text size="sm">{message}</Text>
    </Group>
  );
}

/** May the order be shipped: a clear yes, or no with every reason. */
export function CheckResult({ result, stale }: { result: OrderCheck; stale: boolean }) {
  const { t } = useTranslation();
  const format = useTermsFormat();
  const manual = result.manualDiscount;
  return (
    <Paper
      radius="md"
      p={{ base: 'sm', sm: 'lg' }}
      className={`${classes.verdict} ${result.allowed ? classes.allowed : classes.refused}`}
      data-testid="check-result"
      data-allowed={result.allowed}
      style={{ opacity: stale ? 0.55 : 1 }}
    >
      <Group align="flex-start" gap="md" wrap="nowrap">
        <ThemeIcon size={44} radius="xl" color={result.allowed ? 'teal' : 'red'} variant="filled">
          {result.allowed ? <IconCircleCheck size={28} /> : <IconCircleX size={28} />}
        </ThemeIcon>
        <Stack gap="xs" style={{ flex: 1, minWidth: 0 }}>
          <Group gap="xs" justify="space-between">
            <Title order={4} c={result.allowed ? 'teal.9' : 'red.9'} data-testid="check-verdict">
              {result.allowed ? t('terms.order.check.allowed') : t('terms.order.check.refused')}
            </Title>
            {stale && (
              <Badge color="yellow" variant="light" tt="none">
                {t('terms.order.stale')}
              </Badge>
            )}
          </Group>
          {result.allowed ? (
            <Text size="sm">
              {manual && manual.requested > 0
                ? manual.limit === null
                  ? t('terms.order.manualUnlimited', { value: format.percent(manual.requested) })
                  : t('terms.order.manualWithin', { value: format.percent(manual.requested), limit: format.percent(manual.limit), name: manual.limitName ?? '' })
                : t('terms.order.check.allowedText')}
            </Text>
          ) : (
            <Stack gap="sm">
              {result.reasons.map((reason, i) => (
                <Reason key={i} reason={reason} />
              ))}
            </Stack>
          )}
        </Stack>
      </Group>
    </Paper>
  );
}
