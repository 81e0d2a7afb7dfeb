import { Anchor, Badge, Box, Button, Collapse, Grid, Group, Paper, Select, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconChartPie } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useDirectory } from '../../api/directories';
import { usePartner, usePartnerSegments, type Partner, type PropertyValue } from '../../api/partners';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { useSegments } from '../../api/segments';
import { ExplainView } from '../segments/ExplainView';
import { useFormat } from '../../i18n/format';
import { PartnerTasks } from '../tasks/PartnerTasks';
import { DeletedBadge, RoleBadges } from './PartnerBadges';
import { PartnerSalesPanel } from './PartnerSalesPanel';
import classes from './partners.module.css';

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Paper withBorder radius="md" p="lg" data-testid={testId}>
      <Title order={4} mb="md" fw={600}>
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/** A label over its value, as in a 1C form; an empty value shows a dash. */
function Field({ label, children, field }: { label: string; children: ReactNode; field: string }) {
  const empty = children === null || children === undefined || children === '';
  return (
    <Stack gap={2} data-field={field} style={{ minWidth: 0 }}>
      <Text size="xs" className={classes.fieldLabel} fw={500}>
        {label}
      </Text>
      {empty ? (
        <Text size="sm" c="dimmed">
          —
        </Text>
      ) : typeof children === 'string' ? (
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {children}
        </Text>
      ) : (
        children
      )}
    </Stack>
  );
}

function BackLink() {
  const { t } = useTranslation();
  return (
    <Anchor component={Link} to="/partners" size="sm" c="dimmed" w="fit-content">
      <Group gap={4}>
        <IconArrowLeft size={14} />
        {t('partner.back')}
      </Group>
    </Anchor>
  );
}

function PropertyText({ value }: { value: PropertyValue }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (value === null) return <Text c="dimmed">—</Text>;
  if (typeof value === 'boolean') return <>{value ? t('common.yes') : t('common.no')}</>;
  if (typeof value === 'number') return <>{format.number(value)}</>;
  return <>{/^\d{4}-\d{2}-\d{2}$/.test(value) ? format.date(value) : value}</>;
}

function PartnerSegments({ partnerId }: { partnerId: string }) {
  const { t } = useTranslation();
  const segments = usePartnerSegments(partnerId);
  const all = useSegments({ archived: false });
  const [open, setOpen] = useState<string | null>(null);
  const [checking, setChecking] = useState<string | null>(null);
  if (segments.isPending) return <Skeleton height={60} radius="md" />;
  if (segments.isError) return <ErrorAlert error={segments.error} onRetry={() => void segments.refetch()} />;
  const others = (all.data?.items ?? []).filter((s) => s.kind === 'partner' && !segments.data.some((m) => m.id === s.id));
  return (
    <Stack gap="sm">
      {segments.data.length === 0 ? (
        <EmptyState icon={<IconChartPie size={24} />} title={t('partner.segments.emptyTitle')} text={t('partner.segments.emptyText')} />
      ) : (
        <Stack gap={6}>
          {segments.data.map((segment) => (
            <Paper key={segment.id} withBorder radius="sm" p="xs" data-testid="partner-segment" data-segment={segment.id}>
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Anchor component={Link} to={`/segments/${encodeURIComponent(segment.id)}`} size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                  {segment.name}
                </Anchor>
                <Group gap={4} wrap="nowrap">
                  {segment.method && (
                    <Badge size="xs" variant="light" color="gray" tt="none">
                      {segment.method === 'dynamic' || segment.method === 'periodic' || segment.method === 'manual' ? t(`partner.segments.methods.${segment.method}`) : segment.method}
                    </Badge>
                  )}
                  <Button size="compact-xs" variant={open === segment.id ? 'light' : 'subtle'} onClick={() => setOpen(open === segment.id ? null : segment.id)} data-testid="partner-segment-explain">
                    {open === segment.id ? t('explain.hide') : t('explain.open')}
                  </Button>
                </Group>
              </Group>
              <Collapse expanded={open === segment.id}>
                <Box pt="xs">{open === segment.id && <ExplainView segmentId={segment.id} partnerId={partnerId} />}</Box>
              </Collapse>
            </Paper>
          ))}
        </Stack>
      )}
      {others.length > 0 && (
        <Stack gap={6} mt="xs">
          <Select
            label={t('explain.choose')}
            placeholder={t('explain.choosePlaceholder')}
            data={others.map((s) => ({ value: s.id, label: s.name }))}
            value={checking}
            onChange={setChecking}
            searchable
            clearable
            size="sm"
            data-testid="partner-explain-select"
          />
          {checking && <ExplainView key={checking} segmentId={checking} partnerId={partnerId} />}
        </Stack>
      )}
    </Stack>
  );
}

function PartnerDetails({ partner }: { partner: Partner }) {
  const { t } = useTranslation();
  const format = useFormat();
  const regions = useDirectory('regions');
  const groups = useDirectory('partnerGroups');
  const managers = useDirectory('managers');
  const types = useDirectory('partnerTypes');
  const properties = Object.entries(partner.properties ?? {});

  return (
    <>
      <PageHeader
        above={<BackLink />}
        title={partner.name}
        description={
          <Group gap="xs" component="span" mt={4}>
            <Text span size="sm" c="dimmed" mr={4}>
              {t('partner.code')}: {partner.id}
            </Text>
            <RoleBadges roles={partner.roles} size="sm" />
            {partner.deleted && <DeletedBadge size="sm" />}
          </Group>
        }
      />
      {/* Main and contacts side by side; the segments (with their explanations) get the wide column. */}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Section title={t('partner.sections.main')} testId="partner-main">
            <SimpleGrid cols={{ base: 2, lg: 3 }} spacing="lg" verticalSpacing="md">
              <Field field="legalForm" label={t('partner.fields.legalForm')}>
                {partner.legalForm ? t(`partner.legalForms.${partner.legalForm}`) : null}
              </Field>
              <Field field="type" label={t('partner.fields.type')}>
                {types.nameOf(partner.type)}
              </Field>
              <Field field="group" label={t('partner.fields.group')}>
                {partner.group ? groups.pathOf(partner.group) : null}
              </Field>
              <Field field="region" label={t('partner.fields.region')}>
                {partner.region ? regions.pathOf(partner.region) : null}
              </Field>
              <Field field="manager" label={t('partner.fields.manager')}>
                {managers.nameOf(partner.manager)}
              </Field>
              <Field field="roles" label={t('partner.fields.roles')}>
                {partner.roles.length ? <RoleBadges roles={partner.roles} size="sm" /> : null}
              </Field>
              <Field field="registeredAt" label={t('partner.fields.registeredAt')}>
                {format.date(partner.registeredAt)}
              </Field>
              <Field field="birthDate" label={t('partner.fields.birthDate')}>
                {format.date(partner.birthDate)}
              </Field>
              <Field field="deleted" label={t('partner.fields.deleted')}>
                {partner.deleted ? t('common.yes') : t('common.no')}
              </Field>
            </SimpleGrid>
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Section title={t('partner.sections.contacts')} testId="partner-contacts">
            <SimpleGrid cols={1} spacing="lg" verticalSpacing="md">
              <Field field="email" label={t('partner.fields.email')}>
                {partner.email ? (
                  <Anchor href={`mailto:${partner.email}`} size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {partner.email}
                  </Anchor>
                ) : null}
              </Field>
              <Field field="phone" label={t('partner.fields.phone')}>
                {partner.phone ? (
                  <Anchor href={`tel:${partner.phone.replace(/[^\d+]/g, '')}`} size="sm">
                    {partner.phone}
                  </Anchor>
                ) : null}
              </Field>
            </SimpleGrid>
          </Section>
        </Grid.Col>
        <Grid.Col span={12}>
          <PartnerSalesPanel partnerId={partner.id} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Section title={t('partner.sections.segments')} testId="partner-segments">
            <PartnerSegments partnerId={partner.id} />
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Section title={t('tasks.partnerSection')} testId="partner-tasks">
            <PartnerTasks partnerId={partner.id} />
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Section title={t('partner.sections.properties')} testId="partner-properties">
            {properties.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('partner.properties.none')}
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={280} type="native">
                <Table verticalSpacing={6} withRowBorders>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th w="45%">{t('partner.properties.name')}</Table.Th>
                      <Table.Th>{t('partner.properties.value')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {properties.map(([name, value]) => (
                      <Table.Tr key={name}>
                        <Table.Td c="dimmed">{name}</Table.Td>
                        <Table.Td>
                          <PropertyText value={value} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Section>
        </Grid.Col>
      </Grid>
    </>
  );
}

/** The card of one partner: its fields with readable names, roles, properties and segments. */
export function PartnerCardPage() {
  const { id = '' } = useParams();
  const partner = usePartner(id);
  if (partner.isPending) {
    return (
      <Stack gap="md">
        <Skeleton height={14} width={120} />
        <Skeleton height={32} width="50%" />
        <Skeleton height={220} radius="md" />
      </Stack>
    );
  }
  if (partner.isError) {
    return (
      <Stack gap="md" maw={720}>
        <BackLink />
        <ErrorAlert error={partner.error} onRetry={() => void partner.refetch()} />
      </Stack>
    );
  }
  return <PartnerDetails partner={partner.data} />;
}
