import { z } from 'zod';
import { PageQuery, pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { LocalizationCreate, LocalizationParams, LocalizationUpdate, LocalizationView } from './schemas.js';
import type { LocalizationService } from './service.js';

const tags = ['Settings: Localizations'];

export function localizationRoutes(app: App, localizations: LocalizationService): void {
  app.get('/api/v1/localizations', {
    schema: { querystring: PageQuery, response: { 200: pageOf(LocalizationView) }, tags, summary: 'The default first, then by code' },
    preHandler: app.requireAuth,
  }, async (req) => localizations.page(req.query));

  app.get('/api/v1/localizations/:code', {
    schema: { params: LocalizationParams, response: { 200: LocalizationView }, tags },
    preHandler: app.requireAuth,
  }, async (req) => localizations.get(req.params.code));

  app.post('/api/v1/localizations', {
    schema: { body: LocalizationCreate, response: { 201: LocalizationView }, tags },
    preHandler: app.requireRight('localizations.change'),
  }, async (req, reply) => reply.code(201).send(await localizations.create(req.body, req.actor)));

  app.patch('/api/v1/localizations/:code', {
    schema: { params: LocalizationParams, body: LocalizationUpdate, response: { 200: LocalizationView }, tags },
    preHandler: app.requireRight('localizations.change'),
  }, async (req) => localizations.update(req.params.code, req.body, req.actor));

  app.delete('/api/v1/localizations/:code', {
    schema: { params: LocalizationParams, response: { 204: z.null() }, tags },
    preHandler: app.requireRight('localizations.change'),
  }, async (req, reply) => {
    await localizations.remove(req.params.code, req.actor);
    return reply.code(204).send(null);
  });
}
