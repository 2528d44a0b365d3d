// Error messages a person reads come in the language the request asks for; the code and field do not change.
import { describe, expect, test } from 'vitest';
import { useBillrelay } from '../../../test/support/billrelay.js';
import { signedInEmployee } from '../../../test/support/staff.js';
import { startUpstream } from '../../../test/support/upstream.js';

const t = useBillrelay();
const CYRILLIC = /[а-яё]/i;
const ru = { 'accept-language': 'ru' };
const en = { 'accept-language': 'en' };

describe('schema validation', () => {
  test('the same bad request gives the same code and field, the reason in Russian or English', async () => {
    const admin = t().admin;
    const inRussian = await admin.post('/api/v1/datacenters', { name: 5 }, ru);
    const inEnglish = await admin.post('/api/v1/datacenters', { name: 5 }, en);
    expect(inRussian.status).toBe(400);
    expect(inEnglish.status).toBe(400);
    expect(inRussian.body.error).toMatchObject({ code: 'validation', field: 'name' });
    expect(inEnglish.body.error).toMatchObject({ code: 'validation', field: 'name' });
    // The reason names what came, as the English one does.
    expect(inRussian.body.error.message).toMatch(/^name: .*получено число/);
    expect(inEnglish.body.error.message).toMatch(/^name: .*received number/);
    expect(inEnglish.body.error.message).not.toMatch(CYRILLIC);
    expect(inRussian.body.error.detail).toBeUndefined();
  });

  test("a schema's own English wording is kept in detail beside the Russian reason", async () => {
    const answer = await t().admin.post('/api/v1/localizations', { code: 'Deutsch', name: 'Deutsch' }, ru);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'validation', field: 'code' });
    expect(answer.body.error.message).toMatch(/^code: Неверная строка/);
    expect(answer.body.error.detail).toBe('a locale code such as "de" or "pt-BR"');
  });
});

describe('errors raised by the services', () => {
  test('not found: the thing named in the language asked for', async () => {
    const inRussian = await t().admin.get('/api/v1/datacenters/999', ru);
    const inEnglish = await t().admin.get('/api/v1/datacenters/999', en);
    expect(inRussian.status).toBe(404);
    expect(inRussian.body.error).toMatchObject({ code: 'not_found', field: 'id', message: 'Дата-центр 999 не существует' });
    expect(inEnglish.body.error).toMatchObject({ code: 'not_found', field: 'id', message: 'Data center 999 does not exist' });
  });

  test('a wrong login in Russian', async () => {
    const answer = await t().anonymous().post('/api/v1/auth/login', { email: 'admin@example.test', password: 'not-the-password-1' }, ru);
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatchObject({ code: 'unauthorized', field: 'password', message: 'Неверный e-mail или пароль' });
  });

  test('a missing right is a 403 in Russian naming the right', async () => {
    const clerk = await signedInEmployee(t());
    const client = await t().admin.post('/api/v1/clients', { name: 'Ivan', email: 'ivan-i18n@example.test', password: 'client-password', providerId: 1 });
    const inRussian = await clerk.post(`/api/v1/clients/${client.body.id}/impersonate`, {}, ru);
    const inEnglish = await clerk.post(`/api/v1/clients/${client.body.id}/impersonate`, {}, en);
    expect(inRussian.status).toBe(403);
    expect(inRussian.body.error.code).toBe('forbidden');
    expect(inRussian.body.error.message).toBe('Нужно право client.impersonate (Входить от имени клиента)');
    expect(inEnglish.body.error.message).toBe('You need the right client.impersonate (Log in as a client)');
  });

  test('a specific message with no Russian text yet: the Russian message for its code, the English text in detail', async () => {
    const body = { name: 'X', email: 'nobody-i18n@example.test', password: 'client-password', providerId: 999 };
    const inRussian = await t().admin.post('/api/v1/clients', body, ru);
    const inEnglish = await t().admin.post('/api/v1/clients', body, en);
    expect(inRussian.status).toBe(400);
    expect(inRussian.body.error).toMatchObject({ code: 'validation', field: 'providerId', message: 'Недопустимое значение' });
    expect(inRussian.body.error.detail).toBe(inEnglish.body.error.message);
    expect(inEnglish.body.error.message).toContain('provider 999 does not exist');
    expect(inEnglish.body.error.detail).toBeUndefined();
  });

  test("a module's connection refused by the upstream: the same code, the reason in Russian with the upstream's own words", async () => {
    const upstream = await startUpstream(t());
    try {
      upstream.control.upsertAccount({ username: 'partner-i18n', password: 'partner-password', balance: '10.00' });
      const body = { moduleType: 'billmanager', connection: { url: upstream.url, username: 'partner-i18n', password: 'wrong-password' } };
      const inRussian = await t().admin.post('/api/v1/processing-modules/check-connection', body, ru);
      const inEnglish = await t().admin.post('/api/v1/processing-modules/check-connection', body, en);
      expect(inRussian.status).toBe(inEnglish.status);
      expect(inRussian.body.error.code).toBe('upstream_auth');
      expect(inEnglish.body.error.code).toBe('upstream_auth');
      expect(inRussian.body.error.message).toMatch(/^Вышестоящий биллинг отклонил вход: неверное имя пользователя или пароль/);
      expect(inEnglish.body.error.message).toMatch(/^The upstream refused the login: wrong username or password/);
      expect(inRussian.body.error.detail).toBeUndefined();
    } finally {
      await upstream.close();
    }
  });

  test('an invalid API token is refused in the language asked for', async () => {
    const answer = await t().anonymous().get('/api/v1/datacenters', { ...ru, authorization: 'Bearer brt_nonsense' });
    expect(answer.status).toBe(401);
    expect(answer.body.error.message).toBe('API-токен недействителен');
  });
});

describe('languages the server does not speak', () => {
  test('fall back to the default localization', async () => {
    const anonymous = t().anonymous();
    const refusal = async (headers: Record<string, string> = {}) => (await anonymous.get('/api/v1/tasks', headers)).body.error.message;
    const english = 'Log in or send an API token';
    const russian = 'Войдите в систему или передайте API-токен';
    expect(await refusal({ 'accept-language': 'fr-FR, de;q=0.8' })).toBe(english);
    expect((await t().admin.patch('/api/v1/localizations/ru', { isDefault: true })).status).toBe(200);
    try {
      expect(await refusal({ 'accept-language': 'fr-FR, de;q=0.8' })).toBe(russian);
      expect(await refusal()).toBe(russian);
      expect(await refusal(en)).toBe(english);
      // An enabled localization the server has no messages in: the default localization's.
      expect((await t().admin.post('/api/v1/localizations', { code: 'de', name: 'Deutsch' })).status).toBe(201);
      expect(await refusal({ 'accept-language': 'de' })).toBe(russian);
    } finally {
      expect((await t().admin.patch('/api/v1/localizations/en', { isDefault: true })).status).toBe(200);
    }
  });
});

describe('the messages of data centers, business hours, providers, idempotency and payment gateways', () => {
  test('each says the same in Russian as in English, the code and field unchanged', async () => {
    const admin = t().admin;
    const both = async (send: (headers: Record<string, string>) => Promise<{ status: number; body: any }>) => {
      const [inRussian, inEnglish] = [await send(ru), await send(en)];
      expect(inRussian.status).toBe(inEnglish.status);
      expect({ ...inRussian.body.error, message: undefined }).toEqual({ ...inEnglish.body.error, message: undefined });
      expect(inRussian.body.error.detail).toBeUndefined();
      return [inRussian.body.error.message as string, inEnglish.body.error.message as string];
    };

    // A duplicate external id of a data center.
    expect((await admin.post('/api/v1/datacenters', { name: { en: 'Amsterdam', ru: 'Амстердам' }, externalId: 'AMS-i18n' })).status).toBe(201);
    expect(await both((h) => admin.post('/api/v1/datacenters', { name: { en: 'Amsterdam 2' }, externalId: 'AMS-i18n' }, h))).toEqual([
      'Внешний идентификатор «AMS-i18n» уже задан у дата-центра «Амстердам»',
      'The external id "AMS-i18n" is already used by data center "Amsterdam"',
    ]);

    // A break outside Tuesday's hours: the weekday named in the reader's language.
    const day = (breaks: { begin: string; end: string }[] = []) => ({ active: true, allDay: false, begin: '09:00', end: '18:00', breaks });
    const days = [day(), day([{ begin: '08:00', end: '09:30' }]), day(), day(), day(), day(), day()];
    expect(await both((h) => admin.post('/api/v1/business-hours', { name: 'Bad break', timeZone: 'UTC', days }, h))).toEqual([
      'Вторник: перерыв 08:00–09:30 должен быть внутри рабочего времени',
      'Tuesday: the break 08:00–09:30 must lie inside the working hours',
    ]);

    // A provider still used by a client: what uses it, in words of the language.
    const provider = await admin.post('/api/v1/providers', { name: 'Reseller i18n', currency: 'EUR' });
    expect(provider.status).toBe(201);
    const client = await admin.post('/api/v1/clients', { name: 'Olga', email: 'olga-i18n@example.test', password: 'client-password', providerId: provider.body.id });
    expect(client.status).toBe(201);
    expect(await both((h) => admin.delete(`/api/v1/providers/${provider.body.id}`, h))).toEqual([
      'Провайдер «Reseller i18n» ещё используется: клиенты (1)',
      'Provider "Reseller i18n" is still used by 1 client(s)',
    ]);

    // One Idempotency-Key for two different requests.
    const key = { 'idempotency-key': `i18n-${client.body.id}` };
    expect((await admin.post(`/api/v1/clients/${client.body.id}/payments`, { amount: '5.00', method: 'bank_transfer' }, { ...en, ...key })).status).toBe(201);
    expect(await both((h) => admin.post(`/api/v1/clients/${client.body.id}/payments`, { amount: '6.00', method: 'bank_transfer' }, { ...h, ...key }))).toEqual([
      'Этот Idempotency-Key уже использован для другого запроса',
      'This Idempotency-Key was used for a different request',
    ]);
  });
});
