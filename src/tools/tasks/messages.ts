// Titles and texts of tasks, per locale, in the department's task language. A template names its
// parameters in braces ("{licenseName}"); a text line whose parameter is missing is left out, so a
// cause can say as much as it knows. Unknown locales fall back to English.
import type { TaskType } from '../../licenses/model.js';

export interface TaskMessage {
  title: string;
  /** Lines of the text; joined with newlines. */
  text: string[];
}

type Catalog = Record<string, TaskMessage>;

const en: Catalog = {
  setup: {
    title: 'Set up license {licenseName} ({ip})',
    text: [
      'The license could not be bought upstream automatically.',
      'License: #{licenseId} {licenseName}, IP {ip}.',
      'Tariff: {tariff}.',
      'Operation #{operationId} ({operation}) stopped after {attempts} attempt(s).',
      'Last error: {error}',
      'Fix the cause, then restart the operation from this task.',
    ],
  },
  renew: {
    title: 'Renew license {licenseName} ({ip})',
    text: [
      'The client has paid for the renewal, but it could not be applied upstream.',
      'License: #{licenseId} {licenseName}, IP {ip}.',
      'Expires on {expiresOn}.',
      'Operation #{operationId} ({operation}) stopped after {attempts} attempt(s).',
      'Last error: {error}',
      'Fix the cause (often the upstream balance), then restart the operation from this task.',
    ],
  },
  change: {
    title: 'Change license {licenseName} ({ip})',
    text: [
      'A change of the license could not be applied upstream.',
      'License: #{licenseId} {licenseName}, IP {ip}.',
      'Operation #{operationId} ({operation}) stopped after {attempts} attempt(s).',
      'Last error: {error}',
      'Fix the cause, then restart the operation from this task.',
    ],
  },
  suspend: {
    title: 'Suspend license {licenseName} ({ip})',
    text: [
      'The license could not be suspended upstream.',
      'License: #{licenseId} {licenseName}, IP {ip}.',
      'Expired on {expiresOn}.',
      'Operation #{operationId} ({operation}) stopped after {attempts} attempt(s).',
      'Last error: {error}',
    ],
  },
  resume: {
    title: 'Resume license {licenseName} ({ip})',
    text: [
      'The license could not be resumed upstream.',
      'License: #{licenseId} {licenseName}, IP {ip}.',
      'Operation #{operationId} ({operation}) stopped after {attempts} attempt(s).',
      'Last error: {error}',
    ],
  },
  delete: {
    title: 'Delete license {licenseName} ({ip})',
    text: [
      'The license could not be deleted upstream.',
      'License: #{licenseId} {licenseName}, IP {ip}.',
      'Operation #{operationId} ({operation}) stopped after {attempts} attempt(s).',
      'Last error: {error}',
    ],
  },
  low_balance: {
    title: 'Top up the upstream balance of {module}',
    text: [
      'The upstream balance of processing module "{module}" is {balance} {currency}, below its minimal balance of {minimalBalance} {currency}.',
      'Renewals through this module wait until the balance is topped up.',
    ],
  },
  drift: {
    title: 'Upstream and billrelay disagree about license {licenseName}',
    text: ['The license sync found a difference it cannot correct on its own.', 'License: #{licenseId} {licenseName}, IP {ip}.', 'Details: {details}'],
  },
  'drift.orphan': {
    title: 'Upstream license {upstreamId} ({ip}) belongs to no license here',
    text: [
      'Processing module "{module}" holds upstream license {upstreamId} that no billrelay license owns: money may be spent upstream for nothing.',
      'IP {ip}, upstream tariff {upstreamTariff}, status {upstreamStatus}.',
      'License name: {licenseName}.',
      'Expires on {expiresOn}.',
      'Adopt it into a license, or close it upstream.',
    ],
  },
  'drift.missing': {
    title: 'License {licenseName} ({ip}) is missing upstream',
    text: [
      'License #{licenseId} is active here, but processing module "{module}" does not list upstream license {upstreamId}.',
      'IP {ip}, expires on {expiresOn}.',
      'Find out what happened upstream and correct the license.',
    ],
  },
  payment: {
    title: 'Payment {reference} of client {clientName}',
    text: ['Client #{clientId} {clientName}: payment {reference} through {gateway}.'],
  },
  'payment.refunded': {
    title: 'Payment {reference} of {clientName} refunded through {gateway}',
    text: [
      '{gateway} refunded {refunded} {currency} of payment {reference} (client #{clientId} {clientName}); {amount} {currency} was taken from the balance.',
      'The balance is now {balance} {currency}.',
      'Check whether licenses paid with this money should be suspended or the client contacted.',
    ],
  },
  'payment.disputed': {
    title: 'Payment {reference} of {clientName} disputed ({reason})',
    text: [
      'The payer disputed payment {reference} of client #{clientId} {clientName} at {gateway} ({reason}, dispute {disputeId}).',
      '{amount} {currency} was taken from the balance while the dispute lasts; the balance is now {balance} {currency}.',
      'Answer the dispute in the {gateway} dashboard with evidence; if it is won, put the money back with a correction.',
    ],
  },
};

const ru: Catalog = {
  setup: {
    title: 'Подключить лицензию {licenseName} ({ip})',
    text: [
      'Лицензию не удалось купить у вышестоящего поставщика автоматически.',
      'Лицензия: #{licenseId} {licenseName}, IP {ip}.',
      'Тариф: {tariff}.',
      'Операция #{operationId} ({operation}) остановлена, попыток: {attempts}.',
      'Последняя ошибка: {error}',
      'Устраните причину и перезапустите операцию из этой задачи.',
    ],
  },
  renew: {
    title: 'Продлить лицензию {licenseName} ({ip})',
    text: [
      'Клиент оплатил продление, но его не удалось выполнить у вышестоящего поставщика.',
      'Лицензия: #{licenseId} {licenseName}, IP {ip}.',
      'Действует до {expiresOn}.',
      'Операция #{operationId} ({operation}) остановлена, попыток: {attempts}.',
      'Последняя ошибка: {error}',
      'Устраните причину (часто это баланс у поставщика) и перезапустите операцию из этой задачи.',
    ],
  },
  change: {
    title: 'Изменить лицензию {licenseName} ({ip})',
    text: [
      'Изменение лицензии не удалось применить у вышестоящего поставщика.',
      'Лицензия: #{licenseId} {licenseName}, IP {ip}.',
      'Операция #{operationId} ({operation}) остановлена, попыток: {attempts}.',
      'Последняя ошибка: {error}',
      'Устраните причину и перезапустите операцию из этой задачи.',
    ],
  },
  suspend: {
    title: 'Остановить лицензию {licenseName} ({ip})',
    text: [
      'Лицензию не удалось остановить у вышестоящего поставщика.',
      'Лицензия: #{licenseId} {licenseName}, IP {ip}.',
      'Истекла {expiresOn}.',
      'Операция #{operationId} ({operation}) остановлена, попыток: {attempts}.',
      'Последняя ошибка: {error}',
    ],
  },
  resume: {
    title: 'Возобновить лицензию {licenseName} ({ip})',
    text: [
      'Лицензию не удалось возобновить у вышестоящего поставщика.',
      'Лицензия: #{licenseId} {licenseName}, IP {ip}.',
      'Операция #{operationId} ({operation}) остановлена, попыток: {attempts}.',
      'Последняя ошибка: {error}',
    ],
  },
  delete: {
    title: 'Удалить лицензию {licenseName} ({ip})',
    text: [
      'Лицензию не удалось удалить у вышестоящего поставщика.',
      'Лицензия: #{licenseId} {licenseName}, IP {ip}.',
      'Операция #{operationId} ({operation}) остановлена, попыток: {attempts}.',
      'Последняя ошибка: {error}',
    ],
  },
  low_balance: {
    title: 'Пополнить баланс у поставщика для {module}',
    text: [
      'Баланс модуля обработки «{module}» у вышестоящего поставщика — {balance} {currency}, меньше минимального {minimalBalance} {currency}.',
      'Продления через этот модуль ждут, пока баланс не будет пополнен.',
    ],
  },
  drift: {
    title: 'Расхождение с поставщиком по лицензии {licenseName}',
    text: ['Синхронизация нашла расхождение, которое не может исправить сама.', 'Лицензия: #{licenseId} {licenseName}, IP {ip}.', 'Подробности: {details}'],
  },
  'drift.orphan': {
    title: 'Лицензия поставщика {upstreamId} ({ip}) не принадлежит ни одной услуге',
    text: [
      'Модуль обработки «{module}» содержит лицензию поставщика {upstreamId}, которой не владеет ни одна лицензия billrelay: деньги у поставщика могут тратиться впустую.',
      'IP {ip}, тариф у поставщика {upstreamTariff}, статус {upstreamStatus}.',
      'Имя лицензии: {licenseName}.',
      'Действует до {expiresOn}.',
      'Привяжите её к лицензии или удалите у поставщика.',
    ],
  },
  'drift.missing': {
    title: 'Лицензии {licenseName} ({ip}) нет у поставщика',
    text: [
      'Лицензия #{licenseId} активна здесь, но модуль обработки «{module}» не находит лицензию поставщика {upstreamId}.',
      'IP {ip}, действует до {expiresOn}.',
      'Выясните, что произошло у поставщика, и исправьте лицензию.',
    ],
  },
  payment: {
    title: 'Платёж {reference} клиента {clientName}',
    text: ['Клиент #{clientId} {clientName}: платёж {reference} через {gateway}.'],
  },
  'payment.refunded': {
    title: 'Возврат платежа {reference} клиента {clientName} через {gateway}',
    text: [
      '{gateway} вернул {refunded} {currency} по платежу {reference} (клиент #{clientId} {clientName}); с баланса списано {amount} {currency}.',
      'Баланс теперь {balance} {currency}.',
      'Проверьте, не нужно ли приостановить оплаченные этими деньгами лицензии или связаться с клиентом.',
    ],
  },
  'payment.disputed': {
    title: 'Платёж {reference} клиента {clientName} оспорен ({reason})',
    text: [
      'Плательщик оспорил платёж {reference} клиента #{clientId} {clientName} в {gateway} ({reason}, спор {disputeId}).',
      'На время спора с баланса списано {amount} {currency}; баланс теперь {balance} {currency}.',
      'Ответьте на спор в панели {gateway} с доказательствами; если спор выигран, верните деньги корректировкой.',
    ],
  },
};

export const TASK_MESSAGES: Record<string, Catalog> = { en, ru };

/** Lines added to a task's text when automation closes it, per locale and key. */
const CLOSING_NOTES: Record<string, Record<string, string>> = {
  en: {
    'low_balance.recovered': 'The upstream balance recovered to {balance} {currency} (minimal balance {minimalBalance} {currency}): the task was closed automatically and renewals go on.',
  },
  ru: {
    'low_balance.recovered': 'Баланс у поставщика восстановился: {balance} {currency} (минимальный {minimalBalance} {currency}). Задача закрыта автоматически, продления продолжаются.',
  },
};

/** A closing note in the task's locale (English when it has none); null for an unknown key or missing parameters. */
export function renderNote(key: string, locale: string, params: MessageParams): string | null {
  const template = CLOSING_NOTES[locale]?.[key] ?? CLOSING_NOTES[FALLBACK_LOCALE]![key];
  return template === undefined ? null : fill(template, params, '—');
}
export const FALLBACK_LOCALE = 'en';

export type MessageParams = Record<string, string | number | null | undefined>;

/**
 * The catalog entry for a cause: `params.message` when it names one ("drift.orphan"), else
 * `<type>.<params.drift>`, else the type's own entry.
 */
export function messageKeyOf(type: TaskType, params: MessageParams): string {
  const candidates = [typeof params.message === 'string' ? params.message : null, params.drift ? `${type}.${params.drift}` : null, type];
  return candidates.find((key): key is string => key !== null && key in en) ?? type;
}

export function renderTask(type: TaskType, locale: string, params: MessageParams): { title: string; text: string; locale: string } {
  const key = messageKeyOf(type, params);
  const catalog = TASK_MESSAGES[locale]?.[key] ? TASK_MESSAGES[locale] : TASK_MESSAGES[FALLBACK_LOCALE]!;
  const used = TASK_MESSAGES[locale]?.[key] ? locale : FALLBACK_LOCALE;
  const message = catalog[key] ?? en[type]!;
  const title = fill(message.title, params) ?? fill(message.title, params, '—')!;
  const text = message.text.map((line) => fill(line, params)).filter((line): line is string => line !== null);
  return { title: title.slice(0, 500), text: text.join('\n'), locale: used };
}

/** Fills the placeholders; null when one is missing and no stand-in is given. */
function fill(template: string, params: MessageParams, standIn?: string): string | null {
  let missing = false;
  const out = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === null || value === undefined || value === '') {
      missing = true;
      return standIn ?? '';
    }
    return String(value);
  });
  return missing && standIn === undefined ? null : out;
}
