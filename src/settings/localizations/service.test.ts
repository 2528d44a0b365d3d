import { describe, expect, test } from 'vitest';
import { useBillrelay } from '../../../test/support/billrelay.js';

const t = useBillrelay();

describe('Settings → Localizations', () => {
  test('English and Russian exist from the start, English is the default', async () => {
    const list = await t().admin.get('/api/v1/localizations');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      { code: 'en', name: 'English', enabled: true, isDefault: true },
      { code: 'ru', name: 'Русский', enabled: true, isDefault: false },
    ]);
  });

  test('an administrator adds a localization, which localized names may then use', async () => {
    const created = await t().admin.post('/api/v1/localizations', { code: 'de', name: 'Deutsch' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ code: 'de', name: 'Deutsch', enabled: true, isDefault: false });
    const dc = await t().admin.post('/api/v1/datacenters', { name: { en: 'Main', de: 'Haupt' } });
    expect(dc.status).toBe(201);
    expect((await t().admin.get(`/api/v1/datacenters/${dc.body.id}`, { 'accept-language': 'de-DE' })).body.displayName).toBe('Haupt');
    expect((await t().admin.post('/api/v1/localizations', { code: 'de', name: 'Again' })).status).toBe(409);
  });

  test('a disabled localization is no longer chosen for display; names fall back to the default', async () => {
    await t().admin.post('/api/v1/localizations', { code: 'fr', name: 'Français' });
    const dc = await t().admin.post('/api/v1/datacenters', { name: { en: 'Main', fr: 'Principal' } });
    expect((await t().admin.get(`/api/v1/datacenters/${dc.body.id}`, { 'accept-language': 'fr' })).body.displayName).toBe('Principal');
    const disabled = await t().admin.patch('/api/v1/localizations/fr', { enabled: false });
    expect(disabled.body.enabled).toBe(false);
    expect((await t().admin.get(`/api/v1/datacenters/${dc.body.id}`, { 'accept-language': 'fr' })).body.displayName).toBe('Main');
  });

  test('the default localization cannot be disabled or deleted (409), and another can become the default', async () => {
    const disable = await t().admin.patch('/api/v1/localizations/en', { enabled: false });
    expect(disable.status).toBe(409);
    expect(disable.body.error.field).toBe('enabled');
    const del = await t().admin.delete('/api/v1/localizations/en');
    expect(del.status).toBe(409);
    expect(del.body.error.message).toContain('default');

    expect((await t().admin.patch('/api/v1/localizations/ru', { isDefault: true })).body.isDefault).toBe(true);
    const list = (await t().admin.get('/api/v1/localizations')).body.items;
    expect(list.filter((l: { isDefault: boolean }) => l.isDefault).map((l: { code: string }) => l.code)).toEqual(['ru']);
    // Now a name needs its Russian value.
    const noRu = await t().admin.post('/api/v1/datacenters', { name: { en: 'Only English' } });
    expect(noRu.status).toBe(400);
    expect(noRu.body.error.field).toBe('name.ru');
    await t().admin.patch('/api/v1/localizations/en', { isDefault: true });
  });

  test('the list is paged like every other list', async () => {
    const page = await t().admin.get('/api/v1/localizations?page=2&perPage=1');
    expect(page.body).toMatchObject({ total: expect.any(Number), page: 2, perPage: 1 });
    expect(page.body.items).toHaveLength(1);
    expect((await t().admin.get('/api/v1/localizations?perPage=0')).status).toBe(400);
  });

  test('bad codes and unknown fields are 400 naming the field; unknown codes are 404', async () => {
    const bad = await t().admin.post('/api/v1/localizations', { code: 'English!', name: 'X' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('code');
    expect((await t().admin.post('/api/v1/localizations', { code: 'it', name: '' })).body.error.field).toBe('name');
    expect((await t().admin.patch('/api/v1/localizations/zz', { name: 'Z' })).status).toBe(404);
    expect((await t().admin.delete('/api/v1/localizations/zz')).status).toBe(404);
  });

  test('an unused localization can be deleted and the deletion is audited', async () => {
    await t().admin.post('/api/v1/localizations', { code: 'es', name: 'Español' });
    expect((await t().admin.delete('/api/v1/localizations/es')).status).toBe(204);
    const audit = await t().admin.get('/api/v1/audit?entity=localization&entityId=es');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['localization.delete', 'localization.create']);
  });
});
