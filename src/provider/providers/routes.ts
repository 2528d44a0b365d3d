import { z } from 'zod';
import { PageQuery, pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { IdParams } from '../../platform/http/schemas.js';
import { ProviderInput, ProviderPatch, ProviderView } from './schemas.js';
import type { ProviderService } from './service.js';

const tags = ['Provider: Providers'];

export function providerRoutes(app: App, providers: ProviderService): void {
  app.get('/api/v1/providers', {
    schema: { querystring: PageQuery, response: { 200: pageOf(ProviderView) }, tags },
    preHandler: app.requireRight('providers.read'),
  }, async (req) => providers.list(req.query));

  app.get('/api/v1/providers/:id', {
    schema: { params: IdParams, response: { 200: ProviderView }, tags },
    preHandler: app.requireRight('providers.read'),
  }, async (req) => providers.get(req.params.id));

  app.post('/api/v1/providers', {
    schema: { body: ProviderInput, response: { 201: ProviderView }, tags },
    preHandler: app.requireRight('providers.change'),
  }, async (req, reply) => reply.code(201).send(await providers.create(req.body, req.actor)));

  app.patch('/api/v1/providers/:id', {
    schema: { params: IdParams, body: ProviderPatch, response: { 200: ProviderView }, tags },
    preHandler: app.requireRight('providers.change'),
  }, async (req) => providers.update(req.params.id, req.body, req.actor));

  app.delete('/api/v1/providers/:id', {
    schema: { params: IdParams, response: { 204: z.null() }, tags },
    preHandler: app.requireRight('providers.change'),
  }, async (req, reply) => {
    await providers.remove(req.params.id, req.actor);
    return reply.code(204).send(null);
  });
}
