// The client area's words in English (clientArea.ru.ts has the same keys): what a hosting company's customer
// sees at /billmgr.
export const clientAreaEn = {
  menuLabel: 'Client menu',
  menu: {
    dashboard: 'Overview',
    licenses: 'My licenses',
    order: 'Order a license',
    balance: 'Balance',
    support: 'Support',
    profile: 'Profile',
  },
  coming: '{{title}}: coming soon.',
  notFound: {
    title: 'Page not found',
    text: 'There is no such page in your client area.',
    home: 'To the overview',
  },
};
