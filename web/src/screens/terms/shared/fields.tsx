import { Grid, Group, NumberInput, Select, SimpleGrid, Switch, TextInput, Textarea } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useTranslation } from 'react-i18next';
import { useTerms, type Validity } from '../../../api/terms';
import { useFormat } from '../../../i18n/format';
import { useNumberSeparators } from './format';

/** A term's code: a slug, given on creation only (generated when left empty). */
export const SLUG = /^[a-z0-9][a-z0-9_-]{0,79}$/;

/** Name and code of a new or saved term. */
export function NameFields({ name, id, onName, onId, saved, testPrefix }: { name: string; id: string; onName: (v: string) => void; onId: (v: string) => void; saved: boolean; testPrefix: string }) {
  const { t } = useTranslation();
  const badId = id !== '' && !SLUG.test(id);
  return (
    <Grid gap="sm">
      <Grid.Col span={{ base: 12, sm: 8 }}>
        <TextInput label={t('terms.common.name')} value={name} onChange={(e) => onName(e.currentTarget.value)} withAsterisk data-autofocus data-testid={`${testPrefix}-name`} />
      </Grid.Col>
      <Grid.Col span={{ base: 12, sm: 4 }}>
        <TextInput
          label={t('terms.common.code')}
          value={id}
          onChange={(e) => onId(e.currentTarget.value.trim())}
          disabled={saved}
          placeholder={t('terms.common.codeAuto')}
          error={badId ? t('terms.common.codeInvalid') : undefined}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          data-testid={`${testPrefix}-id`}
        />
      </Grid.Col>
    </Grid>
  );
}

export function PercentInput({
  label,
  value,
  onChange,
  description,
  min = -1000,
  max = 100,
  testId,
}: {
  label: string;
  value: number | '';
  onChange: (v: number | '') => void;
  description?: string;
  min?: number;
  max?: number;
  testId?: string;
}) {
  const separators = useNumberSeparators();
  return (
    <NumberInput
      label={label}
      description={description}
      inputWrapperOrder={['label', 'input', 'description', 'error']}
      value={value}
      onChange={(next) => onChange(typeof next === 'number' ? next : next === '' ? '' : Number(String(next).replace(',', '.')))}
      min={min}
      max={max}
      decimalScale={2}
      {...separators.fraction}
      suffix=" %"
      data-testid={testId}
    />
  );
}

/** Valid from / to and the marketing campaign a term is bound to. */
export function ValidityFields({ value, onChange }: { value: Validity; onChange: (patch: Partial<Validity>) => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const campaigns = useTerms('campaigns');
  const data = (campaigns.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.name} (${format.shortDate(c.startsOn)} — ${format.shortDate(c.endsOn)})` }));
  if (value.campaignId && !data.some((d) => d.value === value.campaignId)) data.push({ value: value.campaignId, label: value.campaignId });
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm" style={{ alignItems: 'end' }}>
      <DatePickerInput
        label={t('terms.common.validFrom')}
        valueFormat="DD.MM.YYYY"
        value={value.validFrom}
        onChange={(next) => onChange({ validFrom: next ?? null })}
        clearable
        placeholder={t('terms.common.noDate')}
        popoverProps={{ withinPortal: true }}
      />
      <DatePickerInput
        label={t('terms.common.validTo')}
        valueFormat="DD.MM.YYYY"
        value={value.validTo}
        onChange={(next) => onChange({ validTo: next ?? null })}
        clearable
        placeholder={t('terms.common.noDate')}
        popoverProps={{ withinPortal: true }}
      />
      <Select
        label={t('terms.common.campaign')}
        placeholder={t('terms.common.noCampaign')}
        data={data}
        value={value.campaignId}
        onChange={(next) => onChange({ campaignId: next })}
        clearable
        comboboxProps={{ withinPortal: true }}
      />
    </SimpleGrid>
  );
}

export function ActiveSwitch({ value, onChange, label }: { value: boolean; onChange: (v: boolean) => void; label?: string }) {
  const { t } = useTranslation();
  return (
    <Group>
      <Switch checked={value} onChange={(e) => onChange(e.currentTarget.checked)} label={label ?? t('terms.common.active')} />
    </Group>
  );
}

export function DescriptionField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  return <Textarea label={t('terms.common.description')} value={value} onChange={(e) => onChange(e.currentTarget.value)} autosize minRows={1} maxRows={4} />;
}
