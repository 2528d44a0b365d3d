import { z } from 'zod';
import { pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { IdParams, MoveInput } from '../../platform/http/schemas.js';
import {
  CatalogQuery,
  CatalogView,
  TariffImport,
  TariffImportPreview,
  TariffListQuery,
  TariffModulesInput,
  TariffPatch,
  TariffSyncView,
  TariffView,
} from './schemas.js';
import type { TariffService } from './service.js';

const tags = ['Products: Tariff plans'];
const base = '/api/v1/tariffs';

export function tariffRoutes(app: App, tariffs: TariffService): void {
  app.get(base, {
    schema: { querystring: TariffListQuery, response: { 200: pageOf(TariffView) }, tags },
    preHandler: app.requireRight('tariffs.read'),
  }, async (req) => tariffs.list(req.query, req.actor));

  app.get(`${base}/:id`, {
    schema: { params: IdParams, response: { 200: TariffView }, tags },
    preHandler: app.requireRight('tariffs.read'),
  }, async (req) => tariffs.get(req.params.id, req.actor));

  app.post(`${base}/import`, {
    schema: {
      body: TariffImport,
      response: { 201: TariffView },
      tags,
      summary: "Import a tariff from a processing module's upstream price list",
      description:
        'Give exactly one of markupPercent and prices. With a markup, each selling price is the upstream cost × (100 + markup) / 100, ' +
        "rounded half away from zero to the currency's minor unit. The trial is imported free. The tariff starts disabled. " +
        'The provider and the price list must be in the same currency (422 currency_mismatch); a second import of the same ' +
        'upstream tariff for one provider is a 409.',
    },
    preHandler: app.requireRight('tariffs.change'),
  }, async (req, reply) => reply.code(201).send(await tariffs.import(req.body, req.actor)));

  app.post(`${base}/import/preview`, {
    schema: {
      body: TariffImport,
      response: { 200: TariffImportPreview },
      tags,
      summary: 'What an import would store, with the upstream cost and the margin per period; nothing is stored',
      description:
        'Takes the body of POST /tariffs/import, makes the same checks (and the same refusals) and reads the price list now. ' +
        'A period priced below its cost is flagged marginNegative: the import accepts it, but the tariff cannot be enabled with it.',
    },
    preHandler: app.requireRight('tariffs.change'),
  }, async (req) => tariffs.previewImport(req.body));

  app.patch(`${base}/:id`, {
    schema: { params: IdParams, body: TariffPatch, response: { 200: TariffView }, tags, summary: 'Name, prices, enabled periods and period mapping' },
    preHandler: app.requireRight('tariffs.change'),
  }, async (req) => tariffs.update(req.params.id, req.body, req.actor));

  app.put(`${base}/:id/modules`, {
    schema: { params: IdParams, body: TariffModulesInput, response: { 200: TariffView }, tags, summary: 'The processing modules that serve the tariff' },
    preHandler: app.requireRight('tariffs.change'),
  }, async (req) => tariffs.setModules(req.params.id, req.body.processingModuleIds, req.actor));

  app.post(`${base}/:id/enable`, {
    schema: {
      params: IdParams,
      response: { 200: TariffView },
      tags,
      summary: 'Put the tariff on sale',
      description: 'Needs at least one enabled period, each sold upstream and none priced below its upstream cost (422 naming the period).',
    },
    preHandler: app.requireRight('tariffs.change'),
  }, async (req) => tariffs.setStatus(req.params.id, 'enabled', req.actor));

  app.post(`${base}/:id/disable`, {
    schema: { params: IdParams, response: { 200: TariffView }, tags },
    preHandler: app.requireRight('tariffs.change'),
  }, async (req) => tariffs.setStatus(req.params.id, 'disabled', req.actor));

  app.post(`${base}/:id/move`, {
    schema: { params: IdParams, body: MoveInput, response: { 200: TariffView }, tags },
    preHandler: app.requireRight('tariffs.change'),
  }, async (req) => tariffs.move(req.params.id, req.body.direction, req.actor));

  app.post(`${base}/:id/sync`, {
    schema: {
      params: IdParams,
      response: { 200: TariffSyncView },
      tags,
      summary: 'Re-read the upstream costs',
      description: 'Stores changed costs; a period now priced below its cost is flagged marginNegative and hidden from the catalog.',
    },
    preHandler: app.requireRight('tariffs.change'),
  }, async (req) => tariffs.sync(req.params.id, req.actor));

  app.delete(`${base}/:id`, {
    schema: { params: IdParams, response: { 204: z.null() }, tags },
    preHandler: app.requireRight('tariffs.change'),
  }, async (req, reply) => {
    await tariffs.remove(req.params.id, req.actor);
    return reply.code(204).send(null);
  });

  app.get('/api/v1/catalog', {
    schema: {
      querystring: CatalogQuery,
      response: { 200: CatalogView },
      tags: ['Products: Catalog'],
      summary: 'What a client can order',
      description: "The provider's enabled tariffs with their enabled periods that are sold upstream and not at a loss, named in the caller's language.",
    },
    preHandler: app.requireAuth,
  }, async (req) => tariffs.catalog(req.query, req.actor));
}
