import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../platform/config.js';
import { nextRunAfter } from './schedule.js';
import { renderTask } from '../tasks/messages.js';

describe('job schedules', () => {
  test('every N minutes counts from now', () => {
    expect(nextRunAfter({ everyMinutes: 60 }, new Date('2026-11-25T10:15:00Z')).toISOString()).toBe('2026-11-25T11:15:00.000Z');
  });

  test('times of day: the next one strictly after now, else the first one tomorrow', () => {
    const twice = { dailyAt: ['18:00', '06:00'] };
    expect(nextRunAfter(twice, new Date('2026-11-25T05:59:59Z')).toISOString()).toBe('2026-11-25T06:00:00.000Z');
    expect(nextRunAfter(twice, new Date('2026-11-25T06:00:00Z')).toISOString()).toBe('2026-11-25T18:00:00.000Z');
    expect(nextRunAfter(twice, new Date('2026-11-25T18:00:00Z')).toISOString()).toBe('2026-11-26T06:00:00.000Z');
    expect(nextRunAfter({ dailyAt: ['03:00'] }, new Date('2026-12-31T12:00:00Z')).toISOString()).toBe('2027-01-01T03:00:00.000Z');
  });
});

describe('configuration', () => {
  test('defaults', () => {
    const config = loadConfig({});
    expect(config.scheduler).toMatchObject({
      enabled: true, intervalMs: 60_000, renewDaysBefore: 3, closeAfterDays: 30, balanceCheckAt: ['06:00', '18:00'], tariffSyncAt: ['03:00'], scanPageSize: 500, renewalNoticeDays: 7, taskOverdueEveryMinutes: 15,
    });
    expect(config.taskHours).toMatchObject({ setup: 4, renew: 4, change: 8, suspend: 8, resume: 4, delete: 8, low_balance: 2, drift: 8 });
  });

  test('overrides, and clear errors for bad values', () => {
    const config = loadConfig({ BILLRELAY_SCHEDULER: 'off', BILLRELAY_RENEW_DAYS_BEFORE: '5', BILLRELAY_RENEWAL_NOTICE_DAYS: '10', BILLRELAY_BALANCE_CHECK_AT: '07:30', BILLRELAY_TASK_HOURS: 'setup=2, drift=24' });
    expect(config.scheduler).toMatchObject({ enabled: false, renewDaysBefore: 5, renewalNoticeDays: 10, balanceCheckAt: ['07:30'] });
    expect(config.taskHours).toMatchObject({ setup: 2, drift: 24, renew: 4 });
    expect(() => loadConfig({ BILLRELAY_BALANCE_CHECK_AT: '6am' })).toThrow(/BILLRELAY_BALANCE_CHECK_AT/);
    expect(() => loadConfig({ BILLRELAY_TASK_HOURS: 'lunch=1' })).toThrow(/BILLRELAY_TASK_HOURS/);
    expect(() => loadConfig({ BILLRELAY_RENEW_DAYS_BEFORE: '0' })).toThrow(/BILLRELAY_RENEW_DAYS_BEFORE/);
  });
});

describe('task messages', () => {
  test('an unknown locale falls back to English; drift findings have their own wording', () => {
    const de = renderTask('low_balance', 'de', { module: 'EU', balance: '5.00', minimalBalance: '50.00', currency: 'EUR' });
    expect(de.locale).toBe('en');
    expect(de.title).toBe('Top up the upstream balance of EU');
    const orphan = renderTask('drift', 'ru', { drift: 'orphan', upstreamId: '42', ip: '203.0.113.1', module: 'EU' });
    expect(orphan.title).toBe('Лицензия поставщика 42 (203.0.113.1) не принадлежит ни одной услуге');
    const missing = renderTask('drift', 'en', { drift: 'missing', licenseId: 7, licenseName: 'web', ip: '198.51.100.1', upstreamId: '9', module: 'EU' });
    expect(missing.title).toBe('License web (198.51.100.1) is missing upstream');
  });

  test('what the operations worker says about a failed operation reads in full', () => {
    const task = renderTask('renew', 'en', {
      operation: 'prolong', operationId: 5, licenseId: 3, licenseName: 'web', ip: '198.51.100.4', upstreamId: '9', error: 'The upstream account balance is too low', errorCode: 'insufficient-funds', attempts: 1,
    });
    expect(task.title).toBe('Renew license web (198.51.100.4)');
    expect(task.text.split('\n')).toEqual([
      'The client has paid for the renewal, but it could not be applied upstream.',
      'License: #3 web, IP 198.51.100.4.',
      'Operation #5 (prolong) stopped after 1 attempt(s).',
      'Last error: The upstream account balance is too low',
      'Fix the cause (often the upstream balance), then restart the operation from this task.',
    ]);
  });
});
