// The client's pages: one route per line (other areas add theirs here). Each page is its own chunk. A menu
// entry without a route here gets the "coming" page; any other URL (a staff page typed by hand included) is
// the client area's not-found.
import { lazy, type ComponentType } from 'react';
import { Navigate, type RouteObject } from 'react-router';
import { CLIENT_DEFAULT_ROUTE, CLIENT_MENU } from './menu';

/** A page's route: its chunk loads when the page is first shown. */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K): Pick<RouteObject, 'element'> {
  const Page = lazy(async (): Promise<{ default: ComponentType }> => ({ default: (await load())[name] }));
  return { element: <Page /> };
}

const PAGES: RouteObject[] = [
  { path: 'dashboard', ...page(() => import('./pages/Dashboard'), 'ClientDashboardPage') },
  { path: 'licenses', ...page(() => import('./pages/Licenses'), 'ClientLicensesPage') },
  { path: 'licenses/:id', ...page(() => import('./pages/License'), 'ClientLicensePage') },
  { path: 'order', ...page(() => import('./pages/Order'), 'OrderPage') },
  { path: 'balance', ...page(() => import('./pages/Balance'), 'BalancePage') },
  { path: 'profile', ...page(() => import('./pages/Profile'), 'ProfilePage') },
  { path: 'support', ...page(() => import('./pages/Support'), 'SupportPage') },
  { path: 'support/:id', ...page(() => import('./pages/SupportTicket'), 'SupportTicketPage') },
];

const coming = CLIENT_MENU.filter((route) => !PAGES.some((p) => p.path === route)).map((route) => ({ path: route, ...page(() => import('./pages/NotFound'), 'ClientComingPage') }));

export const clientRoutes: RouteObject[] = [
  { index: true, element: <Navigate to={`/${CLIENT_DEFAULT_ROUTE}`} replace /> },
  ...PAGES,
  ...coming,
  { path: '*', ...page(() => import('./pages/NotFound'), 'ClientNotFoundPage') },
];
