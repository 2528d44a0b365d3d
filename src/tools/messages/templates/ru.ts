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
      paragraphs: ['Чтобы подтвердить, что {email} — адрес вашей учётной записи, откройте эту ссылку в течение 7 дней:'],
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
    task_created: {
      subject: 'Новая задача: {title}',
      paragraphs: ['Для отдела «{department}» открыта новая задача. Её нужно выполнить до {dueAt}.', 'Задача № {taskId}: {title}'],
      block: '{text}',
      after: ['Возьмите её в работу в разделе «Инструменты → Задачи».'],
    },
    task_overdue: {
      subject: 'Задача просрочена: {title}',
      paragraphs: ['Задачу № {taskId} отдела «{department}» нужно было выполнить до {dueAt}, но она всё ещё не выполнена.', 'Задача № {taskId}: {title}', 'Исполнитель: {performer}'],
      block: '{text}',
    },
    balance_low: {
      subject: 'Низкий баланс у поставщика: «{module}»',
      paragraphs: [
        'Баланс модуля обработки «{module}» у поставщика — {balance}, это меньше минимального баланса {minimalBalance}.',
        'Продление лицензий этого модуля отложено, пока баланс не пополнят. Пополните счёт у поставщика; задача № {taskId} закроется сама, когда проверка покажет, что денег достаточно.',
      ],
    },
    renewal_coming: {
      subject: 'Лицензия {licenseName} будет продлена автоматически',
      paragraphs: [
        'Срок действия вашей лицензии ispmanager {licenseName} для {ip} истекает {expiresOn}, и она будет автоматически продлена ещё на {months} мес.',
        'Продление стоит {amount}, и средств на балансе для него достаточно (доступно {available}). Ничего делать не нужно.',
        'Если продлевать лицензию не нужно, отключите для неё автопродление до этой даты.',
      ],
    },
    renewal_coming_topup: {
      subject: 'Пополните баланс, чтобы продлить лицензию {licenseName}',
      paragraphs: [
        'Срок действия вашей лицензии ispmanager {licenseName} для {ip} истекает {expiresOn}. Для неё включено автопродление ещё на {months} мес.',
        'Продление стоит {amount}, а на балансе доступно только {available}. Пополните баланс хотя бы на {missing}, иначе лицензия не будет продлена.',
      ],
    },
    license_new_key: {
      subject: 'Новый ключ лицензии {licenseName}',
      paragraphs: ['У вашей лицензии ispmanager {licenseName} для {ip} новый ключ; прежний ключ больше не действует.', 'Новый ключ лицензии:'],
      block: '{licenseKey}',
    },
    ticket_new: {
      subject: 'Новый запрос #{ticketId}: {subject}',
      paragraphs: ['{client} открыл запрос #{ticketId} «{subject}» в отделе «{department}». Ответить нужно до {dueAt}.'],
      block: '{body}',
    },
    ticket_reply: {
      subject: 'Ответ клиента в запросе #{ticketId}: {subject}',
      paragraphs: ['{client} ответил в запросе #{ticketId} «{subject}» (отдел «{department}»). Ответить нужно до {dueAt}.'],
      block: '{body}',
    },
    ticket_answered: {
      subject: 'Ответ на ваш запрос #{ticketId}: {subject}',
      paragraphs: ['Служба поддержки ответила на ваш запрос #{ticketId} «{subject}»:'],
      block: '{body}',
      after: ['Ответить или закрыть запрос можно в разделе поддержки.'],
    },
    ticket_overdue: {
      subject: 'Запрос #{ticketId} просрочен: {subject}',
      paragraphs: [
        'На запрос #{ticketId} «{subject}» от {client} в отделе «{department}» не ответили вовремя: ответить нужно было до {dueAt}.',
        'Исполнитель: {performer}.',
      ],
    },
  },
};
