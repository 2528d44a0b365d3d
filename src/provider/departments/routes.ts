import { z } from 'zod';
import { PageQuery, pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { IdParams, MoveInput } from '../../platform/http/schemas.js';
import { DepartmentInput, DepartmentPatch, DepartmentView, MemberInput, MemberParams, MemberView } from './schemas.js';
import type { DepartmentService } from './service.js';

const tags = ['Provider: Departments'];

export function departmentRoutes(app: App, departments: DepartmentService): void {
  app.get('/api/v1/departments', {
    schema: { querystring: PageQuery, response: { 200: pageOf(DepartmentView) }, tags },
    preHandler: app.requireRight('departments.read'),
  }, async (req) => departments.list(req.query, req.actor));

  app.get('/api/v1/departments/:id', {
    schema: { params: IdParams, response: { 200: DepartmentView }, tags },
    preHandler: app.requireRight('departments.read'),
  }, async (req) => departments.get(req.params.id, req.actor));

  app.post('/api/v1/departments', {
    schema: { body: DepartmentInput, response: { 201: DepartmentView }, tags },
    preHandler: app.requireRight('departments.change'),
  }, async (req, reply) => reply.code(201).send(await departments.create(req.body, req.actor)));

  app.patch('/api/v1/departments/:id', {
    schema: { params: IdParams, body: DepartmentPatch, response: { 200: DepartmentView }, tags },
    preHandler: app.requireRight('departments.change'),
  }, async (req) => departments.update(req.params.id, req.body, req.actor));

  app.post('/api/v1/departments/:id/move', {
    schema: { params: IdParams, body: MoveInput, response: { 200: DepartmentView }, tags },
    preHandler: app.requireRight('departments.change'),
  }, async (req) => departments.move(req.params.id, req.body.direction, req.actor));

  app.delete('/api/v1/departments/:id', {
    schema: { params: IdParams, response: { 204: z.null() }, tags },
    preHandler: app.requireRight('departments.change'),
  }, async (req, reply) => {
    await departments.remove(req.params.id, req.actor);
    return reply.code(204).send(null);
  });

  app.get('/api/v1/departments/:id/members', {
    schema: { params: IdParams, response: { 200: z.object({ items: z.array(MemberView), total: z.number().int() }) }, tags },
    preHandler: app.requireRight('departments.read'),
  }, async (req) => {
    const items = await departments.members(req.params.id);
    return { items, total: items.length };
  });

  app.post('/api/v1/departments/:id/members', {
    schema: { params: IdParams, body: MemberInput, response: { 201: MemberView }, tags },
    preHandler: app.requireRight('departments.change'),
  }, async (req, reply) => reply.code(201).send(await departments.addMember(req.params.id, req.body.employeeId, req.actor)));

  app.delete('/api/v1/departments/:id/members/:employeeId', {
    schema: { params: MemberParams, response: { 204: z.null() }, tags },
    preHandler: app.requireRight('departments.change'),
  }, async (req, reply) => {
    await departments.removeMember(req.params.id, req.params.employeeId, req.actor);
    return reply.code(204).send(null);
  });
}
