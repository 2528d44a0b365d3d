// Access rights in Chromium: an administrator creates an employee and a department with rights through the
// pages; the employee logs in and sees only what they may open; what they may not do is refused; the
// employees and departments pages have no serious or critical axe violation. An employee who may only read
// tasks, operations and licenses sees them without a button that would change them. Needs Debian's Chromium.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from '../support/billrelay.js';
import { connectSandboxModule, insertLicense, operationRow, tariffAndClient } from '../support/licenses.js';
import { axeViolations, hasChromium, skipNote, startUi, type Ui } from './browser.js';


describe.skipIf(!hasChromium)(`rights in the staff panel, in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;

  beforeAll(async () => {
    // Only axe's own script needs the CSP bypassed (csp.test.ts proves the pages need nothing inline).
    ui = await startUi({}, { bypassCSP: true });
    ({ server, page } = ui);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  test('an administrator gives rights through the pages; the employee sees and may do only that', async () => {
    await ui.login();
    const found: string[] = [];

    // A department that lets its members read the tasks.
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Departments' }).click();
    await page.getByRole('heading', { name: 'Departments', level: 1 }).waitFor();
    await page.getByRole('main').getByText('Sales').first().waitFor();
    found.push(...(await axeViolations(page)).map((v) => `departments: ${v}`));
    await page.getByRole('button', { name: 'New department' }).click();
    const newDept = page.getByRole('form', { name: 'New department' });
    await newDept.getByLabel('Name (en) *').fill('Night shift');
    await newDept.getByRole('checkbox', { name: 'Read: Tasks' }).check();
    found.push(...(await axeViolations(page)).map((v) => `department dialog: ${v}`));
    await newDept.getByRole('button', { name: 'Add' }).click();
    await page.getByText('Department Night shift created').waitFor();
    // The dialog stays open on the new department, for its members.
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    const dept = (await server.admin.get('/api/v1/departments?perPage=500')).body.items.find((d: { displayName: string }) => d.displayName === 'Night shift');
    expect(dept).toMatchObject({ rights: ['tasks.read'] });

    // An employee in that department, with data centers to change directly.
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Employees' }).click();
    await page.getByRole('heading', { name: 'Employees', level: 1 }).waitFor();
    await page.getByRole('main').getByText('admin@example.test').waitFor();
    found.push(...(await axeViolations(page)).map((v) => `employees: ${v}`));
    await page.getByRole('button', { name: 'New employee' }).click();
    const newEmployee = page.getByRole('form', { name: 'New employee' });
    await newEmployee.getByLabel('Name').fill('Olga Night');
    await newEmployee.getByLabel('E-mail').fill('olga@example.test');
    await newEmployee.getByRole('textbox', { name: 'Password' }).fill('short');
    await newEmployee.getByRole('button', { name: 'Add' }).click();
    // A field error under the field, in words.
    await expect.poll(() => newEmployee.getByRole('alert').first().innerText()).toBe('Use at least 8 characters.');
    await newEmployee.getByRole('textbox', { name: 'Password' }).fill('staff-password-1');
    await newEmployee.getByRole('checkbox', { name: 'Night shift' }).check();
    // The department's right shows as inherited, not editable here.
    const inherited = newEmployee.getByRole('checkbox', { name: 'Read: Tasks (from a department)' });
    await inherited.waitFor();
    expect(await inherited.isChecked()).toBe(true);
    expect(await inherited.isDisabled()).toBe(true);
    await newEmployee.getByRole('checkbox', { name: 'Change: Data centers' }).check();
    // "Change" brings "read" along.
    expect(await newEmployee.getByRole('checkbox', { name: 'Read: Data centers' }).isChecked()).toBe(true);
    found.push(...(await axeViolations(page)).map((v) => `employee dialog: ${v}`));
    await newEmployee.getByRole('button', { name: 'Add' }).click();
    await page.getByText('Employee Olga Night created').waitFor();
    await page.getByRole('main').getByText('olga@example.test').waitFor();
    const olga = (await server.admin.get('/api/v1/employees?search=olga')).body.items[0];
    expect(olga).toMatchObject({ isAdmin: false, rights: ['datacenters.change'], departmentIds: [dept.id] });
    expect(found).toEqual([]);

    // Olga logs in: the menu has the dashboard, data centers and tasks, nothing else.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('E-mail').fill('olga@example.test');
    await page.getByLabel('Password').fill('staff-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    const menu = page.getByRole('navigation', { name: 'Main menu' });
    await menu.getByRole('link', { name: 'Tasks' }).waitFor();
    expect(await menu.getByRole('link').allInnerTexts()).toEqual(['What needs attention', 'Data centers', 'Tasks']);
    // The dashboard shows the tasks, not the upstream balances she may not read.
    await menu.getByRole('link', { name: 'What needs attention' }).click();
    await page.getByRole('main').getByText(/open task/).waitFor();
    expect(await page.getByRole('heading', { name: 'Upstream balances' }).count()).toBe(0);

    // A page she may not open says so (no crash, no data); she was on the employees page when the
    // administrator logged out, and lands there first.
    await page.goto(`${server.url}/billmgr/employees`);
    await page.getByRole('heading', { name: 'No access' }).waitFor();
    expect(await page.getByRole('main').innerText()).toContain('employees.read');
    expect(await page.getByRole('main').getByText('admin@example.test').count()).toBe(0);

    // What she may do works; the server refuses the rest with the right it needs.
    await page.goto(`${server.url}/billmgr/datacenters`);
    const add = page.getByRole('form', { name: 'Add data center' });
    await add.getByLabel('Name (en) *').fill('Night DC');
    await add.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('main').getByRole('cell', { name: 'Night DC', exact: true }).waitFor();
    // The browser's own session (cookie and CSRF token) asks for what her page does not offer.
    const csrf = (await page.context().cookies()).find((c) => c.name === 'billrelay_csrf')?.value ?? '';
    const refused = await page.evaluate(async (token: string) => {
      const answer = await fetch('/api/v1/departments', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token }, body: JSON.stringify({ name: { en: 'Mine' } }) });
      return { status: answer.status, body: (await answer.json()) as unknown };
    }, csrf);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden', details: { right: 'departments.change' } } } });

    // Taken out of the department, she loses the tasks at the next page load.
    expect((await server.admin.delete(`/api/v1/departments/${dept.id}/members/${olga.id}`)).status).toBe(204);
    await page.reload();
    await menu.getByRole('link', { name: 'Data centers' }).waitFor();
    expect(await menu.getByRole('link').allInnerTexts()).toEqual(['What needs attention', 'Data centers']);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();

    // The administrator edits her rights and puts her back in the department from its page.
    await ui.login();
    await page.goto(`${server.url}/billmgr/employees`);
    await page.getByRole('button', { name: 'Edit Olga Night' }).click();
    const edit = page.getByRole('form', { name: 'Employee Olga Night' });
    // Her address is not confirmed yet; the link mailed when she was created is too recent to send again.
    await edit.getByText('E-mail not confirmed').waitFor();
    await edit.getByRole('button', { name: 'Send the link again' }).click();
    await page.getByText(/sent less than 5 minutes ago/).waitFor();
    await edit.getByRole('checkbox', { name: 'Change: Data centers' }).uncheck();
    await edit.getByRole('checkbox', { name: 'Read: Licenses' }).check();
    await edit.getByRole('checkbox', { name: 'Log in as a client' }).check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Employee Olga Night saved').waitFor();
    expect((await server.admin.get(`/api/v1/employees/${olga.id}`)).body.rights).toEqual(['client.impersonate', 'licenses.read']);

    await page.goto(`${server.url}/billmgr/departments`);
    await page.getByRole('button', { name: 'Edit Night shift' }).click();
    const dialog = page.getByRole('dialog', { name: 'Department Night shift' });
    await dialog.getByLabel('Employee to add').selectOption({ label: 'Olga Night (olga@example.test)' });
    await dialog.getByRole('button', { name: 'Add member' }).click();
    await page.getByText('Olga Night added to the department').waitFor();
    await dialog.getByRole('button', { name: 'Remove Olga Night from the department' }).waitFor();
    expect((await server.admin.get(`/api/v1/departments/${dept.id}`)).body.memberIds).toEqual([olga.id]);
    await dialog.getByRole('button', { name: 'Remove Olga Night from the department' }).click();
    await page.getByText('Olga Night removed from the department').waitFor();
    expect((await server.admin.get(`/api/v1/departments/${dept.id}`)).body.memberIds).toEqual([]);
  }, 180_000);

  test('an employee who may only read tasks, operations and licenses sees no button that would change them', async () => {
    // A purchase that waits for a person: an operation in status manual, with its task.
    const upstream = await startSandbox({});
    try {
      const desk = await server.admin.post('/api/v1/departments', { name: { en: 'Readers desk' } });
      expect(desk.status, JSON.stringify(desk.body)).toBe(201);
      const module = await connectSandboxModule(server, upstream, { balance: '0.00', extra: { departmentId: desk.body.id } });
      const { tariffId, clientId } = await tariffAndClient(server, module.id);
      const license = await insertLicense(server, { clientId, tariffId, licenseName: 'shop-readonly', ip: '203.0.113.91' });
      for (let i = 0; (await operationRow(server, license.operationId!)).status !== 'manual'; i++) {
        if (i > 100) throw new Error('the purchase did not stop for a person');
        await new Promise((r) => setTimeout(r, 50));
      }
      const created = await server.admin.post('/api/v1/employees', {
        name: 'Rita Reader',
        email: 'rita@example.test',
        password: 'staff-password-1',
        language: 'en',
        rights: ['tasks.read', 'operations.read', 'licenses.read'],
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      // She sees the work of her department: the module's, whose task this is.
      const joined = await server.admin.post(`/api/v1/departments/${desk.body.id}/members`, { employeeId: created.body.id });
      expect(joined.status, JSON.stringify(joined.body)).toBeLessThan(300);

      const main = page.getByRole('main');
      const tasks = main.getByRole('table', { name: 'Tasks' });
      const operations = main.getByRole('table', { name: 'Operations' });
      const pages = [
        { route: 'tasks', ready: () => tasks.getByText('shop-readonly').first(), buttons: () => tasks.getByRole('button') },
        { route: 'operations', ready: () => operations.getByRole('link', { name: String(license.operationId), exact: true }), buttons: () => operations.getByRole('button') },
        { route: `operations/${license.operationId}`, ready: () => main.getByText('Attempts'), buttons: () => main.getByRole('button') },
        { route: `licenses/${license.licenseId}`, ready: () => main.getByText('203.0.113.91'), buttons: () => main.getByRole('button') },
      ];

      // The administrator sees the actions (so their absence below means something), and at 1280 px the
      // tasks table shows them without scrolling sideways.
      await page.setViewportSize({ width: 1280, height: 800 });
      try {
        for (const { route, ready, buttons } of pages) {
          await page.goto(`${server.url}/billmgr/${route}`);
          await ready().waitFor();
          expect(await buttons().count(), route).toBeGreaterThan(0);
        }
        await page.goto(`${server.url}/billmgr/tasks`);
        await tasks.getByRole('button', { name: /^Take task/ }).first().waitFor();
        const box = tasks.locator('xpath=ancestor::div[contains(@class, "table-scroll")][1]');
        const [scrollWidth, clientWidth] = await box.evaluate((el) => [el.scrollWidth, el.clientWidth]);
        expect(scrollWidth, 'the tasks table is wider than its box at 1280 px').toBeLessThanOrEqual(clientWidth);
      } finally {
        await page.setViewportSize({ width: 1200, height: 760 });
      }

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByLabel('E-mail').fill('rita@example.test');
      await page.getByLabel('Password').fill('staff-password-1');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('button', { name: 'Log out' }).waitFor();
      const shown: string[] = [];
      for (const { route, ready, buttons } of pages) {
        await page.goto(`${server.url}/billmgr/${route}`);
        await ready().waitFor();
        shown.push(...(await buttons().allInnerTexts()).map((b) => `${route}: ${b}`));
      }
      expect(shown).toEqual([]);
      expect(await main.getByRole('region', { name: 'License actions' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('button', { name: 'Log in' }).waitFor();
    } finally {
      await upstream.close();
    }
  }, 180_000);
});
