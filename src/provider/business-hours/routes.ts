import { z } from 'zod';
import { PageQuery, pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { IdParams } from '../../platform/http/schemas.js';
import { BusinessHoursInput, BusinessHoursPatch, BusinessHoursView } from './schemas.js';
import type { BusinessHoursService } from './service.js';

const tags = ['Provider: Business hours'];

export function businessHoursRoutes(app: App, businessHours: BusinessHoursService): void {
  app.get('/api/v1/business-hours', {
    schema: { querystring: PageQuery, response: { 200: pageOf(BusinessHoursView) }, tags },
    preHandler: app.requireRight('business-hours.read'),
  }, async (req) => businessHours.list(req.query));

  app.get('/api/v1/business-hours/:id', {
    schema: { params: IdParams, response: { 200: BusinessHoursView }, tags },
    preHandler: app.requireRight('business-hours.read'),
  }, async (req) => businessHours.get(req.params.id));

  app.post('/api/v1/business-hours', {
    schema: { body: BusinessHoursInput, response: { 201: BusinessHoursView }, tags },
    preHandler: app.requireRight('business-hours.change'),
  }, async (req, reply) => reply.code(201).send(await businessHours.create(req.body, req.actor)));

  app.patch('/api/v1/business-hours/:id', {
    schema: { params: IdParams, body: BusinessHoursPatch, response: { 200: BusinessHoursView }, tags },
    preHandler: app.requireRight('business-hours.change'),
  }, async (req) => businessHours.update(req.params.id, req.body, req.actor));

  app.delete('/api/v1/business-hours/:id', {
    schema: { params: IdParams, response: { 204: z.null() }, tags },
    preHandler: app.requireRight('business-hours.change'),
  }, async (req, reply) => {
    await businessHours.remove(req.params.id, req.actor);
    return reply.code(204).send(null);
  });
}
