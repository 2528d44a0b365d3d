// The frame around every page: a top bar (menu button on narrow screens, language, user, log out) and
// BILLmanager's menu, which collapses behind the menu button below 768 px so no page scrolls sideways.
import { Badge, Burger, Button, NativeSelect, NavLink, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink as RouterNavLink, Outlet, useLocation } from 'react-router';
import { can, useLogout, useMe } from '../auth';
import { chooseLanguage, LANGUAGES, type Language } from '../i18n';
import { MENU, rightOf } from '../menu';
import { Loading } from './ui';

export function Shell() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const logout = useLogout();
  const [navOpen, nav] = useDisclosure(false);
  const { pathname } = useLocation();

  // Following a link closes the menu on a phone.
  useEffect(() => nav.close(), [pathname]);

  return (
    <div className="shell" data-nav-open={navOpen || undefined}>
      <header className="topbar">
        <Burger
          className="menu-button"
          opened={navOpen}
          onClick={nav.toggle}
          size="sm"
          color="white"
          aria-label={t('shell.toggleMenu')}
          aria-expanded={navOpen}
          aria-controls="main-menu"
        />
        <span className="brand">billrelay</span>
        <span className="spacer" />
        <NativeSelect
          className="language"
          size="xs"
          aria-label={t('shell.language')}
          value={i18n.language}
          data={LANGUAGES.map((l) => ({ value: l.code, label: l.name }))}
          onChange={(e) => chooseLanguage(e.currentTarget.value as Language, me)}
        />
        <span className="user" title={me.email}>
          <span className="user-name">{me.name || me.email}</span>
          {me.isAdmin && (
            <Badge size="xs" variant="white" color="dark" tt="none" className="badge">
              {t('shell.admin')}
            </Badge>
          )}
        </span>
        <Button variant="subtle" color="gray.0" size="compact-sm" onClick={() => logout.mutate()} loading={logout.isPending}>
          {t('shell.logOut')}
        </Button>
      </header>
      <nav className="sidebar" id="main-menu" aria-label={t('shell.mainMenu')}>
        {visibleMenu(me).map((group) => (
          <section key={group.group} aria-labelledby={`menu-${group.group}`}>
            <Text component="h2" id={`menu-${group.group}`} className="menu-group">
              {t(`menu.groups.${group.group}`)}
            </Text>
            <ul>
              {group.routes.map((route) => (
                <li key={route}>
                  <NavLink
                    component={RouterNavLink}
                    to={`/${route}`}
                    label={t(`menu.items.${route}` as never)}
                    active={pathname === `/${route}` || pathname.startsWith(`/${route}/`)}
                    variant="filled"
                    className="menu-link"
                  />
                </li>
              ))}
            </ul>
          </section>
        ))}
      </nav>
      {navOpen && <div className="nav-backdrop" onClick={nav.close} aria-hidden />}
      <main className="content">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}

/** Only what the user may open: entries whose area the user may read, groups with an entry left. */
function visibleMenu(me: Parameters<typeof can>[0]) {
  return MENU.map((group) => ({ ...group, routes: group.routes.filter((route) => {
    const right = rightOf(route);
    return right === null || can(me, right);
  }) })).filter((group) => group.routes.length > 0);
}
