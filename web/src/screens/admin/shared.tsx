import { Badge, MultiSelect, SegmentedControl, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLES, type Role } from '../../api/auth';
import { useDirectory } from '../../api/directories';

export const ROLE_COLORS: Record<Role, string> = { admin: 'grape', analyst: 'blue', manager: 'teal' };

/** A badge shows its whole text (Mantine cuts a long one short in a narrow table cell). */
export const WHOLE_BADGE = { root: { maxWidth: 'none', flexShrink: 0 }, label: { overflow: 'visible' } } as const;

export function RoleBadge({ role }: { role: Role }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={ROLE_COLORS[role]} tt="none" radius="sm" data-role={role} styles={WHOLE_BADGE}>
      {t(`auth.roles.${role}`)}
    </Badge>
  );
}

/** The names of the managers a user or key covers; "all partners" for the roles that see all. */
export function ManagerNames({ role, ids }: { role: Role; ids: readonly string[] }) {
  const { t } = useTranslation();
  const managers = useDirectory('managers');
  if (role !== 'manager')
    return (
      <Text size="sm" c="dimmed">
        {t('admin.noManagers')}
      </Text>
    );
  return <Text size="sm">{ids.map((id) => managers.nameOf(id)).join(', ') || '—'}</Text>;
}

/** Role (with what it allows) and, for a manager, whose partners: the same in the user and the key forms. */
export function RoleFields({
  role,
  managerIds,
  onRole,
  onManagers,
  disabled,
  testId,
}: {
  role: Role;
  managerIds: string[];
  onRole: (role: Role) => void;
  onManagers: (ids: string[]) => void;
  disabled?: boolean;
  testId: string;
}) {
  const { t } = useTranslation();
  const managers = useDirectory('managers');
  // "Choose at least one" once the field was left empty, not on a form just opened.
  const [touched, setTouched] = useState(false);
  return (
    <Stack gap="sm">
      <Stack gap={6}>
        <Text size="sm" fw={500}>
          {t('admin.users.fields.role')}
        </Text>
        <SegmentedControl
          fullWidth
          value={role}
          onChange={(value) => onRole(value)}
          data={ROLES.map((r) => ({ value: r, label: t(`auth.roles.${r}`) }))}
          disabled={disabled}
          data-testid={`${testId}-role`}
        />
        <Text size="xs" c="dimmed">
          {t(`admin.users.roleHints.${role}`)}
        </Text>
      </Stack>
      {role === 'manager' && (
        <MultiSelect
          label={t('admin.users.fields.managers')}
          description={t('admin.managersHint')}
          placeholder={managerIds.length ? undefined : t('admin.managersPlaceholder')}
          data={[...managers.items.map((m) => ({ value: m.id, label: m.name })), ...managerIds.filter((id) => !managers.items.some((m) => m.id === id)).map((id) => ({ value: id, label: id }))]}
          value={managerIds}
          onChange={(ids) => {
            setTouched(true);
            onManagers(ids);
          }}
          onBlur={() => setTouched(true)}
          searchable
          clearable
          error={touched && managerIds.length === 0 ? t('admin.managersRequired') : undefined}
          disabled={disabled}
          comboboxProps={{ withinPortal: true }}
          data-testid={`${testId}-managers`}
        />
      )}
    </Stack>
  );
}
