import { Badge, Group, Skeleton, Stack, Title } from '@mantine/core';
import { IconChecklist } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useTasks, type Task } from '../../api/tasks';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { TaskItem } from './TaskItem';

/** Open tasks by their deadline against today (the browser's date, as the manager sees it). */
function groups(tasks: readonly Task[], today: string) {
  return {
    overdue: tasks.filter((task) => task.dueDate < today),
    today: tasks.filter((task) => task.dueDate === today),
    upcoming: tasks.filter((task) => task.dueDate > today),
  };
}

const localToday = (): string => {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
};

/** "My tasks": a manager's home screen — overdue (highlighted), today, upcoming. */
export function MyTasksPage() {
  const { t } = useTranslation();
  const tasks = useTasks({ status: 'open' });
  const grouped = groups(tasks.data?.items ?? [], localToday());
  return (
    <Stack gap="lg">
      <PageHeader title={t('tasks.title')} />
      {tasks.error && <ErrorAlert error={tasks.error} />}
      {tasks.isPending ? (
        <Skeleton h={120} />
      ) : tasks.data && tasks.data.items.length === 0 ? (
        <EmptyState icon={<IconChecklist size={28} />} title={t('tasks.empty')} text={t('tasks.emptyText')} />
      ) : (
        (['overdue', 'today', 'upcoming'] as const).map((group) =>
          grouped[group].length === 0 ? null : (
            <Stack key={group} gap="sm" data-testid={`tasks-${group}`}>
              <Group gap="xs">
                <Title order={4} c={group === 'overdue' ? 'red' : undefined}>
                  {t(`tasks.groups.${group}`)}
                </Title>
                <Badge variant="light" color={group === 'overdue' ? 'red' : 'gray'} tt="none">
                  {grouped[group].length}
                </Badge>
              </Group>
              {grouped[group].map((task) => (
                <TaskItem key={task.id} task={task} overdue={group === 'overdue'} />
              ))}
            </Stack>
          ),
        )
      )}
    </Stack>
  );
}
