// The app: Mantine (components), TanStack Query (server state), react-router (URLs under /billmgr) and
// the login gate. Each page is its own chunk, loaded when first opened.
import { createTheme, Drawer, MantineProvider, Modal, Notification } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { createBrowserRouter, matchRoutes, Navigate, type RouteObject } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { queryClient } from './api/queries';
import i18n from './i18n';
import { MeProvider, useSession } from './auth';
import { Shell } from './components/Shell';
import { Loading, QueryError } from './components/ui';
import { COMING_SOON, DEFAULT_ROUTE, rightOf } from './menu';
import { RightGate } from './components/Rights';

/**
 * The server's CSP allows no inline styles: Mantine's own <style> elements (CSS variables, global classes)
 * are off and come from its static stylesheet instead, and dialogs do not lock the page's scroll (that
 * lock injects a <style> element). Components that write responsive <style> elements (AppShell, Grid,
 * SimpleGrid, responsive style props) are not used.
 */
function useTheme() {
  const { t } = useTranslation();
  return useMemo(() => {
    const closeButtonProps = { 'aria-label': t('common.close') };
    return createTheme({
      // People who asked their system for less motion get dialogs and menus without transitions.
      respectReducedMotion: true,
      components: {
        Modal: Modal.extend({ defaultProps: { lockScroll: false, closeButtonProps } }),
        Drawer: Drawer.extend({ defaultProps: { lockScroll: false, closeButtonProps } }),
        Notification: Notification.extend({ defaultProps: { closeButtonProps } }),
      },
    });
  }, [t]);
}

/** A page's route: its chunk loads when the page is first shown, or earlier through handle.preload. */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  let loading: Promise<Record<K, ComponentType>> | undefined;
  const preload = () => (loading ??= load());
  const Page = lazy(async (): Promise<{ default: ComponentType }> => ({ default: (await preload())[name] }));
  return { element: <Page />, handle: { preload } };
}

/** Pages of a menu area open only with the area's "read" right; otherwise a page says which right is missing. */
function gated(children: RouteObject[]): RouteObject[] {
  return children.map((route) => {
    const area = route.path?.split('/')[0];
    if (!area || area === '*' || !route.element) return route;
    return { ...route, element: <RightGate right={rightOf(area)}>{route.element}</RightGate> };
  });
}

const LoginPage = lazy(async () => ({ default: (await import('./pages/Login')).LoginPage }));
const ClientShell = lazy(async () => ({ default: (await import('./client/ClientShell')).ClientShell }));

function Gate() {
  const { t } = useTranslation();
  const session = useSession();
  if (session.isPending) return <div className="splash">{t('app.loading')}</div>;
  if (session.error) return <QueryError error={session.error} />;
  if (!session.data)
    return (
      <Suspense fallback={<div className="splash">{t('app.loading')}</div>}>
        <LoginPage />
      </Suspense>
    );
  return (
    <MeProvider value={session.data}>
      {session.data.kind === 'client' ? (
        // A client (or an employee logged in as one) gets the client area: its own menu and pages
        // (client/routes.tsx); a staff URL is its not-found there.
        <Suspense fallback={<div className="splash">{t('app.loading')}</div>}>
          <ClientShell />
        </Suspense>
      ) : (
        <Shell />
      )}
    </MeProvider>
  );
}

const BASENAME = import.meta.env.BASE_URL.replace(/\/$/, '');
const routes: RouteObject[] = [
    // Reached from e-mails or the login page, logged in or not.
    { path: '/forgot-password', ...page(() => import('./pages/PasswordReset'), 'ForgotPasswordPage') },
    { path: '/reset-password', ...page(() => import('./pages/PasswordReset'), 'ResetPasswordPage') },
    { path: '/confirm-email', ...page(() => import('./pages/PasswordReset'), 'ConfirmEmailPage') },
    { path: '/register', ...page(() => import('./pages/Register'), 'RegisterPage') },
    {
      path: '/',
      element: <Gate />,
      children: gated([
        { index: true, element: <Navigate to={`/${DEFAULT_ROUTE}`} replace /> },
        { path: 'dashboard', ...page(() => import('./pages/Dashboard'), 'DashboardPage') },
        { path: 'processing-modules', ...page(() => import('./pages/ProcessingModules'), 'ProcessingModulesPage') },
        { path: 'processing-modules/new', ...page(() => import('./pages/ModuleWizard'), 'ModuleWizardPage') },
        { path: 'processing-modules/:id', ...page(() => import('./pages/ProcessingModule'), 'ProcessingModulePage') },
        { path: 'datacenters', ...page(() => import('./pages/Datacenters'), 'DatacentersPage') },
        { path: 'localizations', ...page(() => import('./pages/Localizations'), 'LocalizationsPage') },
        { path: 'notification-templates', ...page(() => import('./pages/NotificationTemplates'), 'NotificationTemplatesPage') },
        { path: 'notification-templates/:event/:locale', ...page(() => import('./pages/NotificationTemplates'), 'NotificationTemplatePage') },
        { path: 'providers', ...page(() => import('./pages/Providers'), 'ProvidersPage') },
        { path: 'business-hours', ...page(() => import('./pages/BusinessHours'), 'BusinessHoursPage') },
        { path: 'licenses', ...page(() => import('./pages/Licenses'), 'LicensesPage') },
        { path: 'licenses/:id', ...page(() => import('./pages/License'), 'LicensePage') },
        { path: 'operations', ...page(() => import('./pages/Operations'), 'OperationsPage') },
        { path: 'operations/:id', ...page(() => import('./pages/Operation'), 'OperationPage') },
        { path: 'tasks', ...page(() => import('./pages/Tasks'), 'TasksPage') },
        { path: 'tickets', ...page(() => import('./pages/Tickets'), 'TicketsPage') },
        { path: 'tickets/:id', ...page(() => import('./pages/Ticket'), 'TicketPage') },
        { path: 'messages', ...page(() => import('./pages/Messages'), 'MessagesPage') },
        { path: 'messages/:id', ...page(() => import('./pages/Messages'), 'MessagePage') },
        { path: 'tariffs', ...page(() => import('./pages/Tariffs'), 'TariffsPage') },
        { path: 'tariffs/:id', ...page(() => import('./pages/Tariff'), 'TariffPage') },
        { path: 'clients', ...page(() => import('./pages/Clients'), 'ClientsPage') },
        { path: 'clients/:id', ...page(() => import('./pages/Client'), 'ClientPage') },
        { path: 'audit', ...page(() => import('./pages/Audit'), 'AuditPage') },
        { path: 'employees', ...page(() => import('./pages/Employees'), 'EmployeesPage') },
        { path: 'departments', ...page(() => import('./pages/Departments'), 'DepartmentsPage') },
        ...COMING_SOON.map((route) => ({ path: route, ...page(() => import('./pages/ComingSoon'), 'ComingSoonPage') })),
        { path: '*', element: <Navigate to={`/${DEFAULT_ROUTE}`} replace /> },
      ]),
    },
];
const router = createBrowserRouter(routes, { basename: BASENAME });

// Names and messages come from the API in the UI's language: read everything again when it changes.
i18n.on('languageChanged', () => void queryClient.invalidateQueries());

// The first page's chunk loads while /auth/me is asked, not after it answered.
for (const match of matchRoutes(routes, window.location, BASENAME) ?? []) (match.route.handle as { preload?: () => unknown } | undefined)?.preload?.();

export function App() {
  const theme = useTheme();
  return (
    <MantineProvider theme={theme} withCssVariables={false} withGlobalClasses={false}>
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <Suspense fallback={<Loading />}>
          <RouterProvider router={router} />
        </Suspense>
      </QueryClientProvider>
    </MantineProvider>
  );
}
