import type { Templates } from './index.js';

export const ru: Templates = {
  greeting: 'Здравствуйте, {name}!',
  greetingNoName: 'Здравствуйте!',
  signature: 'Команда {provider}',
  events: {
    license_active: {
      subject: 'Лицензия {licenseName} активна',
      paragraphs: ['Ваша лицензия ispmanager {licenseName} для {ip} активна до {expiresOn}.', 'Ключ лицензии:'],
      block: '{licenseKey}',
    },
    license_renewed: {
      subject: 'Лицензия {licenseName} продлена',
      paragraphs: ['Ваша лицензия ispmanager {licenseName} для {ip} продлена до {expiresOn}.'],
    },
    license_suspended: {
      subject: 'Лицензия {licenseName} приостановлена',
      paragraphs: ['Ваша лицензия ispmanager {licenseName} для {ip} приостановлена.', 'Продлите её или обратитесь в поддержку, чтобы возобновить.'],
    },
    license_deleted: {
      subject: 'Лицензия {licenseName} удалена',
      paragraphs: ['Ваша лицензия ispmanager {licenseName} для {ip} удалена.'],
    },
    renewal_unpaid: {
      subject: 'Не удалось продлить лицензию {licenseName}',
      paragraphs: [
        'Ваша лицензия ispmanager {licenseName} для {ip} истекает {expiresOn}, и продлить её автоматически не удалось: на балансе недостаточно средств.',
        'Пополните баланс; продление повторяется каждый день до окончания срока лицензии.',
      ],
    },
    payment_booked: {
      subject: 'Платёж на {amount} получен',
      paragraphs: ['Мы получили ваш платёж на {amount}. Баланс теперь {balance}.'],
    },
  },
};
