import { z } from 'zod';
import type { AuthService } from '../../platform/auth/service.js';
import { requestOrigin } from '../../platform/auth/routes.js';
import { ConfirmationResent } from '../../platform/auth/schemas.js';
import { PageQuery, pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { IdParams } from '../../platform/http/schemas.js';
import { EmployeeInput, EmployeePatch, EmployeeView } from './schemas.js';
import type { EmployeeService } from './service.js';

const tags = ['Provider: Employees'];

export function employeeRoutes(app: App, employees: EmployeeService, auth: AuthService): void {
  app.get('/api/v1/employees', {
    schema: {
      querystring: PageQuery.extend({ search: z.string().trim().max(200).optional().meta({ description: 'Part of the name or e-mail, any case' }) }),
      response: { 200: pageOf(EmployeeView) },
      tags,
    },
    preHandler: app.requireRight('employees.read'),
  }, async (req) => employees.list(req.query, req.query.search || undefined));

  app.get('/api/v1/employees/:id', {
    schema: { params: IdParams, response: { 200: EmployeeView }, tags },
    preHandler: app.requireRight('employees.read'),
  }, async (req) => employees.get(req.params.id));

  app.post('/api/v1/employees', {
    schema: { body: EmployeeInput, response: { 201: EmployeeView }, tags, summary: 'Creates an employee, who is mailed a link to confirm the e-mail address (valid 7 days)' },
    preHandler: app.requireRight('employees.change'),
  }, async (req, reply) => reply.code(201).send(await employees.create(req.body, req.actor, requestOrigin(req))));

  app.patch('/api/v1/employees/:id', {
    schema: { params: IdParams, body: EmployeePatch, response: { 200: EmployeeView }, tags, summary: 'Changes an employee; a new e-mail address is unconfirmed until the link mailed to it is opened' },
    preHandler: app.requireRight('employees.change'),
  }, async (req) => employees.update(req.params.id, req.body, req.actor, requestOrigin(req)));

  app.post('/api/v1/employees/:id/confirm-email/resend', {
    schema: {
      params: IdParams, body: z.object({}).optional(), response: { 202: ConfirmationResent }, tags,
      summary: 'Mails the employee a new link to confirm the e-mail address (audited); at most once per 5 minutes per employee (429), 409 when already confirmed or disabled',
    },
    preHandler: app.requireRight('employees.change'),
  }, async (req, reply) => {
    const { email } = await auth.resendEmployeeEmailConfirmation(req.params.id, req.actor, requestOrigin(req));
    return reply.code(202).send({ status: 'confirmation_sent' as const, email });
  });

  app.delete('/api/v1/employees/:id', {
    schema: { params: IdParams, response: { 204: z.null() }, tags },
    preHandler: app.requireRight('employees.change'),
  }, async (req, reply) => {
    await employees.remove(req.params.id, req.actor);
    return reply.code(204).send(null);
  });
}
