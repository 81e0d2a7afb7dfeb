import { Anchor, Badge, Box, Group, Paper, SimpleGrid, Stack, Table, Text, ThemeIcon, Title, Tooltip } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconAlertTriangle, IconBox, IconFileSpreadsheet, IconTable, IconUsers } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { apiUrl } from '../../../api/client';
import { useDiscountTables, type AppliedRule, type OrderPrice, type PricedLine, type ProductChoice } from '../../../api/terms';
import { CombineBadge } from '../discounts/DiscountsPanel';
import { PercentBadge } from '../shared/badges';
import { useTermsFormat } from '../shared/format';
import { useSegmentIndex } from '../shared/indexes';
import { segmentHref, tableHref, termHref } from '../shared/links';
import classes from './order.module.css';

function RuleLink({ rule, size = 'sm' }: { rule: Pick<AppliedRule, 'discountId' | 'name'> & { source?: AppliedRule['source'] }; size?: 'xs' | 'sm' }) {
  const href = termHref(rule.source === 'agreement' ? 'agreement' : 'discount', rule.discountId);
  return (
    <Anchor component={Link} to={href ?? '#'} size={size} fw={600} data-testid="line-rule" data-rule={rule.discountId}>
      {rule.name}
    </Anchor>
  );
}

/** Why a line got its percent: the rule, the segments behind it, what was added and what lost. */
function LineReason({ line }: { line: PricedLine }) {
  const { t } = useTranslation();
  const format = useTermsFormat();
  const segments = useSegmentIndex();
  // A table by its name (the id is the machine's: nakop-cat-…), the id in the tooltip.
  const tables = useDiscountTables();
  const tableName = (id: string) => tables.data?.items.find((table) => table.id === id)?.name || id;
  const rule = line.rule;
  if (!rule && line.manualPercent === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="line-no-rule">
        {t('terms.order.noDiscount')}
      </Text>
    );
  }
  const chip = (icon: ReactNode, label: string, to: string, testId: string, id: string) => (
    <Group gap={4} wrap="nowrap" style={{ minWidth: 0 }}>
      {icon}
      <Anchor component={Link} to={to} size="xs" style={{ overflowWrap: 'anywhere' }} data-testid={testId} data-segment={id} title={id}>
        {label}
      </Anchor>
    </Group>
  );
  const added = line.applied.slice(1);
  const signed = (p: number) => (p < 0 ? t('terms.percent.markup', { value: format.percent(-p) }) : format.percent(p));
  const chips = [
    rule?.segmentId ? chip(<IconUsers size={13} color="var(--mantine-color-gray-6)" />, rule.segmentName ?? rule.segmentId, segmentHref(rule.segmentId), 'line-segment', rule.segmentId) : null,
    rule?.productSegmentId
      ? chip(
          <IconBox size={13} color="var(--mantine-color-gray-6)" />,
          segments.get(rule.productSegmentId)?.name ?? rule.productSegmentId,
          segmentHref(rule.productSegmentId),
          'line-product-segment',
          rule.productSegmentId,
        )
      : null,
    rule?.tableId
      ? chip(<IconTable size={13} color="var(--mantine-color-gray-6)" />, t('terms.order.fromTable', { id: tableName(rule.tableId) }), tableHref(rule.tableId), 'line-table', rule.tableId)
      : null,
  ].filter(Boolean);
  return (
    <Stack gap={4} miw={240}>
      {rule && (
        <Group gap={6} wrap="nowrap" align="flex-start">
          <div style={{ minWidth: 0 }}>
            <RuleLink rule={rule} />{' '}
            <Text span size="sm" fw={600} c="dimmed" style={{ whiteSpace: 'nowrap' }}>
              {format.percent(rule.percent)}
            </Text>
          </div>
          {rule.source === 'agreement' ? (
            <Badge size="xs" variant="light" color="violet" tt="none" style={{ flexShrink: 0 }} mt={3}>
              {t('terms.order.agreementRule')}
            </Badge>
          ) : (
            <Box mt={2} style={{ flexShrink: 0 }}>
              <CombineBadge combine={rule.combine} />
            </Box>
          )}
        </Group>
      )}
      {chips.length > 0 && (
        <Group gap={4} wrap="wrap" style={{ columnGap: 14 }}>
          {chips}
        </Group>
      )}
      {(added.length > 0 || line.manualPercent !== 0) && (
        <Group gap={4} wrap="wrap" style={{ columnGap: 14 }}>
          {added.map((a) => (
            <Text key={a.discountId} size="xs" data-testid="line-added">
              + <RuleLink rule={a} size="xs" /> {format.percent(a.percent)}
            </Text>
          ))}
          {line.manualPercent !== 0 && (
            <Text size="xs" data-testid="line-manual">
              {t('terms.order.manualAdded', { value: format.percent(line.manualPercent) })}
            </Text>
          )}
        </Group>
      )}
      {line.overridden.length > 0 && (
        <Tooltip
          label={
            <Stack gap={2}>
              {line.overridden.map((o) => (
                <Text key={o.discountId} size="xs">
                  {o.name} — {format.percent(o.percent)}
                </Text>
              ))}
            </Stack>
          }
          withinPortal
          multiline
          maw={420}
        >
          <Text size="xs" c="dimmed" data-testid="line-overridden" style={{ cursor: 'help', textDecoration: 'underline dotted' }}>
            {t('terms.order.overriddenCount', { n: line.overridden.length, best: signed(Math.max(...line.overridden.map((o) => o.percent))) })}
          </Text>
        </Tooltip>
      )}
    </Stack>
  );
}

function Stat({ label, value, accent, testId, compact }: { label: string; value: string; accent?: string; testId: string; compact: boolean }) {
  if (compact) {
    return (
      <Group justify="space-between" wrap="nowrap" px="sm" py={8} className={classes.stat} style={{ borderRadius: 'var(--mantine-radius-md)' }}>
        <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.4}>
          {label}
        </Text>
        <Text fw={700} size="lg" c={accent} ff="monospace" data-testid={testId}>
          {value}
        </Text>
      </Group>
    );
  }
  return (
    <Paper withBorder radius="md" p="md" className={classes.stat}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.4}>
        {label}
      </Text>
      <Text className={classes.statValue} c={accent} data-testid={testId}>
        {value}
      </Text>
    </Paper>
  );
}

/** Where a line's price came from: the price type and the date of the price row used, or "manual price". */
function PriceSourceText({ line }: { line: PricedLine }) {
  const { t, i18n } = useTranslation();
  const date = (d: string) => (i18n.resolvedLanguage === 'en' ? d : `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`);
  return (
    <Text size="xs" c={line.priceSource === 'manual' ? 'orange.8' : 'dimmed'} data-testid="line-price-source" data-source={line.priceSource}>
      {line.priceSource === 'manual' || !line.priceType || !line.priceRow
        ? t('terms.order.priceManual')
        : t('terms.order.priceFromType', { type: line.priceType.name, date: date(line.priceRow.validFrom) })}
    </Text>
  );
}

/** The priced order: totals, then each line with its percent and the rule and segment behind it. */
export function PriceResult({ result, products, stale }: { result: OrderPrice; products: ReadonlyMap<string, ProductChoice>; stale: boolean }) {
  const { t, i18n } = useTranslation();
  const format = useTermsFormat();
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const { totals, manualDiscount, agreement, priceType } = result;
  // The XLSX price list for the client: the order's products at the order's price type and date.
  const priceListHref = apiUrl(`/partners/${encodeURIComponent(result.partnerId)}/price-list.xlsx`, {
    date: result.date,
    products: [...new Set(result.lines.map((l) => l.productId))].join(','),
    ...(agreement?.chosen === 'named' ? { agreementId: agreement.id } : {}),
    lang: i18n.resolvedLanguage === 'en' ? 'en' : 'ru',
  });
  const effective = totals.amount > 0 ? (100 * totals.discountAmount) / totals.amount : 0;
  const productName = (id: string) => products.get(id)?.name ?? id;

  const lineRows = result.lines.map((line) =>
    phone ? (
      <Paper key={line.line} withBorder radius="md" p="sm" data-testid="priced-line" data-product={line.productId} data-percent={line.discountPercent}>
        <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
          <Stack gap={0} style={{ minWidth: 0 }}>
            <Text fw={600} size="sm" style={{ overflowWrap: 'anywhere' }}>
              {productName(line.productId)}
            </Text>
            <Text size="xs" c="dimmed">
              {format.number(line.quantity)} × {format.money(line.price)} = {format.money(line.amount)}
            </Text>
            <PriceSourceText line={line} />
          </Stack>
          <PercentBadge value={line.discountPercent} size="lg" />
        </Group>
        <Group justify="space-between" mt={6} gap="xs">
          <Text size="xs" c="dimmed">
            {t('terms.order.columns.discountAmount')}: {format.money(line.discountAmount)}
          </Text>
          <Text size="sm" fw={700} ff="monospace">
            {format.money(line.amountAfterDiscount)}
          </Text>
        </Group>
        <Box mt={8} pt={8} style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
          <LineReason line={line} />
        </Box>
      </Paper>
    ) : (
      <Table.Tr key={line.line} data-testid="priced-line" data-product={line.productId} data-percent={line.discountPercent}>
        <Table.Td>
          <Text size="sm" fw={600}>
            {productName(line.productId)}
          </Text>
          <Text size="xs" c="dimmed">
            {line.productId} · {format.number(line.quantity)} × {format.money(line.price)}
          </Text>
          <PriceSourceText line={line} />
        </Table.Td>
        <Table.Td ta="right" ff="monospace">
          <Text size="sm" ff="monospace">
            {format.money(line.amount)}
          </Text>
        </Table.Td>
        <Table.Td ta="center">
          <PercentBadge value={line.discountPercent} size="lg" />
        </Table.Td>
        <Table.Td ta="right">
          <Text size="sm" ff="monospace" c={line.discountAmount > 0 ? 'teal.8' : line.discountAmount < 0 ? 'orange.8' : 'dimmed'}>
            {format.money(line.discountAmount)}
          </Text>
        </Table.Td>
        <Table.Td ta="right">
          <Text size="sm" fw={700} ff="monospace">
            {format.money(line.amountAfterDiscount)}
          </Text>
        </Table.Td>
        <Table.Td>
          <LineReason line={line} />
        </Table.Td>
      </Table.Tr>
    ),
  );

  return (
    <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} data-testid="price-result" style={{ opacity: stale ? 0.55 : 1 }}>
      <Stack gap="md">
        <Group justify="space-between" gap="xs">
          <Title order={4}>{t('terms.order.resultTitle')}</Title>
          {stale && (
            <Badge color="yellow" variant="light" tt="none" leftSection={<IconAlertTriangle size={12} />}>
              {t('terms.order.stale')}
            </Badge>
          )}
        </Group>
        <SimpleGrid cols={{ base: 1, xs: 3 }} spacing={phone ? 6 : 'sm'}>
          <Stat label={t('terms.order.totals.amount')} value={format.money(totals.amount)} testId="total-amount" compact={phone} />
          <Stat
            label={t('terms.order.totals.discount', { value: format.percent(Math.round(effective * 100) / 100) })}
            value={format.money(totals.discountAmount)}
            accent={totals.discountAmount >= 0 ? 'teal.7' : 'orange.7'}
            testId="total-discount"
            compact={phone}
          />
          <Stat label={t('terms.order.totals.toPay')} value={format.money(totals.amountAfterDiscount)} accent="blue.7" testId="total-to-pay" compact={phone} />
        </SimpleGrid>
        {(agreement || manualDiscount || priceType) && (
          <Group gap="lg" wrap="wrap">
            {agreement && (
              <Text size="sm" data-testid="order-agreement-used">
                {t('terms.order.agreementUsed')}: <RuleLink rule={{ discountId: agreement.id, name: agreement.name, source: 'agreement' }} />
              </Text>
            )}
            {priceType && (
              <Text size="sm" data-testid="order-price-type">
                {t('terms.order.priceTypeUsed')}: <b>{priceType.name}</b> ({priceType.currency}
                {priceType.source === 'default' ? `, ${t('terms.order.priceTypeDefault')}` : ''})
                {totals.vatAmount !== null && totals.vatRate !== null
                  ? ` · ${
                      totals.vatIncluded
                        ? t('terms.order.vatIncluded', { rate: format.percent(totals.vatRate), amount: format.money(totals.vatAmount) })
                        : t('terms.order.vatOnTop', { rate: format.percent(totals.vatRate), amount: format.money(totals.vatAmount), total: format.money(totals.amountWithVat ?? 0) })
                    }`
                  : ''}{' '}
                <Anchor href={priceListHref} download size="sm" data-testid="order-price-list">
                  <IconFileSpreadsheet size={14} style={{ verticalAlign: -2 }} /> {t('terms.order.priceList')}
                </Anchor>
              </Text>
            )}
            {manualDiscount && (
              <Group gap={6} wrap="nowrap" align="flex-start" data-testid="manual-state">
                <ThemeIcon size={20} radius="xl" variant="light" color={manualDiscount.allowed ? 'teal' : 'red'}>
                  <Text size="xs" fw={700}>
                    %
                  </Text>
                </ThemeIcon>
                <Text size="sm">
                  {manualDiscount.limit === null
                    ? t('terms.order.manualUnlimited', { value: format.percent(manualDiscount.requested) })
                    : manualDiscount.allowed
                      ? t('terms.order.manualWithin', { value: format.percent(manualDiscount.requested), limit: format.percent(manualDiscount.limit), name: manualDiscount.limitName ?? '' })
                      : t('terms.order.manualOver', { value: format.percent(manualDiscount.requested), limit: format.percent(manualDiscount.limit), name: manualDiscount.limitName ?? '' })}
                </Text>
              </Group>
            )}
          </Group>
        )}
        {phone ? (
          <Stack gap="sm">{lineRows}</Stack>
        ) : (
          <div className={classes.linesFrame}>
            <Table verticalSpacing="sm" horizontalSpacing="sm" className={classes.lines} data-testid="priced-lines">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('terms.order.columns.product')}</Table.Th>
                  <Table.Th ta="right">{t('terms.order.columns.amount')}</Table.Th>
                  <Table.Th ta="center">{t('terms.order.columns.discount')}</Table.Th>
                  <Table.Th ta="right">{t('terms.order.columns.discountAmount')}</Table.Th>
                  <Table.Th ta="right">{t('terms.order.columns.total')}</Table.Th>
                  <Table.Th>{t('terms.order.columns.reason')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>{lineRows}</Table.Tbody>
            </Table>
          </div>
        )}
      </Stack>
    </Paper>
  );
}
