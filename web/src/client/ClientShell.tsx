// The frame around a client's pages: a top bar (menu button on narrow screens, the brand, language, who is
// logged in, log out), the client's menu (never a staff entry), and for an employee who used "log in as
// client" a banner saying so with the way back to the staff panel at the client's page. The pages are
// clientRoutes: anything else is the client area's not-found.
import { Alert, Burger, Button, Group, NativeSelect, NavLink, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink as RouterNavLink, useLocation, useNavigate, useRoutes } from 'react-router';
import { client, setCsrf, unwrap } from '../api/client';
import { keys } from '../api/queries';
import { IMPERSONATED_KEY, useLogout, useMe } from '../auth';
import { Loading } from '../components/ui';
import { useDescribeError } from '../errors';
import { chooseLanguage, LANGUAGES, type Language } from '../i18n';
import { CLIENT_MENU } from './menu';
import { clientRoutes } from './routes';

export function ClientShell() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const logout = useLogout();
  const [navOpen, nav] = useDisclosure(false);
  const { pathname } = useLocation();
  const pages = useRoutes(clientRoutes);

  // Following a link closes the menu on a phone.
  useEffect(() => nav.close(), [pathname]);

  return (
    <div className="shell client-shell" data-nav-open={navOpen || undefined}>
      <header className="topbar">
        <Burger
          className="menu-button"
          opened={navOpen}
          onClick={nav.toggle}
          size="sm"
          color="white"
          aria-label={t('shell.toggleMenu')}
          aria-expanded={navOpen}
          aria-controls="client-menu"
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
        </span>
        <Button variant="subtle" color="gray.0" size="compact-sm" onClick={() => logout.mutate()} loading={logout.isPending}>
          {t('shell.logOut')}
        </Button>
      </header>
      <nav className="sidebar" id="client-menu" aria-label={t('clientArea.menuLabel')}>
        <ul>
          {CLIENT_MENU.map((route) => (
            <li key={route}>
              <NavLink
                component={RouterNavLink}
                to={`/${route}`}
                label={t(`clientArea.menu.${route}`)}
                active={pathname === `/${route}` || pathname.startsWith(`/${route}/`)}
                variant="filled"
                className="menu-link"
              />
            </li>
          ))}
        </ul>
      </nav>
      {navOpen && <div className="nav-backdrop" onClick={nav.close} aria-hidden />}
      <main className="content">
        {me.impersonatedBy !== null && <ImpersonationBanner />}
        <Suspense fallback={<Loading />}>{pages}</Suspense>
      </main>
    </div>
  );
}

/** An employee logged in as this client: who they see, and the way back to the client's page in the staff panel. */
function ImpersonationBanner() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const describe = useDescribeError();
  const queryClient = useQueryClient();
  const back = useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/auth/impersonation/end')),
    onSuccess: async (answer) => {
      setCsrf(answer.csrfToken);
      const clientId = sessionStorage.getItem(IMPERSONATED_KEY) ?? String(me.id);
      sessionStorage.removeItem(IMPERSONATED_KEY);
      // To the client's page first, then the staff shell: it opens there, not at whatever the URL was.
      await navigate(`/clients/${clientId}`);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
      queryClient.setQueryData(keys.me, answer.user);
    },
  });
  return (
    <Alert color="orange" variant="light" role="status" title={t('clients.area.impersonatingTitle')} className="impersonation">
      <Stack gap="xs">
        <Text size="sm">{t('clients.area.impersonating', { name: me.name, email: me.email })}</Text>
        <Group>
          <Button size="sm" onClick={() => back.mutate()} loading={back.isPending}>
            {t('clients.area.back')}
          </Button>
        </Group>
        {back.error && (
          <Text size="sm" c="red.9" role="alert">
            {describe(back.error, { withCode: true })}
          </Text>
        )}
      </Stack>
    </Alert>
  );
}
