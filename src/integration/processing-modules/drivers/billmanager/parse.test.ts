import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { UpstreamProtocolError } from '../driver.js';
import {
  asArray,
  errorFromDoc,
  parseAmount,
  parseBody,
  parseCurrency,
  parseDate,
  parseLicense,
  parseListPage,
  parseNewExpiry,
  parseOrderId,
  parsePriceList,
  parseStatus,
  periodMonths,
  text,
  type ParseContext,
} from './parse.js';
import { excerpt, makeScrubber } from './scrub.js';
import { listShape } from '../../../../sandbox/protocol.js';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const ctx: ParseContext = { func: 'soft.order.param', scrub: makeScrubber('s3cret-pw'), mayHaveTakenEffect: true };

describe('primitive readers', () => {
  test('text reads "$", bare strings and numbers; empty and absent are null', () => {
    expect(text({ $: ' 15.00 ' })).toBe('15.00');
    expect(text('x')).toBe('x');
    expect(text(7)).toBe('7');
    expect(text({})).toBeNull();
    expect(text({ $: '' })).toBeNull();
    expect(text(undefined)).toBeNull();
  });

  test('asArray accepts an array, a single object or nothing', () => {
    expect(asArray([1, 2])).toEqual([1, 2]);
    expect(asArray({ a: 1 })).toEqual([{ a: 1 }]);
    expect(asArray(undefined)).toEqual([]);
  });

  test('dates come as ISO, ISO with time, or dotted; zero dates are absent', () => {
    expect(parseDate({ $: '2026-12-31' })).toBe('2026-12-31');
    expect(parseDate({ $: '2026-12-31 23:59:59' })).toBe('2026-12-31');
    expect(parseDate({ $: '31.12.2026' })).toBe('2026-12-31');
    expect(parseDate({ $: '0000-00-00' })).toBeNull();
    expect(parseDate({ $: 'soon' })).toBeNull();
  });

  test('status codes 1..5 and words map; anything else is unknown', () => {
    expect(['1', '2', '3', '4', '5', '9'].map((s) => parseStatus({ $: s }))).toEqual([
      'ordered',
      'active',
      'suspended',
      'deleted',
      'processing',
      'unknown',
    ]);
    expect(parseStatus({ $: 'Active' })).toBe('active');
    expect(parseStatus({ $: 'Stopped' })).toBe('suspended');
    expect(parseStatus(undefined)).toBe('unknown');
  });

  test('currencies are ISO codes or well-known symbols; internal ids are not currencies', () => {
    expect(parseCurrency('eur')).toBe('EUR');
    expect(parseCurrency({ $: '€' })).toBe('EUR');
    expect(parseCurrency('руб')).toBe('RUB');
    expect(parseCurrency('153')).toBeNull();
  });

  test('amounts tolerate spaces, thousands commas, decimal commas and extra decimals', () => {
    expect(parseAmount('1 000.00', 'EUR').toString()).toBe('1000.00');
    expect(parseAmount('1,000.50', 'EUR').toString()).toBe('1000.50');
    expect(parseAmount('12,5', 'EUR').toString()).toBe('12.50');
    expect(parseAmount('-3.005', 'EUR').toString()).toBe('-3.01');
    expect(() => parseAmount('n/a', 'EUR')).toThrow();
  });

  test('period lengths in months, years, and the special codes', () => {
    expect(periodMonths({ $length: '1', $type: 'month' })).toBe(1);
    expect(periodMonths({ $length: '12' })).toBe(12);
    expect(periodMonths({ $length: '2', $type: 'year' })).toBe(24);
    expect(periodMonths({ $length: '-100', $type: 'trial' })).toBe(-100);
    expect(periodMonths({ $length: '0' })).toBe(0);
    expect(periodMonths({ $length: '7', $type: 'day' })).toBe(-50);
    expect(periodMonths({ $type: 'month' })).toBeNull();
  });
});

describe('tolerant readings', () => {
  test('order id as doc.item.id.$ or a $id attribute on doc', () => {
    expect(parseOrderId({ item: { id: { $: '5' } } })).toBe('5');
    expect(parseOrderId({ $id: '6' })).toBe('6');
    expect(parseOrderId({ ok: {} })).toBeNull();
  });

  test('new expiry missing is null', () => {
    expect(parseNewExpiry({ ok: {} })).toBeNull();
  });

  test('empty key as {"$": ""} is null too, and a list row may name the tariff id pricelist_id', () => {
    expect(parseLicense({ lickey: { $: '' } }, '1').licenseKey).toBeNull();
    expect(parseLicense({ pricelist: { $: 'ispmanager 6 lite' }, pricelist_id: { $: '55227' } }, '1').tariffId).toBe('55227');
  });

  test('list rows without an id are skipped; a missing p_elems is null', () => {
    const page = parseListPage({ elem: [{ ip: { $: '1.1.1.1' } }, { id: { $: '9' }, status: { $: '2' } }] });
    expect(page).toMatchObject({ total: null, licenses: [{ upstreamId: '9', status: 'active' }] });
  });

  test('any number of rows, in any of the three list shapes, reads back as the same rows', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 1e9 }), { maxLength: 30 }), (ids) => {
        const rows = ids.map((id) => ({ id: { $: String(id) }, status: { $: '2' }, ip: { $: '192.0.2.1' } }));
        const doc = JSON.parse(JSON.stringify({ elem: listShape(rows), p_elems: { $: String(ids.length) } }));
        const page = parseListPage(doc);
        expect(page.licenses.map((l) => l.upstreamId)).toEqual(ids.map(String));
        expect(page.total).toBe(ids.length);
      }),
    );
  });

  test('doc.error as a bare string is still an error', () => {
    expect(errorFromDoc({ error: 'something broke' }, ctx)?.kind).toBe('rejected');
  });

  test('an unknown object: missed on elid or item is not found; missed on a form field stays a value error', () => {
    const error = (type: string, object: string) => errorFromDoc({ error: { $type: type, $object: object, msg: { $: 'x' } } }, ctx);
    expect(error('missed', 'item')?.kind).toBe('not-found');
    expect(error('missed', 'elid')?.kind).toBe('not-found');
    expect(error('value', 'elid')?.kind).toBe('not-found');
    expect(error('missed', 'ip')).toMatchObject({ kind: 'value', field: 'ip', upstreamType: 'missed' });
    expect(error('access', 'item')?.kind).toBe('access');
  });

  test('price list rows that cannot be ordered are skipped: active not on (when sent), hidden or archived', () => {
    const row = (id: string, flags: Record<string, unknown>) => ({ id: { $: id }, name: { $: id }, price: { period: { $length: '1', $type: 'month', $cost: '1.00' } }, ...flags });
    const doc = {
      pricelist: [
        row('no-flags', {}),
        row('all-off', { active: { $: 'on' }, hideinorder: { $: 'off' }, archived: 'off' }),
        row('inactive', { active: { $: 'off' } }),
        row('active-empty', { active: {} }),
        row('hidden', { hideinorder: { $: 'on' } }),
        row('hidden-bare', { hideinorder: 'on' }),
        row('archived', { active: 'on', archived: { $: 'on' } }),
        row('attribute-archived', { $archived: 'on' }),
        row('active-yes', { active: 'yes' }),
      ],
    };
    const ids = parsePriceList(doc, 'EUR', ctx, '').map((t) => t.id);
    expect(ids).toEqual(['no-flags', 'all-off', 'active-yes']);
  });
});

describe('bodies that are not a BILLmanager doc', () => {
  test.each([
    ['not JSON', '<html>502 Bad Gateway</html>'],
    ['JSON without doc', '{"result":"ok"}'],
    ['doc not an object', '{"doc":"x"}'],
    ['truncated JSON', '{"doc": {"id": {"$": "31'],
  ])('%s is a protocol error carrying the write doubt', (_name, body) => {
    const error = thrown(() => parseBody(body, ctx));
    expect(error).toBeInstanceOf(UpstreamProtocolError);
    expect(error).toMatchObject({ mayHaveTakenEffect: true, transient: true, func: 'soft.order.param' });
  });

  test('the excerpt is at most 200 characters and has the credentials removed', () => {
    const body = `<html>${'x'.repeat(50)} authinfo=partner%40example.com:s3cret-pw&func=whoami ${'y'.repeat(400)}</html>`;
    const error = thrown(() => parseBody(body, ctx)) as UpstreamProtocolError;
    expect(error.excerpt.length).toBeLessThanOrEqual(200);
    expect(error.excerpt).toContain('authinfo=[redacted]');
    expect(error.excerpt).not.toContain('s3cret');
  });
});

describe('scrubbing', () => {
  test('removes the password in raw, URL, form, JSON and HTML encodings and credential values', () => {
    const scrub = makeScrubber('p@ss w&rd"<x>');
    const text = [
      'raw p@ss w&rd"<x>',
      `url ${encodeURIComponent('p@ss w&rd"<x>')}`,
      `form ${new URLSearchParams({ a: 'p@ss w&rd"<x>' }).toString()}`,
      `json ${JSON.stringify({ a: 'p@ss w&rd"<x>' })}`,
      'html p@ss w&amp;rd&quot;&lt;x&gt;',
      '"authinfo":{"$":"user:whatever"} password=hunter2',
    ].join('\n');
    const out = scrub(text);
    expect(out).not.toMatch(/p@ss|p%40ss|w&rd|w%26rd|w&amp;rd|whatever|hunter2/);
  });

  test('for any password, an echo of the request never survives scrubbing or excerpting', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ maxLength: 300 }), (password, noise) => {
        const scrub = makeScrubber(password);
        const echo = new URLSearchParams({ func: 'whoami', authinfo: `user:${password}` }).toString();
        const body = `${noise}${echo} ${JSON.stringify({ authinfo: password })} ${password}${noise}`;
        expect(scrub(body)).not.toContain(password);
        expect(excerpt(body, scrub)).not.toContain(password);
      }),
      { numRuns: 300 },
    );
  });
});
