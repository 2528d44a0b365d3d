// The server's own words in every language it speaks: a message per error code, and the specific
// messages people meet most (validation, not found, conflicts, rights, login, money, operations,
// tasks, module connections). An AppError names a key and its params (errors.ts `appError`); the
// HTTP error handler renders it in the request's language. English is complete by construction (the
// AppError's message is rendered from it); Russian must have every key (the type says so).
// Placeholders are {name}; a param may itself be a message ({ key }) rendered in the same language.
import type { ErrorCode } from '../errors.js';

export type MessageParam = string | number | bigint | MessageRef | readonly MessageParam[];
export interface MessageRef {
  key: string;
  params?: MessageParams;
}
export type MessageParams = Readonly<Record<string, MessageParam>>;

const CODES_EN: Record<ErrorCode, string> = {
  validation: 'A value is not valid',
  bad_request: 'The request is not valid',
  unauthorized: 'Log in or send an API token',
  payment_required: 'Not enough money on the balance',
  forbidden: 'You may not do this',
  not_found: 'It does not exist',
  conflict: 'This conflicts with the current state',
  unprocessable: 'This cannot be done',
  rate_limited: 'Too many requests; try again later',
  internal: 'Internal error',
  password_required: 'Enter the password again',
  currency_mismatch: 'The currencies do not match',
  ip_refused: 'The IP address was refused',
  renewal_unpriced: 'The license cannot be renewed at its period',
  upstream_auth: 'The upstream refused the login',
  upstream_access: 'The upstream denied access',
  upstream_value: 'The upstream rejected a value',
  upstream_insufficient_funds: 'The upstream account balance is too low',
  upstream_not_found: 'The upstream does not know this object',
  upstream_rejected: 'The upstream refused the request',
  upstream_currency_unknown: 'The upstream account currency is unknown',
  upstream_unreachable: 'The upstream cannot be reached',
  upstream_tls: 'The secure connection to the upstream failed',
  upstream_protocol: 'The upstream sent an unexpected answer',
  upstream_timeout: 'The upstream did not answer in time',
};

const CODES_RU: Record<ErrorCode, string> = {
  validation: 'Недопустимое значение',
  bad_request: 'Недопустимый запрос',
  unauthorized: 'Войдите в систему или передайте API-токен',
  payment_required: 'Недостаточно денег на балансе',
  forbidden: 'У вас нет права на это действие',
  not_found: 'Объект не существует',
  conflict: 'Действие противоречит текущему состоянию',
  unprocessable: 'Это действие невозможно выполнить',
  rate_limited: 'Слишком много запросов; повторите позже',
  internal: 'Внутренняя ошибка',
  password_required: 'Введите пароль ещё раз',
  currency_mismatch: 'Валюты не совпадают',
  ip_refused: 'IP-адрес отклонён',
  renewal_unpriced: 'Лицензию нельзя продлить на её период',
  upstream_auth: 'Вышестоящий биллинг отклонил вход',
  upstream_access: 'Вышестоящий биллинг запретил доступ',
  upstream_value: 'Вышестоящий биллинг отклонил значение',
  upstream_insufficient_funds: 'На счёте в вышестоящем биллинге недостаточно денег',
  upstream_not_found: 'Вышестоящий биллинг не знает этот объект',
  upstream_rejected: 'Вышестоящий биллинг отклонил запрос',
  upstream_currency_unknown: 'Валюта счёта в вышестоящем биллинге неизвестна',
  upstream_unreachable: 'Вышестоящий биллинг недоступен: проверьте адрес и сеть',
  upstream_tls: 'Не удалось установить защищённое соединение с вышестоящим биллингом',
  upstream_protocol: 'Вышестоящий биллинг прислал непонятный ответ',
  upstream_timeout: 'Вышестоящий биллинг не ответил вовремя',
};

const EN = {
  // What things are called in "… does not exist".
  'entity.Provider': 'Provider',
  'entity.Employee': 'Employee',
  'entity.Business hours': 'Business hours',
  'entity.Department': 'Department',
  'entity.Client': 'Client',
  'entity.License': 'License',
  'entity.Operation': 'Operation',
  'entity.Task': 'Task',
  'entity.Message': 'Message',
  'entity.Tariff plan': 'Tariff plan',
  'entity.Processing module': 'Processing module',
  'entity.Data center': 'Data center',
  'entity.Localization': 'Localization',
  'entity.API token': 'API token',
  notFound: '{what} {id} does not exist',
  noRoute: 'No route {method} {path}',

  // Rights and logging in.
  'auth.required': 'Log in or send an API token',
  'auth.badToken': 'The API token is not valid',
  'auth.wrongLogin': 'Wrong e-mail or password',
  'auth.tooManyLogins': 'Too many failed logins from this address; try again in 15 minutes',
  'auth.csrf': 'Missing or wrong {header} header (CSRF protection for cookie sessions)',
  'auth.employeesOnly': 'Only employees may do this',
  'auth.adminsOnly': 'Only administrators may do this',
  'auth.currentPasswordNeeded': 'currentPassword: the current password is needed to change your own',
  'auth.currentPasswordWrong': 'currentPassword: the current password is wrong',
  'rights.missing': 'Only administrators may {action} (right {right})',
  'right.client.password': "set a client's password",
  'right.client.impersonate': 'log in as a client',
  'right.client.credit_limit': "change a client's credit limit",
  'right.client.payment': 'record payments by hand',
  'password.tooShort': '{field}: it must have at least {min} characters; choose a longer one, for example a few unrelated words',
  'password.containsEmail': '{field}: it contains the e-mail address; choose a longer one, for example a few unrelated words',
  'password.weak': '{field}: {why}; choose a longer one, for example a few unrelated words',

  // Values and conflicts people meet in forms.
  'value.noNul': '{field}: must not contain NUL characters (U+0000)',
  'value.amountPositive': 'amount: must be greater than zero',
  'value.amountAboveZero': 'The amount must be greater than zero',
  'value.money': '{field}: {reason}',
  'email.employeeTaken': 'An employee with e-mail {email} already exists',
  'email.clientTaken': 'The e-mail {email} is already registered',
  'localization.exists': 'Localization "{code}" already exists',
  'localization.defaultDisabled': 'The default localization "{code}" cannot be disabled; make another one the default first',
  'localization.defaultDeleted': '"{code}" is the default localization and cannot be deleted',
  'employee.notYourself': 'You cannot {what} yourself; ask another administrator',
  'employee.deleteYourself': 'You cannot delete yourself; ask another administrator',
  'employee.lastAdmin': 'The last enabled administrator cannot be {what}d',
  'employee.lastAdminDeleted': 'The last enabled administrator cannot be deleted',
  'inUse.datacenter': 'Data center "{name}" is still used by {uses}',
  'inUse.module': 'Processing module "{name}" is still used by {uses}',
  'inUse.tariff': 'Tariff plan "{name}" is still used by {uses}',
  'hours.timeZone': '"{zone}" is not an IANA time zone such as "Europe/Berlin" or "UTC"',
  'hours.noWorkingDay': 'At least one day of the week must be a working day',

  // Money.
  'money.insufficient': 'Not enough money on the balance: {missing} {currency} is missing (available {available} {currency})',
  'money.currency': 'The amount is in {currency} but the client pays in {clientCurrency}',
  'money.refundLimit': 'At most {amount} {currency} can be refunded for this license',
  'client.disabled': 'The client is disabled',

  // Licenses.
  'license.status': 'The license is {status}; this needs it to be {allowed}',
  'license.statusRenew': 'The license is {status}; this needs it to be active or suspended',
  'license.deleting': 'The license is being deleted',
  'license.deletingOp': 'The license is being deleted (operation {operation})',
  'license.noExpiry': 'The license has no expiry date yet',
  'license.trialRenew': 'A trial license cannot be renewed',
  'license.trialTariff': 'A trial license cannot change its tariff; order a paid license',
  'license.sameTariff': 'tariffId: the license already has this tariff',

  'license.whichClient': 'clientId: say which client the license is for',
  'license.noTariff': 'tariffId: tariff {tariffId} does not exist',
  'license.tariffNotOnSale': 'tariffId: tariff {tariffId} is not on sale for this client',
  'license.periodNotSold': 'period: {period} is not sold for this tariff (available: {offered})',
  'license.trialClient': 'A trial license was already ordered by this client',
  'license.trialIp': 'A trial license was already ordered for {ip}',
  'license.noModuleInDatacenter': 'No processing module serves this tariff in the chosen data center',
  'license.noModule': 'No enabled processing module serves this tariff',
  'license.modulesHeld': 'This tariff cannot be ordered right now: the upstream balance of every processing module that serves it is below its minimal balance (the department has a task to top it up)',
  'ip.notIpv4': 'ip: "{ip}" is not an IPv4 address',
  'ip.notPublic': "ip: {ip} is not a public address; a license needs the server's public IPv4 address",

  // A list of alternatives (an array param is joined with it), and an empty one.
  'list.or': ' or ',
  'list.none': 'none',

  // Operations and tasks.
  'operation.restart': 'Operation {id} is {status}: only a manual or failed operation can be restarted',
  'message.retry': 'Message {id} is {status}: only a failed message can be sent again',
  'operation.abandon': 'Operation {id} is {status}: only a manual operation can be abandoned',
  'operation.complete': 'Operation {id} is {status}: only a manual operation can be completed by hand',
  'operation.byHandNeeds': '{field}: needed to complete a {kind} by hand',
  'operation.byHandNotTaken': '{field}: a {kind} does not take it',
  'operation.renewalExpiry': 'expiresOn: a renewal moves the expiry past {expiresOn}',
  'task.isDone': 'Task {id} is done; reopen it first',
  'task.employeesTake': 'Only employees take tasks',
  'task.notMember': 'employeeId: {name} is not a member of the task\'s department',
  'task.employeeDisabled': 'employeeId: {name} is disabled',
  'task.noOperation': 'Task {id} has no running operation to restart',
  'task.operationManual': 'Task {id} cannot be done while operation #{operation} ({kind}) waits for a person: restart it, record it as done by hand, or abandon it first',
  'task.operationRunning': 'Task {id} cannot be done while operation #{operation} ({kind}) is {state}: it closes this task when it succeeds; if it comes back to a person, restart it, record it as done by hand, or abandon it first',
  'task.state.running': 'running',
  'task.state.waiting': 'waiting to run',

  // Processing modules and their upstream.
  'module.connectionNeeded': 'connection: a billmanager module needs url, username and password',
  'module.manualNoConnection': 'connection: a manual module has no connection settings',
  'module.passwordAgain': 'connection.password: enter the password again: a new URL or username is never sent the stored password',
  'module.manualNoBalance': 'A manual processing module has no upstream balance',
  'module.accountCurrency': 'connection.currency: the upstream account is in {account}, not {chosen}; choose {account} or leave the currency out',
  'upstream.says': '{message} (upstream says: {upstream})',
  'upstream.auth': 'The upstream refused the login: wrong username or password, or two-factor authentication is enabled on this account: disable it or use another account',
  'upstream.access': "The upstream denied access: API access may not be allowed from this server's IP address, or the account lacks the right for this action",
  'upstream.insufficient-funds': 'The upstream account balance is too low for this purchase',
  'upstream.not-found': 'The upstream does not know this object',
  'upstream.value': 'The upstream rejected a value',
  'upstream.valueOf': 'The upstream rejected the value of "{field}"',
} as const;

export type MessageKey = keyof typeof EN;

const RU: Record<MessageKey, string> = {
  'entity.Provider': 'Провайдер',
  'entity.Employee': 'Сотрудник',
  'entity.Business hours': 'Рабочее время',
  'entity.Department': 'Отдел',
  'entity.Client': 'Клиент',
  'entity.License': 'Лицензия',
  'entity.Operation': 'Операция',
  'entity.Task': 'Задача',
  'entity.Message': 'Сообщение',
  'entity.Tariff plan': 'Тарифный план',
  'entity.Processing module': 'Обработчик услуг',
  'entity.Data center': 'Дата-центр',
  'entity.Localization': 'Локализация',
  'entity.API token': 'API-токен',
  notFound: '{what} {id} не существует',
  noRoute: 'Нет маршрута {method} {path}',

  'auth.required': 'Войдите в систему или передайте API-токен',
  'auth.badToken': 'API-токен недействителен',
  'auth.wrongLogin': 'Неверный e-mail или пароль',
  'auth.tooManyLogins': 'Слишком много неудачных входов с этого адреса; повторите через 15 минут',
  'auth.csrf': 'Нет заголовка {header} или он неверен (защита от CSRF для сессий в cookie)',
  'auth.employeesOnly': 'Это могут делать только сотрудники',
  'auth.adminsOnly': 'Это могут делать только администраторы',
  'auth.currentPasswordNeeded': 'Чтобы сменить свой пароль, введите текущий',
  'auth.currentPasswordWrong': 'Текущий пароль неверен',
  'rights.missing': 'Нет права {right}: только администраторы могут {action}',
  'right.client.password': 'задавать пароль клиента',
  'right.client.impersonate': 'входить от имени клиента',
  'right.client.credit_limit': 'менять кредитный лимит клиента',
  'right.client.payment': 'вносить платежи вручную',
  'password.tooShort': 'Пароль должен содержать не меньше {min} символов; выберите более длинный, например несколько не связанных слов',
  'password.containsEmail': 'Пароль содержит адрес e-mail; выберите более длинный, например несколько не связанных слов',
  'password.weak': 'Пароль слишком легко угадать; выберите более длинный, например несколько не связанных слов',

  'value.noNul': 'Значение не должно содержать символы NUL (U+0000)',
  'value.amountPositive': 'Сумма должна быть больше нуля',
  'value.amountAboveZero': 'Сумма должна быть больше нуля',
  'value.money': 'Неверная сумма',
  'email.employeeTaken': 'Сотрудник с e-mail {email} уже существует',
  'email.clientTaken': 'E-mail {email} уже зарегистрирован',
  'localization.exists': 'Локализация «{code}» уже существует',
  'localization.defaultDisabled': 'Локализацию по умолчанию «{code}» нельзя выключить; сначала назначьте по умолчанию другую',
  'localization.defaultDeleted': '«{code}» — локализация по умолчанию, её нельзя удалить',
  'employee.notYourself': 'Нельзя применить это действие к себе; попросите другого администратора',
  'employee.deleteYourself': 'Нельзя удалить себя; попросите другого администратора',
  'employee.lastAdmin': 'Это последний включённый администратор: его нельзя лишить прав или выключить',
  'employee.lastAdminDeleted': 'Последнего включённого администратора нельзя удалить',
  'inUse.datacenter': 'Дата-центр «{name}» ещё используется',
  'inUse.module': 'Обработчик услуг «{name}» ещё используется',
  'inUse.tariff': 'Тарифный план «{name}» ещё используется',
  'hours.timeZone': '«{zone}» не часовой пояс IANA, например «Europe/Moscow» или «UTC»',
  'hours.noWorkingDay': 'Хотя бы один день недели должен быть рабочим',

  'money.insufficient': 'Недостаточно денег на балансе: не хватает {missing} {currency} (доступно {available} {currency})',
  'money.currency': 'Сумма указана в {currency}, а клиент платит в {clientCurrency}',
  'money.refundLimit': 'По этой лицензии можно вернуть не больше {amount} {currency}',
  'client.disabled': 'Клиент выключен',

  'license.status': 'Лицензия в состоянии {status}; нужно состояние {allowed}',
  'license.statusRenew': 'Лицензия в состоянии {status}; нужно состояние active или suspended',
  'license.deleting': 'Лицензия удаляется',
  'license.deletingOp': 'Лицензия удаляется (операция {operation})',
  'license.noExpiry': 'У лицензии ещё нет даты окончания',
  'license.trialRenew': 'Пробную лицензию нельзя продлить',
  'license.trialTariff': 'У пробной лицензии нельзя сменить тариф; закажите платную',
  'license.sameTariff': 'У лицензии уже этот тариф',

  'license.whichClient': 'Укажите, для какого клиента лицензия',
  'license.noTariff': 'Тарифа {tariffId} не существует',
  'license.tariffNotOnSale': 'Тариф {tariffId} не продаётся этому клиенту',
  'license.periodNotSold': 'Период {period} по этому тарифу не продаётся (доступны: {offered})',
  'license.trialClient': 'Этот клиент уже заказывал пробную лицензию',
  'license.trialIp': 'Для {ip} уже заказывали пробную лицензию',
  'license.noModuleInDatacenter': 'В выбранном дата-центре этот тариф не обслуживает ни один обработчик услуг',
  'license.noModule': 'Этот тариф не обслуживает ни один включённый обработчик услуг',
  'license.modulesHeld': 'Этот тариф сейчас нельзя заказать: баланс в вышестоящем биллинге у всех обслуживающих его обработчиков ниже минимального (у отдела есть задача пополнить его)',
  'ip.notIpv4': '«{ip}» не IPv4-адрес',
  'ip.notPublic': '{ip} не публичный адрес; для лицензии нужен публичный IPv4-адрес сервера',

  'list.or': ' или ',
  'list.none': 'нет',

  'operation.restart': 'Операция {id} в состоянии {status}: перезапустить можно только ручную или неудавшуюся операцию',
  'message.retry': 'Сообщение {id} в состоянии {status}: повторно отправить можно только неотправленное сообщение',
  'operation.abandon': 'Операция {id} в состоянии {status}: отказаться можно только от ручной операции',
  'operation.complete': 'Операция {id} в состоянии {status}: вручную можно завершить только ручную операцию',
  'operation.byHandNeeds': 'Нужно, чтобы завершить операцию {kind} вручную',
  'operation.byHandNotTaken': 'Операция {kind} не принимает это поле',
  'operation.renewalExpiry': 'Продление переносит окончание позже {expiresOn}',
  'task.isDone': 'Задача {id} выполнена; сначала откройте её снова',
  'task.employeesTake': 'Брать задачи могут только сотрудники',
  'task.notMember': '{name} не состоит в отделе задачи',
  'task.employeeDisabled': '{name} выключен',
  'task.noOperation': 'У задачи {id} нет незавершённой операции для перезапуска',
  'task.operationManual': 'Задачу {id} нельзя закрыть, пока операция #{operation} ({kind}) ждёт человека: перезапустите её, отметьте как выполненную вручную или откажитесь от неё',
  'task.operationRunning': 'Задачу {id} нельзя закрыть, пока операция #{operation} ({kind}) {state}: она закроет задачу, когда завершится успешно; если она снова перейдёт к человеку, перезапустите её, отметьте как выполненную вручную или откажитесь от неё',
  'task.state.running': 'выполняется',
  'task.state.waiting': 'ждёт запуска',

  'module.connectionNeeded': 'Для модуля BILLmanager нужны адрес, имя пользователя и пароль',
  'module.manualNoConnection': 'У ручного модуля нет настроек подключения',
  'module.passwordAgain': 'Введите пароль ещё раз: сохранённый пароль не отправляется на новый адрес или другому пользователю',
  'module.manualNoBalance': 'У ручного обработчика нет баланса в вышестоящем биллинге',
  'module.accountCurrency': 'Счёт в вышестоящем биллинге ведётся в {account}, а не в {chosen}; выберите {account} или не указывайте валюту',
  'upstream.says': '{message} (ответ вышестоящего биллинга: {upstream})',
  'upstream.auth': 'Вышестоящий биллинг отклонил вход: неверное имя пользователя или пароль, или на этой учётной записи включена двухфакторная аутентификация: выключите её или используйте другую учётную запись',
  'upstream.access': 'Вышестоящий биллинг запретил доступ: возможно, доступ к API с IP-адреса этого сервера не разрешён или у учётной записи нет права на это действие',
  'upstream.insufficient-funds': 'На счёте в вышестоящем биллинге недостаточно денег для этой покупки',
  'upstream.not-found': 'Вышестоящий биллинг не знает этот объект',
  'upstream.value': 'Вышестоящий биллинг отклонил значение',
  'upstream.valueOf': 'Вышестоящий биллинг отклонил значение поля «{field}»',
};

const MESSAGES: Record<string, Record<string, string>> = { en: EN, ru: RU };
const CODES: Record<string, Record<ErrorCode, string>> = { en: CODES_EN, ru: CODES_RU };

/** The languages the server speaks; another enabled localization gets English. */
export const SERVER_LOCALES: readonly string[] = Object.keys(MESSAGES);

export function serverLocale(locale: string | undefined): string {
  return locale && MESSAGES[locale] ? locale : 'en';
}

/** The message for an error code in a language the server speaks. */
export function codeMessage(locale: string, code: ErrorCode): string {
  return CODES[serverLocale(locale)]![code];
}

/** The message in the language, or undefined when it (or one of its params' messages) has no text there. */
export function translate(locale: string, key: string, params: MessageParams = {}): string | undefined {
  const template = MESSAGES[serverLocale(locale)]![key];
  if (template === undefined) return undefined;
  let missing = false;
  const text = template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    const rendered = renderParam(locale, value);
    if (rendered === undefined) missing = true;
    return rendered ?? '';
  });
  return missing ? undefined : text;
}

function renderParam(locale: string, value: MessageParam): string | undefined {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'key' in value) {
    return translate(locale, (value as MessageRef).key, (value as MessageRef).params);
  }
  if (Array.isArray(value)) {
    const parts = value.map((v) => renderParam(locale, v));
    return parts.includes(undefined) ? undefined : parts.join(MESSAGES[serverLocale(locale)]!['list.or']);
  }
  return String(value);
}

/** English, which every key has: what an AppError's own message says. */
export function english(key: MessageKey, params: MessageParams = {}): string {
  return translate('en', key, params)!;
}

/** Every key and its template per language: for the test that keeps the languages in step. */
export function catalogTemplates(): Record<string, Record<string, string>> {
  return MESSAGES;
}
