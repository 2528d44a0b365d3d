// The client's menu: what a hosting company's customer does here. The route is the last part of the URL and
// the key of its words (clientArea.menu.<route>). An entry whose page is not in routes.tsx yet shows a
// small "coming" page; staff entries never appear here.
export const CLIENT_MENU = ['dashboard', 'licenses', 'order', 'balance', 'support', 'profile'] as const;
export type ClientRoute = (typeof CLIENT_MENU)[number];

/** The landing page after a client logs in. */
export const CLIENT_DEFAULT_ROUTE: ClientRoute = 'dashboard';
