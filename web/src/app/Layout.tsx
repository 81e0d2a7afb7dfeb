import { AppShell, Burger, Group, NavLink, ScrollArea, Text, ThemeIcon } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconApi, IconChartDonut3 } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { useAdvancedMode } from './advanced-mode';
import { usePermissions } from './auth-context';
import classes from './Layout.module.css';
import { SECTIONS, type Section } from './screens';
import { UserMenu } from './UserMenu';

/** The frame of every screen: header with the language switch and the user, navigation by section (what the role may open). */
export function Layout() {
  const { t } = useTranslation();
  const [advanced] = useAdvancedMode();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const permissions = usePermissions();
  const visible = SECTIONS.filter((section) => permissions.reaches(section.access ?? 'manager'));
  const work = visible.filter((section) => section.access !== 'admin');
  const administration = visible.filter((section) => section.access === 'admin');

  const link = (section: Section) => {
    const href = `/${section.path}`;
    const active = location.pathname === href || location.pathname.startsWith(`${href}/`);
    return (
      <NavLink
        key={section.path}
        component={Link}
        to={href}
        label={t(`nav.${section.navKey}`)}
        leftSection={<section.icon size={19} stroke={1.6} />}
        active={active}
        onClick={close}
        className={classes.navLink}
        data-nav={section.path}
      />
    );
  };

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 232, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding={{ base: 'sm', sm: 'lg' }} className={classes.shell}>
      <AppShell.Header className={classes.header}>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('app.toggleNavigation')} />
            <Link to="/" className={classes.brand}>
              <ThemeIcon size={30} radius="md" variant="gradient" gradient={{ from: 'blue.6', to: 'cyan.5', deg: 135 }}>
                <IconChartDonut3 size={19} />
              </ThemeIcon>
              <Text fw={700} size="lg" c="dark.7">
                {t('app.name')}
              </Text>
              <Text size="sm" c="dimmed" visibleFrom="md">
                {t('app.tagline')}
              </Text>
            </Link>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LanguageSwitch />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" className={classes.navbar} aria-label="navigation">
        <AppShell.Section grow component={ScrollArea}>
          {work.map(link)}
          {administration.length > 0 && (
            <>
              <Text size="xs" fw={600} c="dimmed" tt="uppercase" px="sm" pt="md" pb={6} className={classes.navHeading}>
                {t('nav.administration')}
              </Text>
              {administration.map(link)}
            </>
          )}
        </AppShell.Section>
        {advanced && (
          <AppShell.Section>
            <NavLink href="/api/openapi.json" target="_blank" label={t('app.apiDocs')} leftSection={<IconApi size={18} stroke={1.5} />} className={classes.navLink} c="dimmed" data-testid="api-link" />
          </AppShell.Section>
        )}
      </AppShell.Navbar>

      <AppShell.Main className={classes.main}>
        <div className={classes.content}>
          <Outlet />
        </div>
      </AppShell.Main>
    </AppShell>
  );
}
