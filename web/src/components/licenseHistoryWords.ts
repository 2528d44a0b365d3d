// The sentences a license's history entries carry (the server writes them in English), said again in the UI's
// language from their parts; no React here, so a unit test reads it (test/web/license-history.test.ts).
export type Words = (key: string, values?: Record<string, string>) => string;
type Rule = [RegExp, (m: RegExpMatchArray, w: Words, x: Tools) => string];
export interface Tools {
  money: (amount: string, currency: string) => string;
  date: (day: string) => string;
  period: (months: number) => string;
  status: (status: string) => string;
  kind: (kind: string) => string;
}

const DAY = '(\\d{4}-\\d{2}-\\d{2})';
const AMOUNT = '(-?\\d+(?:\\.\\d+)?) ([A-Z]{3})';

/** The sentences the server writes (src/licenses/lifecycle, src/tools/operations, src/tools/scheduler), each with its words. */
const RULES: Rule[] = [
  [new RegExp(`^Ordered for ${AMOUNT}$`), (m, w, x) => w('ordered', { amount: x.money(m[1]!, m[2]!) })],
  [new RegExp(`^Renewal for (\\d+) month\\(s\\) from ${DAY}: ${AMOUNT}$`), (m, w, x) => w('renewal', { period: x.period(Number(m[1])), date: x.date(m[2]!), amount: x.money(m[3]!, m[4]!) })],
  [new RegExp(`^Auto-renewal for (\\d+) month\\(s\\) from ${DAY}: ${AMOUNT} charged$`), (m, w, x) => w('autoRenewal', { period: x.period(Number(m[1])), date: x.date(m[2]!), amount: x.money(m[3]!, m[4]!) })],
  [new RegExp(`^Tariff change requested \\(charged ${AMOUNT}\\)$`), (m, w, x) => w('tariffRequested', { amount: x.money(m[1]!, m[2]!) })],
  [/^Suspension requested$/, (_, w) => w('suspendRequested')],
  [/^Resumption requested$/, (_, w) => w('resumeRequested')],
  [/^New license key requested$/, (_, w) => w('newKeyRequested')],
  [/^Deletion requested$/, (_, w) => w('deleteRequested')],
  [
    /^Change requested: (.*)$/s,
    (m, w) =>
      w('changeRequested', {
        what: m[1]!
          .split(', ')
          .map((part) => {
            const ip = /^IP (\S+) → (\S+)$/.exec(part);
            if (ip) return w('changeIp', { from: ip[1]!, to: ip[2]! });
            const name = /^name (.+) → (.+)$/s.exec(part);
            return name ? w('changeName', { from: name[1]!, to: name[2]! }) : part;
          })
          .join(', '),
      }),
  ],
  [new RegExp(`^Expired on ${DAY} without a renewal$`), (m, w, x) => w('expired', { date: x.date(m[1]!) })],
  [/^Expiry corrected from the upstream$/, (_, w) => w('expiryCorrected')],
  [/^Status corrected from the upstream \((\w+) there\)$/, (m, w, x) => w('statusCorrected', { status: x.status(m[1]!) })],
  [/^Deleted upstream$/, (_, w) => w('deletedUpstream')],
  [/^License key corrected from the upstream$/, (_, w) => w('keyCorrected')],
  [/^Upstream license (\S+) issued$/, (m, w) => w('upstreamIssued', { id: m[1]! })],
  [/^Upstream license (\S+) adopted \(found again after a lost answer\)$/, (m, w) => w('upstreamAdopted', { id: m[1]! })],
  [/^Upstream license (\S+) recorded by hand$/, (m, w) => w('upstreamByHand', { id: m[1]! })],
  [/^The upstream was already renewed for this period$/, (_, w) => w('alreadyRenewed')],
  [/^Renewed by hand$/, (_, w) => w('renewedByHand')],
  [/^New license key issued$/, (_, w) => w('newKeyIssued')],
  [/^New license key recorded by hand$/, (_, w) => w('newKeyByHand')],
  [/^Operation "(\w+)" restarted$/, (m, w, x) => w('opRestarted', { kind: x.kind(m[1]!) })],
  [/^Operation "(\w+)" done by hand$/, (m, w, x) => w('opByHand', { kind: x.kind(m[1]!) })],
  [/^Operation "(\w+)" done by hand: (.*)$/s, (m, w, x) => w('opByHandNote', { kind: x.kind(m[1]!), note: m[2]! })],
  [/^Operation "(\w+)" abandoned: (.*)$/s, (m, w, x) => w('opAbandoned', { kind: x.kind(m[1]!), reason: m[2]! })],
  [/^Operation "(\w+)" needs a person: (.*)$/s, (m, w, x) => w('opNeedsPerson', { kind: x.kind(m[1]!), reason: m[2]! })],
  [/^The order was given up: the license is deleted$/, (_, w) => w('givenUp')],
  [/^License (\d+) was deleted before it was delivered$/, (m, w) => w('deletedBeforeDelivery', { id: m[1]! })],
  [/^License (\d+) was deleted before it was delivered: upstream license (\S+) is closed with it$/, (m, w) => w('deletedBeforeDeliveryClosed', { id: m[1]!, upstream: m[2]! })],
  [new RegExp(`^${AMOUNT} refunded: (.*)$`, 's'), (m, w, x) => w('refunded', { amount: x.money(m[1]!, m[2]!), comment: m[3]! })],
  [/^Auto-renewal could not be paid: (.*)\. It is tried again every day until the license expires\.$/s, (m, w) => w('unpaid', { reason: m[1]! })],
  [/^Auto-renewal is not possible: The tariff no longer has a (\d+)-month period; the license cannot be renewed automatically\. It is tried again every day until the license expires\.$/, (m, w) => w('unpriced', { months: m[1]! })],
];

const REFUNDED_TO_CLIENT = new RegExp(`^(.*); ${AMOUNT} refunded to the client$`, 's');

/** One of the server's sentences in the UI's language; as written when its kind is not known here. */
export function messageWords(message: string, w: Words, x: Tools): string {
  const refunded = REFUNDED_TO_CLIENT.exec(message);
  if (refunded) return w('refundedToClient', { text: messageWords(refunded[1]!, w, x), amount: x.money(refunded[2]!, refunded[3]!) });
  for (const [pattern, words] of RULES) {
    const m = pattern.exec(message);
    if (m) return words(m, w, x);
  }
  return message;
}

