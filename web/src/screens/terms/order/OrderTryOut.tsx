import { ActionIcon, Button, Grid, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Text, Title, Tooltip } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useMediaQuery } from '@mantine/hooks';
import { IconCalculator, IconPlus, IconTrash, IconTruckDelivery } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCheckOrder, usePartnerAgreements, usePriceOrder, type Order, type OrderCheck, type OrderPrice, type ProductChoice } from '../../../api/terms';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { todayIso, useNumberSeparators, useTermsFormat } from '../shared/format';
import { CheckResult } from './CheckResult';
import { PartnerPicker, ProductPicker, type PartnerChoice } from './pickers';
import { PriceResult } from './PriceResult';

interface LineDraft {
  key: number;
  product: ProductChoice | null;
  quantity: number | '';
  price: number | '';
}

interface OrderDraft {
  partner: PartnerChoice | null;
  date: string;
  agreementId: string | null;
  manualDiscount: number | '';
  lines: LineDraft[];
}

let nextKey = 1;
const newLine = (): LineDraft => ({ key: nextKey++, product: null, quantity: 1, price: '' });
const toNumber = (value: string | number): number | '' => (typeof value === 'number' ? value : value === '' ? '' : Number(String(value).replace(',', '.')));

/** The order as the API takes it, or null while something is missing. */
function orderOf(draft: OrderDraft): Order | null {
  if (!draft.partner) return null;
  const lines = draft.lines.filter((l) => l.product !== null);
  // A line without a price takes the price of the order's price type (the agreement's, else the default) on the order date.
  if (lines.length === 0 || lines.some((l) => l.quantity === '' || l.quantity <= 0 || (l.price !== '' && l.price < 0))) return null;
  return {
    partnerId: draft.partner.id,
    date: draft.date,
    ...(draft.agreementId ? { agreementId: draft.agreementId } : {}),
    ...(draft.manualDiscount !== '' && draft.manualDiscount > 0 ? { manualDiscount: draft.manualDiscount } : {}),
    lines: lines.map((l) => ({ productId: l.product!.id, quantity: l.quantity as number, ...(l.price === '' ? {} : { price: l.price }) })),
  };
}

/**
 * The order try-out: pick a partner, add lines (a price is optional: without one the line takes
 * its price type's price on the order date), maybe a manual discount — "Price" shows each line's
 * price and where it came from, what discount it gets, from which rule and because of which segment; "Check" whether it may be
 * shipped, and why not. Nothing is saved: it asks POST /api/orders/price and /check.
 */
export function OrderTryOut() {
  const { t } = useTranslation();
  const format = useTermsFormat();
  const separators = useNumberSeparators();
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const [draft, setDraft] = useState<OrderDraft>(() => ({ partner: null, date: todayIso(), agreementId: null, manualDiscount: '', lines: [newLine()] }));
  const change = (patch: Partial<OrderDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setLine = (key: number, patch: Partial<LineDraft>) => setDraft((d) => ({ ...d, lines: d.lines.map((l) => (l.key === key ? { ...l, ...patch } : l)) }));
  const agreements = usePartnerAgreements(draft.partner?.id ?? null, draft.date);
  const price = usePriceOrder();
  const check = useCheckOrder();
  const [priced, setPriced] = useState<{ order: string; result: OrderPrice } | null>(null);
  const [checked, setChecked] = useState<{ order: string; result: OrderCheck } | null>(null);

  const order = orderOf(draft);
  const orderKey = order ? JSON.stringify(order) : null;
  const products = new Map(draft.lines.filter((l) => l.product).map((l) => [l.product!.id, l.product!]));
  const onPrice = () => {
    if (!order) return;
    price.mutate(order, { onSuccess: (result) => setPriced({ order: JSON.stringify(order), result }) });
  };
  const onCheck = () => {
    if (!order) return;
    check.mutate(order, { onSuccess: (result) => setChecked({ order: JSON.stringify(order), result }) });
  };

  const agreementData = (agreements.data?.items ?? []).map((a) => ({
    value: a.id,
    label: `${a.name}${a.discountPercent ? ` (${a.discountPercent < 0 ? t('terms.percent.markup', { value: format.percent(-a.discountPercent) }) : format.percent(a.discountPercent)})` : ''}`,
  }));
  const lineAmount = (l: LineDraft) => (l.quantity !== '' && l.price !== '' ? Math.round(l.quantity * l.price * 100) / 100 : null);
  const draftTotal = draft.lines.reduce((sum, l) => sum + (l.product ? (lineAmount(l) ?? 0) : 0), 0);

  const lineEditor = (l: LineDraft, i: number) => (
    <Paper key={l.key} withBorder={phone} radius="md" p={phone ? 'sm' : 0} data-testid="order-line" data-line={i + 1}>
      <Grid gap="xs" align="flex-end">
        <Grid.Col span={{ base: 12, sm: 6 }}>
          <ProductPicker value={l.product} label={t('terms.order.product')} hideLabel={!phone && i > 0} onChange={(product) => setLine(l.key, { product })} testId="order-line-product" />
        </Grid.Col>
        <Grid.Col span={{ base: 5, sm: 1.5 }}>
          <NumberInput
            label={!phone && i > 0 ? undefined : t('terms.order.quantity')}
            aria-label={t('terms.order.quantity')}
            value={l.quantity}
            onChange={(v) => setLine(l.key, { quantity: toNumber(v) })}
            min={0}
            decimalScale={3}
            {...separators.fraction}
            hideControls
            data-testid="order-line-quantity"
          />
        </Grid.Col>
        <Grid.Col span={{ base: 7, sm: 2 }}>
          <NumberInput
            label={!phone && i > 0 ? undefined : t('terms.order.price')}
            aria-label={t('terms.order.price')}
            placeholder={t('terms.order.pricePlaceholder')}
            title={t('terms.order.priceHint')}
            value={l.price}
            onChange={(v) => setLine(l.key, { price: toNumber(v) })}
            min={0}
            decimalScale={2}
            {...separators.amount}
            hideControls
            data-testid="order-line-price"
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 2.5 }}>
          <Group gap={4} wrap="nowrap" justify="flex-end" h={phone ? undefined : 36}>
            {phone && (
              <Text size="xs" c="dimmed" style={{ flex: 1 }}>
                {t('terms.order.lineAmount')}
              </Text>
            )}
            <Text size="sm" ff="monospace" ta="right" style={{ flex: phone ? undefined : 1, whiteSpace: 'nowrap' }} c={lineAmount(l) === null ? 'dimmed' : undefined}>
              {lineAmount(l) === null ? '—' : format.money(lineAmount(l)!)}
            </Text>
            <Tooltip label={t('terms.order.removeLine')} openDelay={400}>
              <ActionIcon
                variant="subtle"
                color="gray"
                onClick={() => change({ lines: draft.lines.filter((x) => x.key !== l.key) })}
                disabled={draft.lines.length === 1}
                aria-label={t('terms.order.removeLine')}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Grid.Col>
      </Grid>
    </Paper>
  );

  const stalePrice = priced !== null && priced.order !== orderKey;
  const staleCheck = checked !== null && checked.order !== orderKey;

  return (
    <Stack gap="lg">
      <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} data-testid="order-form">
        <Stack gap="md">
          <Group justify="space-between" gap="xs">
            <Title order={4}>{t('terms.order.formTitle')}</Title>
            <Text size="sm" c="dimmed">
              {t('terms.order.formHint')}
            </Text>
          </Group>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
            <div style={{ gridColumn: phone ? undefined : 'span 2' }}>
              <PartnerPicker value={draft.partner} onChange={(partner) => change({ partner, agreementId: null })} />
            </div>
            <DatePickerInput
              label={t('terms.order.date')}
              valueFormat="DD.MM.YYYY"
              value={draft.date}
              onChange={(date) => change({ date: date ?? todayIso(), agreementId: null })}
              popoverProps={{ withinPortal: true }}
              data-testid="order-date"
            />
            <Select
              label={t('terms.order.agreement')}
              placeholder={draft.partner ? (agreementData.length ? t('terms.order.noAgreement') : t('terms.order.noAgreements')) : t('terms.order.pickPartnerFirst')}
              data={agreementData}
              value={draft.agreementId}
              onChange={(agreementId) => change({ agreementId })}
              disabled={!draft.partner || agreementData.length === 0}
              clearable
              comboboxProps={{ withinPortal: true }}
              data-testid="order-agreement"
            />
          </SimpleGrid>

          <Stack gap="xs">
            <Text fw={600} size="sm">
              {t('terms.order.lines')}
            </Text>
            {draft.lines.map(lineEditor)}
            <Group justify="space-between" gap="sm" wrap="wrap">
              <Button variant="light" size="compact-sm" leftSection={<IconPlus size={14} />} onClick={() => change({ lines: [...draft.lines, newLine()] })} data-testid="order-add-line">
                {t('terms.order.addLine')}
              </Button>
              <Text size="sm" c="dimmed">
                {t('terms.order.draftTotal')}:{' '}
                <Text span fw={600} c="dark" ff="monospace">
                  {format.money(draftTotal)}
                </Text>
              </Text>
            </Group>
          </Stack>

          <Group justify="space-between" align="flex-end" gap="sm" wrap="wrap">
            <NumberInput
              label={t('terms.order.manualDiscount')}
              description={t('terms.order.manualDiscountHint')}
              inputWrapperOrder={['label', 'input', 'description', 'error']}
              value={draft.manualDiscount}
              onChange={(v) => change({ manualDiscount: toNumber(v) })}
              min={0}
              max={100}
              decimalScale={2}
              {...separators.fraction}
              suffix=" %"
              w={phone ? '100%' : 260}
              data-testid="order-manual"
            />
            <Group gap="sm" w={phone ? '100%' : undefined} style={phone ? { flexDirection: 'column', alignItems: 'stretch' } : undefined}>
              <Button size="md" leftSection={<IconCalculator size={18} />} onClick={onPrice} loading={price.isPending} disabled={!order} data-testid="order-price">
                {t('terms.order.priceAction')}
              </Button>
              <Button size="md" variant="light" leftSection={<IconTruckDelivery size={18} />} onClick={onCheck} loading={check.isPending} disabled={!order} data-testid="order-check">
                {t('terms.order.checkAction')}
              </Button>
            </Group>
          </Group>
        </Stack>
      </Paper>

      {Boolean(check.error) && <ErrorAlert error={check.error} />}
      {checked && <CheckResult result={checked.result} stale={staleCheck} />}
      {Boolean(price.error) && <ErrorAlert error={price.error} />}
      {priced ? (
        <PriceResult result={priced.result} products={products} stale={stalePrice} />
      ) : (
        !checked && (
          <Paper withBorder radius="md" p="xl" style={{ borderStyle: 'dashed' }} data-testid="order-empty">
            <Stack align="center" gap={6} ta="center">
              <IconCalculator size={34} stroke={1.4} color="var(--mantine-color-gray-5)" />
              <Text fw={600}>{t('terms.order.emptyTitle')}</Text>
              <Text size="sm" c="dimmed" maw={520}>
                {t('terms.order.emptyText')}
              </Text>
            </Stack>
          </Paper>
        )
      )}
    </Stack>
  );
}
