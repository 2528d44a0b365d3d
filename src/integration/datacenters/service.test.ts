import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { useBillrelay } from '../../../test/support/billrelay.js';

const t = useBillrelay();

async function createDc(name: string, extra: Record<string, unknown> = {}) {
  const answer = await t().admin.post('/api/v1/datacenters', { name: { en: name }, ...extra });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: number; sort: number };
}

async function listDcs() {
  return (await t().admin.get('/api/v1/datacenters?perPage=500')).body.items as Array<{ id: number; sort: number; displayName: string }>;
}

async function clear() {
  for (const dc of await listDcs()) await t().admin.delete(`/api/v1/datacenters/${dc.id}`);
}

describe('Integration → Data centers', () => {
  test('an administrator creates a data center with a localized name and sees it in both languages', async () => {
    await clear();
    const created = await t().admin.post('/api/v1/datacenters', { name: { en: 'Main DC', ru: 'Основной ДЦ' }, externalId: 'fra-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: { en: 'Main DC', ru: 'Основной ДЦ' }, displayName: 'Main DC', externalId: 'fra-1', sort: 1 });

    const ru = await t().admin.get(`/api/v1/datacenters/${created.body.id}`, { 'accept-language': 'ru-RU,ru;q=0.9' });
    expect(ru.body.displayName).toBe('Основной ДЦ');
    const de = await t().admin.get(`/api/v1/datacenters/${created.body.id}`, { 'accept-language': 'de' });
    expect(de.body.displayName).toBe('Main DC');
  });

  test('the name in the default locale is required and unknown locales are refused, naming the field', async () => {
    const missingDefault = await t().admin.post('/api/v1/datacenters', { name: { ru: 'Только русский' } });
    expect(missingDefault.status).toBe(400);
    expect(missingDefault.body.error).toMatchObject({ code: 'validation', field: 'name.en' });

    const unknown = await t().admin.post('/api/v1/datacenters', { name: { en: 'X', xx: 'Y' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe('name.xx');

    const extraField = await t().admin.post('/api/v1/datacenters', { name: { en: 'X' }, color: 'red' });
    expect(extraField.status).toBe(400);
  });

  test('the list is sorted lowest first, paged, and moves keep the order 1..N without gaps', async () => {
    await clear();
    const a = await createDc('A');
    const b = await createDc('B');
    const c = await createDc('C');
    const first = await createDc('First', { sort: 1 });
    expect((await listDcs()).map((d) => d.displayName)).toEqual(['First', 'A', 'B', 'C']);

    expect((await t().admin.post(`/api/v1/datacenters/${c.id}/move`, { direction: 'up' })).status).toBe(200);
    expect((await listDcs()).map((d) => d.displayName)).toEqual(['First', 'A', 'C', 'B']);
    await t().admin.post(`/api/v1/datacenters/${first.id}/move`, { direction: 'up' }); // already first: stays
    await t().admin.post(`/api/v1/datacenters/${b.id}/move`, { direction: 'down' }); // already last: stays
    expect((await listDcs()).map((d) => d.sort)).toEqual([1, 2, 3, 4]);

    await t().admin.delete(`/api/v1/datacenters/${a.id}`);
    const after = await listDcs();
    expect(after.map((d) => [d.displayName, d.sort])).toEqual([['First', 1], ['C', 2], ['B', 3]]);

    const page2 = await t().admin.get('/api/v1/datacenters?page=2&perPage=2');
    expect(page2.body).toMatchObject({ total: 3, page: 2, perPage: 2 });
    expect(page2.body.items.map((d: { displayName: string }) => d.displayName)).toEqual(['B']);

    // Every page size and page, including a page that is exactly full and pages past the end: the
    // items and the total are what the whole list says.
    const names = after.map((d) => d.displayName);
    for (let perPage = 1; perPage <= 4; perPage += 1) {
      for (let page = 1; page <= 4; page += 1) {
        const answer = await t().admin.get(`/api/v1/datacenters?page=${page}&perPage=${perPage}`);
        expect(answer.body, `page ${page} of ${perPage}`).toMatchObject({ total: 3, page, perPage });
        expect(answer.body.items.map((d: { displayName: string }) => d.displayName)).toEqual(names.slice((page - 1) * perPage, page * perPage));
      }
    }

    const badMove = await t().admin.post(`/api/v1/datacenters/${b.id}/move`, { direction: 'sideways' });
    expect(badMove.status).toBe(400);
    expect(badMove.body.error.field).toBe('direction');
  });

  test('editing changes the name, external id and position', async () => {
    await clear();
    const a = await createDc('A');
    await createDc('B');
    const edited = await t().admin.patch(`/api/v1/datacenters/${a.id}`, { name: { en: 'A2', ru: 'А2' }, externalId: null, sort: 2 });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ displayName: 'A2', externalId: null, sort: 2 });
    expect((await listDcs()).map((d) => d.displayName)).toEqual(['B', 'A2']);
    expect((await t().admin.patch('/api/v1/datacenters/999999', { externalId: 'x' })).status).toBe(404);
  });

  test('an external id names one data center: a duplicate is refused with 409 naming the field', async () => {
    await clear();
    const a = await createDc('Frankfurt', { externalId: 'fra-1' });
    const b = await createDc('Amsterdam', { externalId: 'ams-1' });
    const duplicate = await t().admin.post('/api/v1/datacenters', { name: { en: 'Copy' }, externalId: ' fra-1 ' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({ code: 'conflict', field: 'externalId' });
    expect(duplicate.body.error.message).toContain('Frankfurt');
    const edited = await t().admin.patch(`/api/v1/datacenters/${b.id}`, { externalId: 'fra-1' });
    expect(edited.status).toBe(409);
    expect(edited.body.error).toMatchObject({ code: 'conflict', field: 'externalId' });
    expect((await t().admin.get(`/api/v1/datacenters/${b.id}`)).body.externalId).toBe('ams-1');
    // Its own id again, and no id at all on several, are fine.
    expect((await t().admin.patch(`/api/v1/datacenters/${a.id}`, { externalId: 'fra-1', name: { en: 'Frankfurt 1' } })).status).toBe(200);
    await createDc('No id 1');
    await createDc('No id 2', { externalId: null });
    expect((await listDcs()).map((d) => d.displayName)).toEqual(['Frankfurt 1', 'Amsterdam', 'No id 1', 'No id 2']);
  });

  test('anonymous callers get 401 and every change is in the audit log', async () => {
    const anon = t().anonymous();
    expect((await anon.get('/api/v1/datacenters')).status).toBe(401);
    expect((await anon.post('/api/v1/datacenters', { name: { en: 'X' } })).status).toBe(401);
    const dc = await createDc('Audited');
    const audit = await t().admin.get(`/api/v1/audit?entity=datacenter&entityId=${dc.id}`);
    expect(audit.body.items[0]).toMatchObject({ action: 'datacenter.create', actor: { kind: 'employee' }, before: null });
    expect(audit.body.items[0].after.name).toEqual({ en: 'Audited' });
  });

  test('random bodies get a 4xx and leave the data centers unchanged', async () => {
    const before = await listDcs();
    const body = fc.oneof(
      fc.anything(),
      fc.record({ name: fc.oneof(fc.anything(), fc.dictionary(fc.string(), fc.anything())), externalId: fc.anything(), sort: fc.anything() }, { requiredKeys: [] }),
      fc.record({ name: fc.dictionary(fc.constantFrom('ru', 'de', 'EN', ''), fc.string()), sort: fc.oneof(fc.integer(), fc.double()) }),
    ).filter((v) => !(typeof v === 'object' && v !== null && typeof (v as { name?: { en?: unknown } }).name?.en === 'string'));
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const answer = await t().admin.request('POST', '/api/v1/datacenters', JSON.stringify(value) ?? 'null', { 'content-type': 'application/json' });
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
    expect(await listDcs()).toEqual(before);
  });
});
