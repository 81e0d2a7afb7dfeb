import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconDeviceFloppy, IconLock, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { usePermissions } from '../../../app/auth-context';
import classes from '../../../components/read-only.module.css';

/** Which form of a list is open, kept in the address: `?open=<id>` or `?new=1`, so links can open a term. */
export function useTermDialog() {
  const [search, setSearch] = useSearchParams();
  const openId = search.get('open');
  const creating = search.get('new') === '1';
  const set = (name: 'open' | 'new', value: string | null) =>
    setSearch(
      (previous) => {
        const next = new URLSearchParams(previous);
        next.delete('open');
        next.delete('new');
        if (value) next.set(name, value);
        return next;
      },
      { replace: false },
    );
  return {
    openId,
    creating,
    open: (id: string) => set('open', id),
    create: () => set('new', '1'),
    close: () => set('open', null),
  };
}

interface TermDialogProps {
  opened: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  onSave: () => void;
  saving: boolean;
  canSave: boolean;
  /** An error the fields do not show themselves. */
  error: unknown;
  /** A saved term can be deleted. */
  onDelete?: () => void;
  deleting?: boolean;
  deleteError?: unknown;
  deleteText?: string;
  testId: string;
}

/**
 * The form of one sales term in a dialog (full screen on a phone): fields, Save, Delete with a
 * confirmation. A role that may not change terms sees the same form read-only, without Save or Delete.
 */
export function TermDialog(props: TermDialogProps) {
  const { opened, onClose, title, children, onSave, saving, canSave, error, onDelete, deleting, deleteError, deleteText, testId } = props;
  const { t } = useTranslation();
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  const [confirming, setConfirming] = useState(false);
  const { editTerms } = usePermissions();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (editTerms && canSave && !saving) onSave();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="lg" fullScreen={phone} centered={!phone} styles={{ title: { fontWeight: 700, fontSize: 'var(--mantine-font-size-lg)' } }}>
      <form onSubmit={submit} data-testid={testId} noValidate>
        <Stack gap="md">
          {editTerms ? (
            children
          ) : (
            <>
              <Alert variant="light" color="gray" icon={<IconLock size={18} />} data-testid="read-only">
                {t('auth.readOnly', { what: t('auth.readOnlyWhat.terms') })}
              </Alert>
              <fieldset disabled className={classes.readOnly}>
                {children}
              </fieldset>
            </>
          )}
          {Boolean(error) && <ErrorAlert error={error} />}
          {Boolean(deleteError) && <ErrorAlert error={deleteError} />}
          {!editTerms ? (
            <Group justify="flex-end" mt="xs">
              <Button variant="default" onClick={onClose}>
                {t('auth.close')}
              </Button>
            </Group>
          ) : confirming && onDelete ? (
            <Stack gap="xs" p="sm" style={{ border: '1px solid var(--mantine-color-red-3)', borderRadius: 'var(--mantine-radius-md)' }}>
              <Text size="sm">{deleteText ?? t('terms.common.deleteText')}</Text>
              <Group justify="flex-end" gap="xs">
                <Button variant="default" onClick={() => setConfirming(false)}>
                  {t('terms.common.cancel')}
                </Button>
                <Button color="red" loading={deleting} onClick={onDelete} data-testid="term-delete-confirm">
                  {t('terms.common.delete')}
                </Button>
              </Group>
            </Stack>
          ) : (
            <Group justify="space-between" gap="xs" mt="xs">
              {onDelete ? (
                <Button variant="subtle" color="red" leftSection={<IconTrash size={16} />} onClick={() => setConfirming(true)} data-testid="term-delete">
                  {t('terms.common.delete')}
                </Button>
              ) : (
                <span />
              )}
              <Group gap="xs">
                <Button variant="default" onClick={onClose}>
                  {t('terms.common.cancel')}
                </Button>
                <Button type="submit" leftSection={<IconDeviceFloppy size={16} />} loading={saving} disabled={!canSave} data-testid="term-save">
                  {t('terms.common.save')}
                </Button>
              </Group>
            </Group>
          )}
        </Stack>
      </form>
    </Modal>
  );
}
