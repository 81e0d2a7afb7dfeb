import { Anchor, Badge, Group, Text } from '@mantine/core';
import { IconUsers, IconBox } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { SegmentWithStatus } from '../../../api/segments';
import type { Campaign, Validity } from '../../../api/terms';
import { useFormat } from '../../../i18n/format';
import { useTermsFormat, termState, type TermState } from './format';
import { segmentHref } from './links';

const NO_SHRINK = { root: { maxWidth: 'none', flexShrink: 0 }, label: { overflow: 'visible' } } as const;

/** A discount as a percent off (teal) or a markup (orange, "markup 2 %"). */
export function PercentBadge({ value, size = 'md' }: { value: number; size?: 'sm' | 'md' | 'lg' | 'xl' }) {
  const { t } = useTranslation();
  const format = useTermsFormat();
  const markup = value < 0;
  return (
    <Badge size={size} variant="light" color={markup ? 'orange' : value === 0 ? 'gray' : 'teal'} tt="none" radius="sm" styles={NO_SHRINK} data-testid="percent-badge" data-percent={value}>
      {markup ? t('terms.percent.markup', { value: format.percent(-value) }) : format.percent(value)}
    </Badge>
  );
}

const STATE_COLORS: Record<TermState, string> = { active: 'teal', inactive: 'gray', expired: 'red', future: 'yellow' };

/** Whether a term applies today. */
export function TermStateBadge({ term, campaigns }: { term: Partial<Validity> & { active?: boolean }; campaigns: ReadonlyMap<string, Campaign> }) {
  const { t } = useTranslation();
  const state = termState(term, campaigns);
  return (
    <Badge size="sm" variant="dot" color={STATE_COLORS[state]} tt="none" styles={NO_SHRINK} data-testid="term-state" data-state={state}>
      {t(`terms.state.${state}`)}
    </Badge>
  );
}

/** "01.01.2025 — 31.12.2025", "from 01.01.2025", "no end date"; and the campaign it is bound to. */
export function ValidityText({ term, campaigns, withState = false }: { term: Validity & { active?: boolean }; campaigns: ReadonlyMap<string, Campaign>; withState?: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const from = format.shortDate(term.validFrom);
  const to = format.shortDate(term.validTo);
  const own = from && to ? t('terms.validity.range', { from, to }) : from ? t('terms.validity.from', { date: from }) : to ? t('terms.validity.to', { date: to }) : null;
  const campaign = term.campaignId ? (campaigns.get(term.campaignId)?.name ?? term.campaignId) : null;
  return (
    <div style={{ whiteSpace: 'normal', maxWidth: 240 }}>
      {withState && <TermStateBadge term={term} campaigns={campaigns} />}
      <Text size="sm" c={own ? undefined : 'dimmed'} mt={withState ? 4 : 0}>
        {own ?? (campaign ? null : t('terms.validity.always'))}
      </Text>
      {campaign && (
        <Text size="xs" c="dimmed">
          {t('terms.validity.campaign', { name: campaign })}
        </Text>
      )}
    </div>
  );
}

/** A segment as a link to its card, with what it holds; an unknown id shows as it is. */
export function SegmentLink({ id, segments, withSize = false, icon = true }: { id: string; segments: ReadonlyMap<string, SegmentWithStatus>; withSize?: boolean; icon?: boolean }) {
  const { t } = useTranslation();
  const format = useTermsFormat();
  const segment = segments.get(id);
  const Icon = segment?.kind === 'product' ? IconBox : IconUsers;
  return (
    <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
      {icon && <Icon size={15} stroke={1.6} color="var(--mantine-color-gray-6)" style={{ flexShrink: 0 }} />}
      <Anchor component={Link} to={segmentHref(id)} size="sm" onClick={(e) => e.stopPropagation()} style={{ overflowWrap: 'break-word' }} data-testid="segment-link" data-segment={id}>
        {segment?.name ?? id}
      </Anchor>
      {withSize && segment && segment.size !== null && (
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {t('terms.segmentSize', { n: format.number(segment.size) })}
        </Text>
      )}
    </Group>
  );
}
