import { Anchor, Badge, Button, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCloseTask, type Task } from '../../api/tasks';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useFormat } from '../../i18n/format';

const STATUS_COLORS: Record<Task['status'], string> = { open: 'blue', done: 'teal', cancelled: 'gray' };

export function TaskStatusBadge({ task }: { task: Task }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={STATUS_COLORS[task.status]} tt="none" data-testid="task-status" data-status={task.status}>
      {t(`tasks.status.${task.status}`)}
    </Badge>
  );
}

/** One task: its partner, deadline and text; an open one closes with a result in one step. */
export function TaskItem({ task, overdue = false, showPartner = true }: { task: Task; overdue?: boolean; showPartner?: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const close = useCloseTask();
  const [result, setResult] = useState('');
  return (
    <Paper
      withBorder
      radius="md"
      p="md"
      data-testid="task"
      data-task-id={task.id}
      data-overdue={overdue ? 'true' : 'false'}
      style={overdue ? { borderColor: 'var(--mantine-color-red-5)', background: 'var(--mantine-color-red-0)' } : undefined}
    >
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Text fw={600} data-testid="task-title">
            {task.title}
          </Text>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" c={overdue ? 'red' : 'dimmed'} fw={overdue ? 600 : 400} data-testid="task-due">
              {t('tasks.due', { date: format.date(task.dueDate) })}
            </Text>
            <TaskStatusBadge task={task} />
          </Group>
        </Group>
        {showPartner && (
          <Anchor component={Link} to={`/partners/${encodeURIComponent(task.partner.id)}`} size="sm">
            {task.partner.name ?? task.partner.id}
          </Anchor>
        )}
        {task.description && (
          <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }}>
            {task.description}
          </Text>
        )}
        {task.status === 'open' ? (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              close.mutate({ id: task.id, status: 'done', result: result.trim() });
            }}
          >
            <Group gap="xs" align="flex-end">
              <TextInput
                style={{ flex: 1 }}
                size="sm"
                placeholder={t('tasks.resultPlaceholder')}
                aria-label={t('tasks.result')}
                value={result}
                onChange={(event) => setResult(event.currentTarget.value)}
                data-testid="task-result"
              />
              <Button type="submit" size="sm" leftSection={<IconCheck size={16} />} loading={close.isPending} data-testid="task-close">
                {t('tasks.close')}
              </Button>
            </Group>
            {close.error && <ErrorAlert error={close.error} />}
          </form>
        ) : (
          task.result && (
            <Text size="sm" data-testid="task-result-text">
              {t('tasks.resultShown', { result: task.result })}
            </Text>
          )
        )}
      </Stack>
    </Paper>
  );
}
