import { Badge, Group } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { PartnerRole } from '../../api/partners';

const ROLE_COLORS: Record<PartnerRole, string> = {
  customer: 'blue',
  supplier: 'teal',
  competitor: 'orange',
  other: 'gray',
};

/** Badges keep their whole word in narrow table cells instead of an ellipsis. */
const BADGE_STYLES = { root: { flexShrink: 0, overflow: 'visible' }, label: { overflow: 'visible' } } as const;

export function RoleBadges({ roles, size = 'sm' }: { roles: readonly PartnerRole[]; size?: 'xs' | 'sm' | 'md' }) {
  const { t } = useTranslation();
  if (roles.length === 0) return null;
  return (
    <Group gap={4} wrap="wrap">
      {roles.map((role) => (
        <Badge key={role} size={size} variant="light" color={ROLE_COLORS[role]} radius="sm" tt="none" fw={600} styles={BADGE_STYLES}>
          {t(`partner.roles.${role}`)}
        </Badge>
      ))}
    </Group>
  );
}

export function DeletedBadge({ size = 'sm' }: { size?: 'xs' | 'sm' | 'md' }) {
  const { t } = useTranslation();
  return (
    <Badge size={size} variant="light" color="red" radius="sm" tt="none" fw={600} styles={BADGE_STYLES} leftSection={<IconTrash size={12} />}>
      {t('partner.deletedBadge')}
    </Badge>
  );
}
