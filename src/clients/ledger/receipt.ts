// A payment's receipt: a small printable HTML document (no scripts, no styles, no images, so it opens
// and prints anywhere, and the strict CSP has nothing to refuse), in the client's language.
import { escapeHtml } from '../../tools/messages/templates/index.js';
import { Money } from '../../platform/money.js';

export interface ReceiptFacts {
  entryId: number;
  reference: string;
  method: string | null;
  amountMinor: bigint;
  currency: string;
  balanceAfterMinor: bigint;
  createdAt: string;
  client: { id: number; name: string; email: string; language: string };
  provider: { name: string; websiteUrl: string | null; supportEmail: string | null };
}

const WORDS = {
  en: {
    title: 'Payment receipt No. {number}',
    seller: 'Received by',
    payer: 'Paid by',
    date: 'Date (UTC)',
    amount: 'Amount',
    method: 'Method',
    reference: 'Payment reference',
    balanceAfter: 'Balance after the payment',
    clientNo: 'client No. {id}',
    footer: 'The amount was credited to the client balance.',
  },
  ru: {
    title: 'Квитанция об оплате № {number}',
    seller: 'Получатель',
    payer: 'Плательщик',
    date: 'Дата (UTC)',
    amount: 'Сумма',
    method: 'Способ',
    reference: 'Номер платежа',
    balanceAfter: 'Баланс после платежа',
    clientNo: 'клиент № {id}',
    footer: 'Сумма зачислена на баланс клиента.',
  },
} as const;

/** The receipt's number: stable, one per payment. */
export const receiptNumber = (entryId: number) => `R-${String(entryId).padStart(6, '0')}`;

/** The payment's own reference without our prefix ("gateway:manual:P7-AB12" → "P7-AB12"). */
function shownReference(reference: string): string {
  return reference.replace(/^(gateway:[^:]+:|payment:)/, '');
}

export function renderReceipt(f: ReceiptFacts): string {
  const lang = f.client.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';
  const w = WORDS[lang];
  const number = receiptNumber(f.entryId);
  const title = w.title.replace('{number}', number);
  const money = (minor: bigint) => `${Money.of(minor, f.currency).toString()} ${f.currency}`;
  const rows: Array<[string, string]> = [
    [w.seller, [f.provider.name, f.provider.websiteUrl, f.provider.supportEmail].filter(Boolean).join(', ')],
    [w.payer, `${f.client.name} <${f.client.email}>, ${w.clientNo.replace('{id}', String(f.client.id))}`],
    [w.date, f.createdAt.replace('T', ' ').slice(0, 19)],
    [w.amount, money(f.amountMinor)],
    [w.method, f.method ?? '—'],
    [w.reference, shownReference(f.reference)],
    [w.balanceAfter, money(f.balanceAfterMinor)],
  ];
  return [
    '<!doctype html>',
    `<html lang="${lang}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    '<table>',
    ...rows.map(([k, v]) => `<tr><th scope="row" align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    `<p>${escapeHtml(w.footer)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
}
