import { Alert, Button, Group, JsonInput, Modal, NumberInput, SegmentedControl, Select, Stack, Switch, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconInfoCircle } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSaveRfmSettings, type PeriodJson, type RfmSettings } from '../../../api/analytics';
import { SchedulePicker } from '../../../components/SchedulePicker';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { lastPeriodOf, PERIOD_UNITS, type PeriodUnit } from '../period';

interface RfmSettingsModalProps {
  settings: RfmSettings;
  opened: boolean;
  onClose: () => void;
  onSaved: () => void;
}

/** The RFM settings (PUT /api/analytics/rfm/settings): window, bins, schedule, segments after a refresh. */
export function RfmSettingsModal({ settings, opened, onClose, onSaved }: RfmSettingsModalProps) {
  const { t } = useTranslation();
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const save = useSaveRfmSettings();
  const last = lastPeriodOf(settings.window);
  const [mode, setMode] = useState<'last' | 'custom'>(last ? 'last' : 'custom');
  const [count, setCount] = useState<number | string>(last?.count ?? 12);
  const [unit, setUnit] = useState<PeriodUnit>(last?.unit ?? 'months');
  const [json, setJson] = useState(JSON.stringify(settings.window, null, 2));
  const [bins, setBins] = useState<number | string>(settings.bins);
  const [schedule, setSchedule] = useState<string | null>(settings.schedule ?? null);
  const [rebuild, setRebuild] = useState(settings.rebuildSegments);
  const [jsonError, setJsonError] = useState<string | null>(null);

  const submit = () => {
    let window: PeriodJson;
    if (mode === 'last') {
      window = { last: { [unit]: Number(count) } };
    } else {
      try {
        const parsed: unknown = JSON.parse(json);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        window = parsed as PeriodJson;
      } catch {
        setJsonError(t('analytics.rfm.settings.jsonInvalid'));
        return;
      }
    }
    setJsonError(null);
    save.mutate({ window, bins: Number(bins), schedule, rebuildSegments: rebuild }, { onSuccess: onSaved });
  };

  return (
    <Modal opened={opened} onClose={onClose} closeOnEscape={false} closeOnClickOutside={false} title={t('analytics.rfm.settings.title')} size="lg" fullScreen={phone} data-testid="rfm-settings">
      <Stack gap="md">
        <Stack gap={6}>
          <Text size="sm" fw={500}>
            {t('analytics.rfm.settings.window')}
          </Text>
          <SegmentedControl
            size="xs"
            value={mode}
            onChange={(value) => setMode(value)}
            data={[
              { value: 'last', label: t('analytics.rfm.settings.windowLast') },
              { value: 'custom', label: t('analytics.rfm.settings.windowCustom') },
            ]}
          />
          {mode === 'last' ? (
            <Group gap="xs" align="flex-end">
              <NumberInput label={t('analytics.rfm.settings.count')} value={count} onChange={setCount} min={1} max={120} allowDecimal={false} w={120} data-testid="rfm-window-count" />
              <Select
                label={t('analytics.rfm.settings.unit')}
                value={unit}
                onChange={(value) => value && setUnit(value)}
                data={PERIOD_UNITS.map((u) => ({ value: u, label: t(`analytics.units.${u}`) }))}
                allowDeselect={false}
                w={160}
              />
            </Group>
          ) : (
            <JsonInput value={json} onChange={setJson} autosize minRows={3} error={jsonError} description={t('analytics.rfm.settings.windowCustomHint')} formatOnBlur />
          )}
        </Stack>
        <NumberInput
          label={t('analytics.rfm.settings.bins')}
          description={t('analytics.rfm.settings.binsHint')}
          value={bins}
          onChange={setBins}
          min={2}
          max={9}
          allowDecimal={false}
          w={{ base: '100%', sm: 240 }}
          data-testid="rfm-bins"
        />
        <SchedulePicker label={t('analytics.rfm.settings.schedule')} noneLabel={t('analytics.rfm.settings.schedulePlaceholder')} value={schedule} onChange={setSchedule} testId="rfm-schedule" />
        <Switch label={t('analytics.rfm.settings.rebuild')} description={t('analytics.rfm.settings.rebuildHint')} checked={rebuild} onChange={(event) => setRebuild(event.currentTarget.checked)} />
        <Alert variant="light" color="blue" icon={<IconInfoCircle size={18} />} p="xs">
          <Text size="xs">{t('analytics.rfm.settings.applyHint')}</Text>
        </Alert>
        {save.isError && <ErrorAlert error={save.error} />}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            {t('analytics.cancel')}
          </Button>
          <Button onClick={submit} loading={save.isPending} data-testid="rfm-settings-save">
            {t('analytics.save')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
