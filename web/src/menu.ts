// BILLmanager's menu words, which administrators already know; the route is the last part of the URL.
export interface MenuItem {
  route: string;
  label: string;
}
export interface MenuGroup {
  group: string;
  items: MenuItem[];
}

export const MENU: MenuGroup[] = [
  { group: 'Overview', items: [{ route: 'dashboard', label: 'What needs attention' }] },
  {
    group: 'Integration',
    items: [
      { route: 'processing-modules', label: 'Processing modules' },
      { route: 'datacenters', label: 'Data centers' },
    ],
  },
  {
    group: 'Provider',
    items: [
      { route: 'providers', label: 'Providers' },
      { route: 'departments', label: 'Departments' },
      { route: 'business-hours', label: 'Business hours' },
      { route: 'employees', label: 'Employees' },
    ],
  },
  { group: 'Settings', items: [{ route: 'localizations', label: 'Localizations' }] },
  { group: 'Products', items: [{ route: 'tariffs', label: 'Tariff plans' }] },
  { group: 'Clients', items: [{ route: 'clients', label: 'Clients' }] },
  { group: 'Services', items: [{ route: 'licenses', label: 'Licenses' }] },
  {
    group: 'Tools',
    items: [
      { route: 'operations', label: 'Running operations' },
      { route: 'tasks', label: 'Tasks' },
    ],
  },
];

/** The landing page after login: the upstream balances and the work waiting for a person. */
export const DEFAULT_ROUTE = 'dashboard';

export function findItem(route: string): MenuItem | undefined {
  return MENU.flatMap((g) => g.items).find((i) => i.route === route);
}
