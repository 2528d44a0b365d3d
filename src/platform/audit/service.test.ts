// The audit log as staff read it: filtered by entity (type and id) and by who did it, newest first, paged.
import { describe, expect, test } from 'vitest';
import { useBillrelay } from '../../../test/support/billrelay.js';
import { signedInEmployee } from '../../../test/support/staff.js';

const t = useBillrelay({ env: { BILLRELAY_WORKER: 'off', BILLRELAY_SCHEDULER: 'off' } });

const datacenter = (api: ReturnType<typeof t>['admin'], name: string) =>
  api.post('/api/v1/datacenters', { name: { en: name }, externalId: `${name}-${Date.now()}` });

describe('the audit log', () => {
  test('by entity and id, and by person; newest first; paged', async () => {
    const other = await signedInEmployee(t(), { isAdmin: true });
    const me = (await other.get('/api/v1/auth/me')).body;
    const mine = await datacenter(t().admin, 'Amsterdam');
    const theirs = await datacenter(other, 'Frankfurt');
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    expect(theirs.status).toBe(201);
    expect((await other.patch(`/api/v1/datacenters/${mine.body.id}`, { name: { en: 'Amsterdam 2' } })).status).toBe(200);

    const byEntity = (await t().admin.get(`/api/v1/audit?entity=datacenter&entityId=${mine.body.id}`)).body;
    expect(byEntity.items.map((e: { action: string }) => e.action)).toEqual(['datacenter.update', 'datacenter.create']);
    const byPerson = (await t().admin.get(`/api/v1/audit?actorKind=employee&actorId=${me.id}`)).body;
    expect(byPerson.items.map((e: { entityId: string }) => e.entityId)).toEqual([String(mine.body.id), String(theirs.body.id)]);
    expect(byPerson.items.every((e: { actor: { id: number } }) => e.actor.id === me.id)).toBe(true);
    const both = (await t().admin.get(`/api/v1/audit?entity=datacenter&entityId=${mine.body.id}&actorId=${me.id}`)).body;
    expect(both.total).toBe(1);
    const paged = (await t().admin.get(`/api/v1/audit?entity=datacenter&perPage=1&page=2`)).body;
    expect(paged).toMatchObject({ page: 2, perPage: 1 });
    expect(paged.total).toBeGreaterThanOrEqual(3);
    expect(paged.items).toHaveLength(1);
    expect((await t().admin.get('/api/v1/audit?actorId=abc')).status).toBe(400);
  });

  test('not for employees who are not administrators', async () => {
    const staff = await signedInEmployee(t());
    expect((await staff.get('/api/v1/audit')).status).toBe(403);
  });
});
