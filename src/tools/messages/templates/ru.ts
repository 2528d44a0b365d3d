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
    password_reset: {
      subject: 'Сброс пароля',
      paragraphs: [
        'Кто-то (надеемся, вы) попросил сбросить пароль учётной записи {email}. Чтобы задать новый пароль, откройте эту ссылку в течение часа:',
      ],
      block: '{link}',
      after: ['Если это были не вы, просто не обращайте внимания на это письмо: пароль останется прежним.'],
    },
    email_confirmation: {
      subject: 'Подтвердите адрес e-mail',
      paragraphs: ['Спасибо за регистрацию. Чтобы подтвердить, что {email} — ваш адрес, откройте эту ссылку в течение 7 дней:'],
      block: '{link}',
    },
    registration_attempt: {
      subject: 'Кто-то пытался зарегистрироваться с вашим адресом',
      paragraphs: [
        'Кто-то пытался зарегистрировать новую учётную запись с вашим адресом {email}. Он уже принадлежит вашей учётной записи, поэтому ничего не создано.',
        'Если это были вы и вы забыли пароль, сбросьте его здесь:',
      ],
      block: '{link}',
      after: ['Если это были не вы, просто не обращайте внимания на это письмо.'],
    },
    ticket_new: {
      subject: 'Новый тикет #{ticketId}: {subject}',
      paragraphs: ['{client} открыл тикет #{ticketId} «{subject}» в отделе «{department}». Ответить нужно до {dueAt}.'],
      block: '{body}',
    },
    ticket_reply: {
      subject: 'Ответ клиента в тикете #{ticketId}: {subject}',
      paragraphs: ['{client} ответил в тикете #{ticketId} «{subject}» (отдел «{department}»). Ответить нужно до {dueAt}.'],
      block: '{body}',
    },
    ticket_answered: {
      subject: 'Ответ на ваш тикет #{ticketId}: {subject}',
      paragraphs: ['Служба поддержки ответила на ваш тикет #{ticketId} «{subject}»:'],
      block: '{body}',
      after: ['Ответить или закрыть тикет можно в разделе поддержки.'],
    },
    ticket_overdue: {
      subject: 'Тикет #{ticketId} просрочен: {subject}',
      paragraphs: [
        'На тикет #{ticketId} «{subject}» от {client} в отделе «{department}» не ответили вовремя: ответить нужно было до {dueAt}.',
        'Исполнитель: {performer}.',
      ],
    },
  },
};
