import { AppShell, Burger, Group, NavLink, ScrollArea, SegmentedControl, Text, ThemeIcon, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconApi, IconChartDonut3 } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { currentLanguage, LANGUAGES } from '../i18n';
import classes from './Layout.module.css';
import { SECTIONS } from './screens';

function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <Tooltip label={t('language.label')} openDelay={400}>
      <SegmentedControl
        size="xs"
        radius="xl"
        aria-label={t('language.label')}
        value={currentLanguage()}
        onChange={(value) => void i18n.changeLanguage(value)}
        data={LANGUAGES.map((lng) => ({ value: lng, label: t(`language.${lng}`) }))}
        data-testid="language-switch"
      />
    </Tooltip>
  );
}

/** The frame of every screen: header with the language switch, navigation by section. */
export function Layout() {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();

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
          <LanguageSwitch />
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" className={classes.navbar} aria-label="navigation">
        <AppShell.Section grow component={ScrollArea}>
          {SECTIONS.map((section) => {
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
          })}
        </AppShell.Section>
        <AppShell.Section>
          <NavLink href="/api/openapi.json" target="_blank" label={t('app.apiDocs')} leftSection={<IconApi size={18} stroke={1.5} />} className={classes.navLink} c="dimmed" />
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main className={classes.main}>
        <div className={classes.content}>
          <Outlet />
        </div>
      </AppShell.Main>
    </AppShell>
  );
}
