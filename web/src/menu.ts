// BILLmanager's menu, which administrators already know; the route is the last part of the URL and the
// key of its words in the translations (menu.items.<route>).
export interface MenuGroup {
  group: 'overview' | 'integration' | 'provider' | 'settings' | 'products' | 'clients' | 'services' | 'tools';
  routes: string[];
}

export const MENU: MenuGroup[] = [
  { group: 'overview', routes: ['dashboard'] },
  { group: 'integration', routes: ['processing-modules', 'datacenters'] },
  { group: 'provider', routes: ['providers', 'departments', 'business-hours', 'employees'] },
  { group: 'settings', routes: ['localizations', 'notification-templates'] },
  { group: 'products', routes: ['tariffs'] },
  { group: 'clients', routes: ['clients'] },
  { group: 'services', routes: ['licenses'] },
  { group: 'tools', routes: ['operations', 'tasks', 'tickets', 'messages', 'audit'] },
];

/** The landing page after login: the upstream balances and the work waiting for a person. */
export const DEFAULT_ROUTE = 'dashboard';

/** Menu entries that have no page yet. */
export const COMING_SOON: string[] = [];

/** The right a menu entry needs to be shown and opened (its area's "read"); the dashboard needs none. */
export function rightOf(route: string): string | null {
  return route === 'dashboard' ? null : `${route}.read`;
}
