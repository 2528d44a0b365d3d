import { z } from 'zod';
import { PageQuery, pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { IdParams, MoveInput } from '../../platform/http/schemas.js';
import {
  CheckConnectionInput,
  ConnectionCheckView,
  ModuleCreate,
  ModulePatch,
  ModuleTypesView,
  ModuleView,
  UpstreamTariffView,
} from './schemas.js';
import type { ProcessingModuleService } from './service.js';

const tags = ['Integration: Processing modules'];
const base = '/api/v1/processing-modules';

export function processingModuleRoutes(app: App, modules: ProcessingModuleService): void {
  app.get(`${base}/types`, {
    schema: { response: { 200: ModuleTypesView }, tags, summary: 'Wizard steps 1–2: product types, module types and their fields' },
    preHandler: app.requireRight('processing-modules.read'),
  }, async () => modules.types());

  app.post(`${base}/check-connection`, {
    schema: { body: CheckConnectionInput, response: { 200: ConnectionCheckView }, tags, summary: 'Wizard step 3: check the integration settings live' },
    preHandler: app.requireRight('processing-modules.change'),
  }, async (req) => modules.checkConnection(req.body.connection));

  app.get(base, {
    schema: { querystring: PageQuery, response: { 200: pageOf(ModuleView) }, tags },
    preHandler: app.requireRight('processing-modules.read'),
  }, async (req) => modules.list(req.query, req.actor));

  app.post(base, {
    schema: { body: ModuleCreate, response: { 201: ModuleView }, tags, summary: 'Wizard step 4: check the connection again and save the module' },
    preHandler: app.requireRight('processing-modules.change'),
  }, async (req, reply) => reply.code(201).send(await modules.create(req.body, req.actor)));

  app.get(`${base}/:id`, {
    schema: { params: IdParams, response: { 200: ModuleView }, tags },
    preHandler: app.requireRight('processing-modules.read'),
  }, async (req) => modules.get(req.params.id, req.actor));

  app.patch(`${base}/:id`, {
    schema: { params: IdParams, body: ModulePatch, response: { 200: ModuleView }, tags, summary: 'Edit; changed credentials are checked live again' },
    preHandler: app.requireRight('processing-modules.change'),
  }, async (req) => modules.update(req.params.id, req.body, req.actor));

  app.post(`${base}/:id/enable`, {
    schema: { params: IdParams, response: { 200: ModuleView }, tags },
    preHandler: app.requireRight('processing-modules.change'),
  }, async (req) => modules.setEnabled(req.params.id, true, req.actor));

  app.post(`${base}/:id/disable`, {
    schema: { params: IdParams, response: { 200: ModuleView }, tags },
    preHandler: app.requireRight('processing-modules.change'),
  }, async (req) => modules.setEnabled(req.params.id, false, req.actor));

  app.post(`${base}/:id/move`, {
    schema: { params: IdParams, body: MoveInput, response: { 200: ModuleView }, tags },
    preHandler: app.requireRight('processing-modules.change'),
  }, async (req) => modules.move(req.params.id, req.body.direction, req.actor));

  app.post(`${base}/:id/check-balance`, {
    schema: { params: IdParams, response: { 200: ModuleView }, tags, summary: 'Read the upstream balance now and store it' },
    preHandler: app.requireRight('processing-modules.change'),
  }, async (req) => modules.checkBalance(req.params.id, req.actor));

  app.get(`${base}/:id/pricelist`, {
    schema: { params: IdParams, response: { 200: z.object({ items: z.array(UpstreamTariffView) }) }, tags, summary: 'The upstream tariffs, for the tariff import' },
    preHandler: app.requireRight('processing-modules.read'),
  }, async (req) => ({ items: await modules.priceList(req.params.id) }));

  app.delete(`${base}/:id`, {
    schema: { params: IdParams, response: { 204: z.null() }, tags },
    preHandler: app.requireRight('processing-modules.change'),
  }, async (req, reply) => {
    await modules.remove(req.params.id, req.actor);
    return reply.code(204).send(null);
  });
}
