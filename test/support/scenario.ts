// The partner guide's steps as one-liners, so a test says what happens, not how HTTP works.
import type { Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from './billrelay.js';
import type { ApiClient } from './http.js';

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export interface UpstreamAccount {
  username: string;
  password: string;
}

/** Step 1: a billmanager processing module connected to the sandbox account. */
export async function connectModule(t: TestBillrelay, upstream: Sandbox, account?: Partial<UpstreamAccount> & { balance?: string }, extra: Record<string, unknown> = {}) {
  const username = account?.username ?? `partner-${unique()}`;
  const password = account?.password ?? 'partner-password';
  upstream.control.upsertAccount({ username, password, balance: account?.balance ?? '1000.00' });
  const answer = await t.admin.post('/api/v1/processing-modules', {
    productType: 'licenses',
    moduleType: 'billmanager',
    connection: { url: upstream.url, username, password },
    name: { en: `ispmanager ${username}` },
    minimalBalance: '0',
    ...extra,
  });
  if (answer.status !== 201) throw new Error(`connectModule: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { ...(answer.body as { id: number; departmentId: number | null }), username, password };
}

/** Step 2: an upstream tariff imported with a markup and enabled. */
export async function importTariff(t: TestBillrelay, moduleId: number, upstreamTariffId: string, options: { markupPercent?: string; providerId?: number } = {}) {
  const imported = await t.admin.post('/api/v1/tariffs/import', {
    processingModuleId: moduleId,
    upstreamTariffId,
    providerId: options.providerId ?? 1,
    markupPercent: options.markupPercent ?? '20',
  });
  if (imported.status !== 201) throw new Error(`importTariff: ${imported.status} ${JSON.stringify(imported.body)}`);
  const enabled = await t.admin.post(`/api/v1/tariffs/${imported.body.id}/enable`);
  if (enabled.status !== 200) throw new Error(`enable tariff: ${enabled.status} ${JSON.stringify(enabled.body)}`);
  return enabled.body as { id: number; periods: Array<{ period: number; price: string; enabled: boolean }> };
}

export interface TestClient {
  id: number;
  email: string;
  api: ApiClient;
}

/** A client registered through the API, topped up by staff, and logged in. */
export async function createClient(t: TestBillrelay, options: { balance?: string; providerId?: number } = {}): Promise<TestClient> {
  const email = `client-${unique()}@example.test`;
  const created = await t.admin.post('/api/v1/clients', { name: 'Client', email, password: 'client-password', language: 'en', providerId: options.providerId ?? 1 });
  if (created.status !== 201) throw new Error(`createClient: ${created.status} ${JSON.stringify(created.body)}`);
  if (options.balance && options.balance !== '0') {
    const paid = await t.admin.post(`/api/v1/clients/${created.body.id}/payments`, { amount: options.balance, method: 'bank_transfer' });
    if (paid.status !== 201) throw new Error(`top up: ${paid.status} ${JSON.stringify(paid.body)}`);
  }
  return { id: created.body.id, email, api: await t.loginAs(email, 'client-password') };
}

/** A public-looking documentation address, different on every call. */
export function nextIp(): string {
  counter += 1;
  return `203.0.113.${(counter % 250) + 1}`;
}
