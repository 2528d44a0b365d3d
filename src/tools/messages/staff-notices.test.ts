// What staff receive by e-mail (through a real SMTP server): a task opened for their department, a task
// past its due time (from the scheduler, on a manual clock), an upstream balance below its minimum.
// Each in the department's task language, to enabled employees only, once however often it is seen.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Sandbox } from '../../sandbox/index.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startBillrelay, type TestBillrelay } from '../../../test/support/billrelay.js';
import { connectModule, newDepartment, officeHours, tasksWithCause } from '../../../test/support/scheduling.js';
import { startUpstream } from '../../../test/support/upstream.js';
import { startSmtp, type TestSmtp } from '../../../test/support/smtp.js';
import type { TaskCause } from '../tasks/open-task.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
// A Wednesday, 10:00 UTC: a setup task (4 working hours) in a 09:00–18:00 UTC office is due at 14:00.
const clock = new ManualClock('2026-11-25T10:00:00Z');
let smtp: TestSmtp;
let t: TestBillrelay;
let upstream: Sandbox;
let seq = 0;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await startBillrelay({
    clock,
    env: { BILLRELAY_WORKER: 'off', BILLRELAY_SMTP_URL: smtp.url, BILLRELAY_MAIL_FROM: 'Billing <billing@reseller.test>' },
  });
  upstream = await startUpstream(t);
});
afterAll(async () => {
  await upstream?.close();
  await t?.close();
  await smtp?.close();
});
// The clock runs ahead by hours; a fresh admin session each time keeps the API calls working.
beforeEach(async () => {
  await t.admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
});

interface Staff { id: number; email: string; name: string }

async function staff(departmentIds: number[], options: { enabled?: boolean } = {}): Promise<Staff> {
  seq += 1;
  const email = `staff-${seq}-${Date.now().toString(36)}@example.test`;
  const name = `Staff ${seq}`;
  const answer = await t.admin.post('/api/v1/employees', {
    email, name, password: 'staff-password-1', language: 'en', departmentIds, rights: ['tasks.change'], enabled: options.enabled ?? true,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return { id: answer.body.id, email, name };
}

async function department(taskLocale: 'en' | 'ru', memberIds: number[], headEmployeeId: number | null = null) {
  const hours = await officeHours(t);
  const d = await newDepartment(t, { taskLocale, businessHoursId: hours.id, memberIds });
  if (headEmployeeId !== null) expect((await t.admin.patch(`/api/v1/departments/${d.id}`, { headEmployeeId })).status).toBe(200);
  const view = (await t.admin.get(`/api/v1/departments/${d.id}`)).body;
  return { id: d.id, name: view.name as { en: string; ru: string } };
}

/** A setup task (its title names a license of its own, so each task's e-mails have their own subject). */
const openTask = (departmentId: number | null, type: TaskCause['type'] = 'setup') => {
  seq += 1;
  return t.billrelay.db.transaction((trx) =>
    t.billrelay.services.tasks.openForCause(trx, {
      type,
      causeKey: `operation:mail-${seq}`,
      departmentId,
      params: { licenseId: seq, licenseName: `web${seq}`, ip: '198.51.100.7', operationId: 12, operation: 'open', attempts: 8, error: 'upstream timeout' },
    }),
  );
};

const taskRow = (id: number) => t.billrelay.db.kysely.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
/** Sends what the outbox holds and answers what reached `who` with this subject. */
async function received(who: Staff | string, subject: string | RegExp) {
  await t.billrelay.mailer.runOnce();
  const address = typeof who === 'string' ? who : who.email;
  return smtp.received.filter((m) => m.to.includes(address) && (typeof subject === 'string' ? m.subject === subject : subject.test(m.subject)));
}
/** Moves the clock and runs one scheduler tick, as the server's timer would. */
async function later(ms: number) {
  clock.advance(ms);
  return t.billrelay.scheduler.tick();
}

describe('a task opened for a department', () => {
  test("each enabled member gets one e-mail in the department's task language; outsiders and disabled members none", async () => {
    const anna = await staff([]);
    const boris = await staff([]);
    const carl = await staff([], { enabled: false });
    const dora = await staff([]);
    const d = await department('ru', [anna.id, boris.id, carl.id]);
    const { id } = await openTask(d.id);
    const task = await taskRow(id);
    expect(task.dueAt).toBe('2026-11-25T14:00:00.000Z');
    const subject = `Новая задача: ${task.title}`;

    for (const member of [anna, boris]) {
      const mails = await received(member, subject);
      expect(mails, member.email).toHaveLength(1);
      const mail = mails[0]!;
      expect(mail.headers['content-language']).toBe('ru');
      expect(mail.text).toContain(`Здравствуйте, ${member.name}!`);
      expect(mail.text).toContain(`Для отдела «${d.name.ru}» открыта новая задача. Её нужно выполнить до 2026-11-25 14:00 UTC.`);
      expect(mail.text).toContain(`Задача № ${id}: ${task.title}`);
      expect(mail.text).toContain('upstream timeout');
    }
    expect(await received(carl, subject)).toHaveLength(0);
    expect(await received(dora, subject)).toHaveLength(0);

    // The same cause again is the same task: nobody hears of it twice.
    const sameCause = await t.billrelay.db.transaction((trx) => t.billrelay.services.tasks.openForCause(trx, { type: 'setup', causeKey: task.causeKey, departmentId: d.id, params: {} }));
    expect(sameCause).toEqual({ id, created: false });
    expect(await received(anna, subject)).toHaveLength(1);
  });

  test('an English department is mailed in English; an opening that rolls back mails nobody', async () => {
    const erin = await staff([]);
    const d = await department('en', [erin.id]);
    const { id } = await openTask(d.id);
    const task = await taskRow(id);
    const [mail] = await received(erin, `New task: ${task.title}`);
    expect(mail!.text).toContain(`A new task was opened for the ${d.name.en} department. It is due by 2026-11-25 14:00 UTC.`);
    expect(mail!.headers['content-language']).toBe('en');

    const before = smtp.received.filter((m) => m.to.includes(erin.email)).length;
    await expect(
      t.billrelay.db.transaction(async (trx) => {
        await t.billrelay.services.tasks.openForCause(trx, { type: 'setup', causeKey: 'operation:rolled-back', departmentId: d.id, params: {} });
        throw new Error('the event failed');
      }),
    ).rejects.toThrow('the event failed');
    expect(await tasksWithCause(t, 'operation:rolled-back')).toHaveLength(0);
    await t.billrelay.mailer.runOnce();
    expect(smtp.received.filter((m) => m.to.includes(erin.email))).toHaveLength(before);
  });
});

describe('a task past its due time (the scheduler, on a manual clock)', () => {
  test('the head of department hears once; without a head the performer, or the members while nobody works it', async () => {
    const hana = await staff([]);
    const mia = await staff([]);
    const withHead = await department('en', [hana.id, mia.id], hana.id);
    const paul = await staff([]);
    const quinn = await staff([]);
    const headless = await department('ru', [paul.id, quinn.id]);

    const taken = await openTask(withHead.id);
    expect((await t.admin.post(`/api/v1/tasks/${taken.id}/assign`, { employeeId: mia.id })).status).toBe(200);
    const assigned = await openTask(headless.id);
    expect((await t.admin.post(`/api/v1/tasks/${assigned.id}/assign`, { employeeId: paul.id })).status).toBe(200);
    const nobodys = await openTask(headless.id);
    const closed = await openTask(headless.id);
    expect((await t.admin.patch(`/api/v1/tasks/${closed.id}`, { status: 'done' })).status).toBe(200);
    const [takenRow, assignedRow, nobodysRow] = [await taskRow(taken.id), await taskRow(assigned.id), await taskRow(nobodys.id)];

    // Not overdue yet: nothing.
    await later(MINUTE);
    expect(smtp.received.filter((m) => /^(Task overdue|Задача просрочена)/.test(m.subject))).toHaveLength(0);

    // 14:01, one minute past due; the job runs again later, and once more in the same minute.
    await later(4 * HOUR);
    await t.billrelay.scheduler.tick();
    await later(20 * MINUTE);
    await later(20 * MINUTE);

    const toHead = await received(hana, `Task overdue: ${takenRow.title}`);
    expect(toHead).toHaveLength(1);
    expect(toHead[0]!.text).toContain(`Task ${taken.id} of the ${withHead.name.en} department was due by 2026-11-25 14:00 UTC and is still not done.`);
    expect(toHead[0]!.text).toContain(`Performer: ${mia.name}`);
    expect(await received(mia, /^Task overdue/)).toHaveLength(0);

    const ruSubject = (title: string) => `Задача просрочена: ${title}`;
    expect(await received(paul, ruSubject(assignedRow.title))).toHaveLength(1);
    expect(await received(quinn, ruSubject(assignedRow.title))).toHaveLength(0);
    for (const member of [paul, quinn]) {
      const mails = await received(member, ruSubject(nobodysRow.title));
      expect(mails, member.email).toHaveLength(1);
      expect(mails[0]!.text).toContain(`Задачу № ${nobodys.id} отдела «${headless.name.ru}» нужно было выполнить до 2026-11-25 14:00 UTC, но она всё ещё не выполнена.`);
      expect(mails[0]!.text).toContain('Исполнитель: —');
    }
    const aboutClosed = smtp.received.filter((m) => m.subject.includes('просрочена') && m.text.includes(`№ ${closed.id} `));
    expect(aboutClosed).toHaveLength(0);
    const overdueRows = await t.billrelay.db.kysely.selectFrom('messages').select('entityId').where('event', '=', 'task_overdue').where('entityId', 'in', [taken.id, assigned.id, nobodys.id, closed.id]).execute();
    expect(overdueRows.map((r) => Number(r.entityId)).sort((a, b) => a - b)).toEqual([taken.id, assigned.id, nobodys.id, nobodys.id].sort((a, b) => a - b));
  });
});

describe('a task once taken (members while nobody works it, then the performer)', () => {
  test('in a department without a head: the overdue e-mail goes to the performer alone, once; the same cause again mails nobody; a performer disabled since: the members, not nobody', async () => {
    const ivan = await staff([]);
    const jana = await staff([]);
    const kim = await staff([]);
    const d = await department('en', [ivan.id, jana.id, kim.id]);
    const taken = await openTask(d.id);
    const abandoned = await openTask(d.id);
    const [takenRow, abandonedRow] = [await taskRow(taken.id), await taskRow(abandoned.id)];
    // Opened while nobody works them: every member hears of each.
    for (const member of [ivan, jana, kim]) {
      expect(await received(member, `New task: ${takenRow.title}`), member.email).toHaveLength(1);
      expect(await received(member, `New task: ${abandonedRow.title}`), member.email).toHaveLength(1);
    }

    const asIvan = await t.loginAs(ivan.email, 'staff-password-1');
    expect((await asIvan.post(`/api/v1/tasks/${taken.id}/take`)).body).toMatchObject({ performerId: ivan.id, status: 'in_progress' });
    const asJana = await t.loginAs(jana.email, 'staff-password-1');
    expect((await asJana.post(`/api/v1/tasks/${abandoned.id}/take`)).body).toMatchObject({ performerId: jana.id });
    expect((await t.admin.patch(`/api/v1/employees/${jana.id}`, { enabled: false })).status).toBe(200);

    // Its cause happening again while Ivan works it: the same task, no new e-mail to anyone.
    const again = await t.billrelay.db.transaction((trx) => t.billrelay.services.tasks.openForCause(trx, { type: 'setup', causeKey: takenRow.causeKey, departmentId: d.id, params: {} }));
    expect(again).toEqual({ id: taken.id, created: false });

    // Past due, and the job runs several times.
    clock.set(new Date(Date.parse(takenRow.dueAt!) + MINUTE));
    await t.billrelay.scheduler.tick();
    await later(20 * MINUTE);
    await later(20 * MINUTE);

    expect(await received(ivan, `Task overdue: ${takenRow.title}`)).toHaveLength(1);
    expect((await received(ivan, `Task overdue: ${takenRow.title}`))[0]!.text).toContain(`Performer: ${ivan.name}`);
    for (const other of [jana, kim]) expect(await received(other, `Task overdue: ${takenRow.title}`), other.email).toHaveLength(0);
    // Jana can no longer act on hers: those it concerns while nobody works it hear of it instead.
    for (const member of [ivan, kim]) expect(await received(member, `Task overdue: ${abandonedRow.title}`), member.email).toHaveLength(1);
    expect(await received(jana, `Task overdue: ${abandonedRow.title}`)).toHaveLength(0);
    for (const member of [ivan, jana, kim]) {
      expect(await received(member, `New task: ${takenRow.title}`), member.email).toHaveLength(1);
    }
  });
});

describe('an upstream balance below its minimum', () => {
  test("the module's department hears once per stretch of low balance, in its language, with the balances; not again as a new task", async () => {
    const rita = await staff([]);
    const sam = await staff([]);
    const d = await department('ru', [rita.id, sam.id]);
    const module = await connectModule(t, upstream, { balance: '10.00', minimalBalance: '50.00', departmentId: d.id });
    const moduleName = (await t.admin.get(`/api/v1/processing-modules/${module.id}`)).body.name.ru as string;
    const setBalance = (balance: string) => upstream.control.upsertAccount({ username: module.username, balance });
    const subject = `Низкий баланс у поставщика: «${moduleName}»`;

    // The balance check (and the renewals job, which checks before its batch) run in the same tick, then hourly.
    await later(HOUR);
    await later(HOUR);
    const [task] = await tasksWithCause(t, `low_balance:${module.id}`);
    expect(task).toBeDefined();
    for (const member of [rita, sam]) {
      const mails = await received(member, subject);
      expect(mails, member.email).toHaveLength(1);
      expect(mails[0]!.text).toContain(`Баланс модуля обработки «${moduleName}» у поставщика — 10.00 EUR, это меньше минимального баланса 50.00 EUR.`);
      expect(mails[0]!.text).toContain(`задача № ${task!.id} закроется сама`);
      // The low-balance task is announced by this e-mail, not by a second "new task" one.
      expect(await received(member, `Новая задача: ${task!.title}`)).toHaveLength(0);
    }

    // Recovered: the task closes; nothing is mailed. A new drop is a new stretch: one more e-mail.
    setBalance('75.00');
    await later(HOUR);
    expect((await taskRow(task!.id)).status).toBe('done');
    setBalance('5.00');
    await later(HOUR);
    await later(HOUR);
    const again = await received(rita, subject);
    expect(again).toHaveLength(2);
    expect(again[1]!.text).toContain('5.00 EUR');
  });

  test('a module without a department: the administrators hear of it, in English', async () => {
    const module = await connectModule(t, upstream, { balance: '1.00', minimalBalance: '20.00', departmentId: null });
    const moduleName = (await t.admin.get(`/api/v1/processing-modules/${module.id}`)).body.name.en as string;
    await later(HOUR);
    const mails = await received(ADMIN_EMAIL, `Low upstream balance: ${moduleName}`);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(`The upstream balance of processing module "${moduleName}" is 1.00 EUR, below its minimal balance of 20.00 EUR.`);
  });
});
