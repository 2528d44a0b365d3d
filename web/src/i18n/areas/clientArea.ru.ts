// Слова личного кабинета клиента (те же ключи, что в clientArea.en.ts).
export const clientAreaRu = {
  menuLabel: 'Меню клиента',
  menu: {
    dashboard: 'Обзор',
    licenses: 'Мои лицензии',
    order: 'Заказать лицензию',
    balance: 'Баланс',
    support: 'Поддержка',
    profile: 'Профиль',
  },
  coming: '{{title}}: скоро.',
  notFound: {
    title: 'Страница не найдена',
    text: 'В вашем личном кабинете нет такой страницы.',
    home: 'На обзор',
  },
};
