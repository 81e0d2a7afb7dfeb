import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useBlocker } from 'react-router';

/**
 * Warns before unsaved changes are lost (issue 21): leaving for another page of the app asks
 * first, closing or reloading the tab gets the browser's own question. `allowNext()` lets one
 * navigation through (the page's own, after a save).
 */
export function useUnsavedChangesGuard(dirty: boolean) {
  const allowed = useRef(false);
  const blocker = useBlocker(({ currentLocation, nextLocation }) => {
    if (allowed.current) {
      allowed.current = false;
      return false;
    }
    return dirty && currentLocation.pathname !== nextLocation.pathname;
  });
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
  return {
    allowNext: () => {
      allowed.current = true;
    },
    dialog: <UnsavedChangesDialog opened={blocker.state === 'blocked'} onStay={() => blocker.reset?.()} onLeave={() => blocker.proceed?.()} />,
  };
}

function UnsavedChangesDialog({ opened, onStay, onLeave }: { opened: boolean; onStay: () => void; onLeave: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onStay} title={t('unsaved.title')} centered data-testid="unsaved-dialog">
      <Stack gap="md">
        <Text size="sm">{t('unsaved.text')}</Text>
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onStay} data-testid="unsaved-stay">
            {t('unsaved.stay')}
          </Button>
          <Button color="red" onClick={onLeave} data-testid="unsaved-leave">
            {t('unsaved.leave')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Asks before a bulk or irreversible action (removing members, creating many segments). */
export function ConfirmDialog({
  opened,
  title,
  text,
  confirm,
  onConfirm,
  onCancel,
  color = 'red',
  testId = 'confirm',
}: {
  opened: boolean;
  title: string;
  text: string;
  confirm: string;
  onConfirm: () => void;
  onCancel: () => void;
  color?: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onCancel} title={title} centered data-testid={`${testId}-dialog`}>
      <Stack gap="md">
        <Text size="sm">{text}</Text>
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onCancel}>
            {t('unsaved.cancel')}
          </Button>
          <Button color={color} onClick={onConfirm} data-testid={`${testId}-ok`}>
            {confirm}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
