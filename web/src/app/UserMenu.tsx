import { Avatar, Group, Menu, Stack, Switch, Text, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconKey, IconLogout } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDirectory } from '../api/directories';
import { useAdvancedMode } from './advanced-mode';
import { useAuth } from './auth-context';
import classes from './Layout.module.css';

const ROLE_COLORS = { admin: 'grape', analyst: 'blue', manager: 'teal' } as const;

/** Two letters of a login for the avatar: "e.smirnova" → "ES", "admin" → "AD". */
function initials(name: string): string {
  const parts = name.split(/[\s._@-]+/).filter(Boolean);
  const letters = parts.length > 1 ? `${parts[0]![0]}${parts[1]![0]}` : name.slice(0, 2);
  return letters.toUpperCase();
}

/** Who is signed in and with which role, in the header; the menu tells the managers covered and signs out. */
export function UserMenu() {
  const { t } = useTranslation();
  const { me, signOut } = useAuth();
  const managers = useDirectory('managers');
  const [leaving, setLeaving] = useState(false);
  const [advanced, setAdvanced] = useAdvancedMode();
  const role = t(`auth.roles.${me.role}`);
  const color = ROLE_COLORS[me.role];

  return (
    <Menu position="bottom-end" width={260} withinPortal shadow="md">
      <Menu.Target>
        <UnstyledButton className={classes.user} aria-label={`${t('auth.user.menu')}: ${me.name}, ${role}`} data-testid="user-menu">
          <Group gap={8} wrap="nowrap">
            <Avatar size={32} radius="xl" color={color} variant="light">
              {me.kind === 'key' ? <IconKey size={16} /> : initials(me.name)}
            </Avatar>
            <Stack gap={0} visibleFrom="sm" className={classes.userText}>
              <Text size="sm" fw={600} lh={1.2} truncate data-testid="user-login">
                {me.name}
              </Text>
              <Text size="xs" c="dimmed" lh={1.2} data-testid="user-role" data-role={me.role}>
                {role}
              </Text>
            </Stack>
            <IconChevronDown size={14} stroke={1.8} color="var(--mantine-color-gray-6)" />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{me.kind === 'key' ? t('auth.user.key') : t('auth.user.signedInAs')}</Menu.Label>
        <Stack gap={2} px="sm" pb="xs">
          <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
            {me.name}
          </Text>
          <Text size="xs" c={color} fw={600}>
            {role}
          </Text>
          {me.role === 'manager' && (
            <Text size="xs" c="dimmed">
              {t('auth.user.managers', { names: me.managerIds.map((id) => managers.nameOf(id)).join(', ') || '—' })}
            </Text>
          )}
        </Stack>
        <Menu.Divider />
        <Stack gap={2} px="sm" py={6}>
          <Switch size="sm" label={t('manager.advanced.label')} checked={advanced} onChange={(e) => setAdvanced(e.currentTarget.checked)} data-testid="advanced-mode" />
          <Text size="xs" c="dimmed">
            {t('manager.advanced.hint')}
          </Text>
        </Stack>
        {me.kind === 'user' && (
          <>
            <Menu.Divider />
            <Menu.Item
              leftSection={<IconLogout size={16} />}
              disabled={leaving}
              onClick={() => {
                setLeaving(true);
                void signOut().finally(() => setLeaving(false));
              }}
              data-testid="logout"
            >
              {t('auth.user.logout')}
            </Menu.Item>
          </>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
