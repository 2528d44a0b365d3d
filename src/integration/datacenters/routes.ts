import { z } from 'zod';
import { PageQuery, pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { IdParams, MoveInput } from '../../platform/http/schemas.js';
import { DatacenterInput, DatacenterPatch, DatacenterView } from './schemas.js';
import type { DatacenterService } from './service.js';

const tags = ['Integration: Data centers'];

export function datacenterRoutes(app: App, datacenters: DatacenterService): void {
  app.get('/api/v1/datacenters', {
    schema: { querystring: PageQuery, response: { 200: pageOf(DatacenterView) }, tags },
    preHandler: app.requireRight('datacenters.read'),
  }, async (req) => datacenters.list(req.query, req.actor));

  app.get('/api/v1/datacenters/:id', {
    schema: { params: IdParams, response: { 200: DatacenterView }, tags },
    preHandler: app.requireRight('datacenters.read'),
  }, async (req) => datacenters.get(req.params.id, req.actor));

  app.post('/api/v1/datacenters', {
    schema: { body: DatacenterInput, response: { 201: DatacenterView }, tags },
    preHandler: app.requireRight('datacenters.change'),
  }, async (req, reply) => reply.code(201).send(await datacenters.create(req.body, req.actor)));

  app.patch('/api/v1/datacenters/:id', {
    schema: { params: IdParams, body: DatacenterPatch, response: { 200: DatacenterView }, tags },
    preHandler: app.requireRight('datacenters.change'),
  }, async (req) => datacenters.update(req.params.id, req.body, req.actor));

  app.post('/api/v1/datacenters/:id/move', {
    schema: { params: IdParams, body: MoveInput, response: { 200: DatacenterView }, tags },
    preHandler: app.requireRight('datacenters.change'),
  }, async (req) => datacenters.move(req.params.id, req.body.direction, req.actor));

  app.delete('/api/v1/datacenters/:id', {
    schema: { params: IdParams, response: { 204: z.null() }, tags },
    preHandler: app.requireRight('datacenters.change'),
  }, async (req, reply) => {
    await datacenters.remove(req.params.id, req.actor);
    return reply.code(204).send(null);
  });
}
