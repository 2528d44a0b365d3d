// What every route gets from the HTTP layer, whatever its area.
import { describe, expect, test } from 'vitest';
import { useBillrelay } from '../../../test/support/billrelay.js';

const t = useBillrelay();

describe('ids in paths', () => {
  test('only the canonical decimal spelling addresses a row; any other is a 400 naming the parameter', async () => {
    const admin = t().admin;
    expect((await admin.get('/api/v1/employees/1')).status).toBe(200);
    for (const spelling of ['0x1', '00001', '01', '%201', '1%20', '+1', '1e0', '1.0', '0', '-1', '0b1', '99999999999999999']) {
      const answer = await admin.get(`/api/v1/employees/${spelling}`);
      expect(answer.status, spelling).toBe(400);
      expect(answer.body.error, spelling).toMatchObject({ code: 'validation', field: 'id' });
    }
    expect((await admin.delete('/api/v1/auth/tokens/0x1')).body.error.field).toBe('id');
    expect((await admin.delete('/api/v1/departments/1/members/001')).body.error.field).toBe('employeeId');
  });
});
