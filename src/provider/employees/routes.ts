import { z } from 'zod';
import { PageQuery, pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { IdParams } from '../../platform/http/schemas.js';
import { EmployeeInput, EmployeePatch, EmployeeView } from './schemas.js';
import type { EmployeeService } from './service.js';

const tags = ['Provider: Employees'];

export function employeeRoutes(app: App, employees: EmployeeService): void {
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
    schema: { body: EmployeeInput, response: { 201: EmployeeView }, tags },
    preHandler: app.requireRight('employees.change'),
  }, async (req, reply) => reply.code(201).send(await employees.create(req.body, req.actor)));

  app.patch('/api/v1/employees/:id', {
    schema: { params: IdParams, body: EmployeePatch, response: { 200: EmployeeView }, tags },
    preHandler: app.requireRight('employees.change'),
  }, async (req) => employees.update(req.params.id, req.body, req.actor));

  app.delete('/api/v1/employees/:id', {
    schema: { params: IdParams, response: { 204: z.null() }, tags },
    preHandler: app.requireRight('employees.change'),
  }, async (req, reply) => {
    await employees.remove(req.params.id, req.actor);
    return reply.code(204).send(null);
  });
}
