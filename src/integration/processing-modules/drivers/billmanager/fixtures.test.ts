// The recorded-style bodies in test/fixtures/billmanager are the protocol page's shapes (and each
// inferred alternative); every one must read the way the page says.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  UpstreamAccessError,
  UpstreamAuthError,
  UpstreamInsufficientFunds,
  UpstreamNotFound,
  UpstreamRejectedError,
  UpstreamValueError,
} from '../driver.js';
import {
  errorFromDoc,
  parseBody,
  parseLicense,
  parseListPage,
  parseNewExpiry,
  parseOrderId,
  parsePriceList,
  parseWhoami,
  priceListCurrency,
  text,
  type ParseContext,
} from './parse.js';
import { makeScrubber } from './scrub.js';

const FIXTURES = new URL('../../../../../test/fixtures/billmanager/', import.meta.url);
const ctx: ParseContext = { func: 'test', scrub: makeScrubber('fixture-secret'), mayHaveTakenEffect: false };

function fixture(name: string) {
  const body = readFileSync(new URL(name, FIXTURES), 'utf8');
  return { body, doc: parseBody(body, ctx) };
}

describe('whoami', () => {
  test('reads the account, balance and currency attributes', () => {
    const { doc, body } = fixture('whoami.json');
    expect(parseWhoami(doc, ctx, body)).toEqual({ account: 'partner@example.com', balance: '1250.40', currency: 'EUR' });
  });

  test('has no currency when the account does not state one', () => {
    const { doc, body } = fixture('whoami-no-currency.json');
    expect(parseWhoami(doc, ctx, body)).toEqual({ account: 'partner@example.com', balance: '87.5', currency: null });
  });
});

describe('pricelist.export', () => {
  test('reads tariffs, monthly and yearly periods (either spelling) and a single-object trial period', () => {
    const { doc, body } = fixture('pricelist-export.json');
    expect(priceListCurrency(doc)).toBeNull();
    const tariffs = parsePriceList(doc, 'EUR', ctx, body);
    expect(tariffs.map((t) => [t.id, t.name, t.itemtype, t.currency])).toEqual([
      ['55227', 'ispmanager 6 lite', 'soft', 'EUR'],
      ['55228', 'ispmanager 6 pro', 'soft', 'EUR'],
      ['55239', 'ispmanager 6 lite trial', 'soft', 'EUR'],
    ]);
    const periods = tariffs.map((t) => t.periods.map((p) => [p.months, p.cost.toString()]));
    expect(periods).toEqual([
      [[1, '6.00'], [12, '60.00']],
      [[1, '12.00'], [12, '120.00']],
      [[-100, '0.00']],
    ]);
  });

  test('reads a single-object price list and the currency stated on its costs, rounding extra decimals', () => {
    const { doc, body } = fixture('pricelist-export-single.json');
    expect(priceListCurrency(doc)).toBe('RUB');
    const [tariff] = parsePriceList(doc, 'EUR', ctx, body);
    expect(tariff?.currency).toBe('RUB');
    expect(tariff?.periods.map((p) => [p.months, p.cost.toString(), p.cost.currency])).toEqual([
      [1, '1990.00', 'RUB'],
      [12, '19900.01', 'RUB'],
    ]);
  });
});

describe('orders, renewals, keys', () => {
  test('the new license id comes in doc.id.$ or doc.item.$id', () => {
    expect(parseOrderId(fixture('order-id.json').doc)).toBe('3101234');
    expect(parseOrderId(fixture('order-item.json').doc)).toBe('3101235');
  });

  test('the new expiry comes in doc.newexpiredate.$ or doc.doc.newexpiredate.$', () => {
    expect(parseNewExpiry(fixture('prolong-flat.json').doc)).toBe('2027-06-30');
    expect(parseNewExpiry(fixture('prolong-nested.json').doc)).toBe('2027-07-31');
  });

  test('a new key is in lickey.$', () => {
    expect(text(fixture('newkey.json').doc.lickey)).toBe('ISP6-NEWKY-22222-33333-44444');
  });

  test('success answers carry doc.ok as text or as an empty object, and no error', () => {
    for (const name of ['ok.json', 'ok-empty.json']) expect(errorFromDoc(fixture(name).doc, ctx)).toBeNull();
  });
});

describe('soft.edit', () => {
  test('reads every license field and ignores the rest', () => {
    expect(parseLicense(fixture('soft-edit.json').doc, '3101234')).toEqual({
      upstreamId: '3101234',
      remoteId: 'l42',
      tariffId: '55227',
      ip: '198.51.100.7',
      licenseName: 'web1',
      licenseKey: 'ISP6-K3Y5A-MPLE2-ABCDE-FGH23',
      status: 'active',
      createdOn: '2026-01-15',
      expiresOn: '2027-01-15',
    });
  });

  test('an empty key, name and remoteid read as null / empty', () => {
    const license = parseLicense(fixture('soft-edit-empty-key.json').doc, '3101235');
    expect(license).toMatchObject({ licenseKey: null, licenseName: '', remoteId: null, status: 'processing' });
  });
});

describe('soft (list)', () => {
  test('reads an array of rows and p_elems', () => {
    const page = parseListPage(fixture('soft-list.json').doc);
    expect(page.total).toBe(3);
    expect(page.licenses.map((l) => [l.upstreamId, l.status, l.remoteId, l.licenseKey])).toEqual([
      ['3101234', 'active', 'l42', null],
      ['3101235', 'suspended', null, null],
      ['3101236', 'deleted', 'l7', null],
    ]);
  });

  test('reads a single-object elem as one row', () => {
    const page = parseListPage(fixture('soft-list-single.json').doc);
    expect(page).toMatchObject({ total: 1, licenses: [{ upstreamId: '3101234', status: 'ordered', ip: '198.51.100.7' }] });
  });

  test('reads an absent elem as no rows', () => {
    expect(parseListPage(fixture('soft-list-empty.json').doc)).toEqual({ licenses: [], total: 0 });
  });
});

describe('doc.error', () => {
  const cases: [string, new (...args: never[]) => Error, Record<string, unknown>][] = [
    ['error-auth.json', UpstreamAuthError, { upstreamType: 'auth' }],
    ['error-access.json', UpstreamAccessError, { upstreamType: 'access' }],
    ['error-value.json', UpstreamValueError, { field: 'ip', upstreamMessage: "The 'IP address' field has invalid value." }],
    ['error-value-param-only.json', UpstreamValueError, { field: 'licname' }],
    ['error-missed.json', UpstreamValueError, { field: 'ip', upstreamType: 'missed' }],
    ['error-exists.json', UpstreamValueError, { field: 'ip', upstreamType: 'exists' }],
    ['error-insufficient-funds.json', UpstreamInsufficientFunds, { upstreamObject: 'balance' }],
    ['error-insufficient-funds-ru.json', UpstreamInsufficientFunds, { upstreamType: 'payment' }],
    ['error-insufficient-funds-message-only.json', UpstreamInsufficientFunds, { upstreamType: 'order' }],
    ['error-not-found.json', UpstreamNotFound, { upstreamObject: 'elid' }],
    ['error-not-found-message.json', UpstreamNotFound, { upstreamMessage: 'Услуга не найдена' }],
    ['error-module-specific.json', UpstreamRejectedError, { upstreamType: 'license_locked' }],
  ];

  test.each(cases)('%s', (name, type, fields) => {
    const error = errorFromDoc(fixture(name).doc, ctx);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ ...fields, transient: false, mayHaveTakenEffect: false, func: 'test' });
  });

  test('the auth error tells the administrator about two-factor authentication', () => {
    const error = errorFromDoc(fixture('error-auth.json').doc, ctx);
    expect(error?.message).toContain('wrong username or password, or two-factor authentication is enabled on this account');
    expect(error?.message).toContain('disable it or use another account');
  });
});
