import { Alert, Badge, Box, Group, Paper, Skeleton, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconCheck, IconInfoCircle, IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useExplanation, type ExplainedGroup, type ExplainedNode, type Explanation, type SegmentKind } from '../../api/segments';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useFormat } from '../../i18n/format';
import type { ConditionJson } from './rule-builder/rule-query';
import { useDescribe } from './describe';
import classes from './segments.module.css';

function Mark({ matched }: { matched: boolean }) {
  return (
    <ThemeIcon size={20} radius="xl" color={matched ? 'teal' : 'red'} variant="light" style={{ flexShrink: 0 }}>
      {matched ? <IconCheck size={13} stroke={2.5} /> : <IconX size={13} stroke={2.5} />}
    </ThemeIcon>
  );
}

function isGroupNode(node: ExplainedNode): node is ExplainedGroup {
  return node.kind === 'all' || node.kind === 'any' || node.kind === 'not';
}

function NodeView({ node, describe, depth }: { node: ExplainedNode; describe: ReturnType<typeof useDescribe>; depth: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (isGroupNode(node)) {
    return (
      <Box className={depth > 0 ? classes.explainGroup : undefined} data-testid="explain-group" data-matched={node.matched}>
        <Group gap={6} mb={6} wrap="nowrap">
          <Mark matched={node.matched} />
          <Text size="sm" fw={600}>
            {t(`explain.groups.${node.kind}`)}
          </Text>
        </Group>
        <Stack gap={6} pl={{ base: 8, sm: 14 }}>
          {node.children.map((child) => (
            <NodeView key={child.path} node={child} describe={describe} depth={depth + 1} />
          ))}
        </Stack>
      </Box>
    );
  }
  const condition = node.condition as ConditionJson;
  const said = describe.condition(condition);
  const attribute = 'attr' in condition ? condition.attr : undefined;
  const actual = node.kind === 'inSegment' ? (node.value ? t('explain.member') : t('explain.notMemberShort')) : describe.valueText(node.value, attribute);
  const counted = node.period
    ? node.period.from
      ? t('rule.period.counted', { from: format.shortDate(node.period.from) ?? node.period.from, to: format.shortDate(node.period.to) ?? node.period.to })
      : t('rule.period.countedTo', { to: format.shortDate(node.period.to) ?? node.period.to })
    : null;
  return (
    <Paper withBorder radius="sm" px="sm" py={8} className={node.matched ? classes.passed : classes.failed} data-testid="explain-condition" data-matched={node.matched}>
      <Group gap={8} wrap="nowrap" align="flex-start">
        <Mark matched={node.matched} />
        <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            <b>{said.subject}</b> {said.operator} {said.value !== null && <b>{said.value}</b>}
          </Text>
          {said.detail && (
            <Text size="xs" c="dimmed">
              {said.detail}
            </Text>
          )}
          <Group gap={6}>
            <Text size="xs" c="dimmed">
              {t('explain.actual')}:
            </Text>
            <Text size="xs" fw={600} data-testid="explain-actual">
              {actual}
            </Text>
            {counted && (
              <Text size="xs" c="dimmed">
                ({counted})
              </Text>
            )}
          </Group>
        </Stack>
        <Badge size="xs" variant="light" tt="none" color={node.matched ? 'teal' : 'red'} style={{ flexShrink: 0 }}>
          {node.matched ? t('explain.passed') : t('explain.failed')}
        </Badge>
      </Group>
    </Paper>
  );
}

function noteOf(explanation: Explanation): 'sql' | 'noRule' | 'staleMember' | 'pendingMember' | 'manualMember' | 'manualCandidate' | null {
  if (explanation.note?.startsWith('custom SQL')) return 'sql';
  if (explanation.ruleMatched === null) return 'noRule';
  // A manual segment's list changes only by hand (or «Заполнить»): no generation adds or removes anyone.
  if (explanation.method === 'manual' && explanation.member !== explanation.ruleMatched) return explanation.member ? 'manualMember' : 'manualCandidate';
  if (explanation.method !== 'dynamic' && explanation.member !== explanation.ruleMatched) return explanation.member ? 'staleMember' : 'pendingMember';
  return null;
}

/** Why a partner is or is not in a segment: membership, then each condition with the partner's actual value. */
export function ExplainView({ segmentId, partnerId, kind = 'partner' }: { segmentId: string; partnerId: string; kind?: SegmentKind }) {
  const { t } = useTranslation();
  const format = useFormat();
  const explanation = useExplanation(segmentId, partnerId);
  const describe = useDescribe(kind);
  if (explanation.isPending) return <Skeleton height={120} radius="md" />;
  if (explanation.isError) return <ErrorAlert error={explanation.error} onRetry={() => void explanation.refetch()} />;
  const data = explanation.data;
  const note = noteOf(data);
  return (
    <Stack gap="sm" data-testid="explanation">
      <Group gap="xs">
        <Badge
          size="lg"
          radius="sm"
          tt="none"
          variant="light"
          color={data.member ? 'teal' : 'gray'}
          leftSection={data.member ? <IconCheck size={14} /> : <IconX size={14} />}
          data-testid="explain-member"
        >
          {data.member ? t('explain.isMember') : t('explain.notMember')}
        </Badge>
        {data.ruleMatched !== null && (
          <Badge size="lg" radius="sm" tt="none" variant="outline" color={data.ruleMatched ? 'teal' : 'red'}>
            {data.ruleMatched ? t('explain.ruleHolds') : t('explain.ruleFails')}
          </Badge>
        )}
        <Text size="xs" c="dimmed">
          {t('explain.asOf', { date: format.date(data.asOf) ?? data.asOf })}
        </Text>
      </Group>
      {note && (
        <Alert variant="light" color="blue" icon={<IconInfoCircle size={18} />} py={8}>
          <Text size="sm">{t(`explain.notes.${note}`)}</Text>
        </Alert>
      )}
      {data.rule && <NodeView node={data.rule} describe={describe} depth={0} />}
    </Stack>
  );
}
