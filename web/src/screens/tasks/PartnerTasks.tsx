import { Skeleton, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { usePartnerTasks } from '../../api/tasks';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TaskItem } from './TaskItem';

/** The partner card's tasks: open ones first, each closable in one step. */
export function PartnerTasks({ partnerId }: { partnerId: string }) {
  const { t } = useTranslation();
  const tasks = usePartnerTasks(partnerId);
  const today = new Date().toISOString().slice(0, 10);
  if (tasks.error) return <ErrorAlert error={tasks.error} />;
  if (tasks.isPending) return <Skeleton h={60} />;
  if (tasks.data.items.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('tasks.none')}
      </Text>
    );
  return (
    <Stack gap="sm">
      {tasks.data.items.map((task) => (
        <TaskItem key={task.id} task={task} showPartner={false} overdue={task.status === 'open' && task.dueDate < today} />
      ))}
    </Stack>
  );
}
