import { z } from 'zod';
import { pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { IdParams } from '../../platform/http/schemas.js';
import { AbandonInput, CompleteInput, OperationListQuery, OperationView } from './schemas.js';
import type { OperationService } from './service.js';

const tags = ['Tools: Running operations'];

/** Employees only (clients get 403); within that, an operation is visible to its module's department's members and administrators. */
export function operationRoutes(app: App, operations: OperationService): void {
  app.get('/api/v1/operations', {
    schema: { querystring: OperationListQuery, response: { 200: pageOf(OperationView) }, tags, summary: 'Running operations of my departments (all of them for administrators), newest first (filters: status, kind, licenseId)' },
    preHandler: app.requireRight('operations.read'),
  }, async (req) => operations.list(req.query, req.actor));

  app.get('/api/v1/operations/:id', {
    schema: { params: IdParams, response: { 200: OperationView }, tags, summary: 'One running operation' },
    preHandler: app.requireRight('operations.read'),
  }, async (req) => operations.get(req.params.id, req.actor));

  app.post('/api/v1/operations/:id/restart', {
    schema: {
      params: IdParams,
      body: z.object({}).optional(),
      response: { 200: OperationView },
      tags,
      summary: 'Run a manual or failed operation again now (its retry budget starts over)',
    },
    preHandler: app.requireRight('operations.change'),
  }, async (req) => operations.restart(req.params.id, req.actor));

  app.post('/api/v1/operations/:id/abandon', {
    schema: {
      params: IdParams,
      body: AbandonInput,
      response: { 200: OperationView },
      tags,
      summary: 'End a manual operation for good (failed, with the reason); its task is done',
    },
    preHandler: app.requireRight('operations.change'),
  }, async (req) => operations.abandon(req.params.id, req.body.reason, req.actor));

  app.post('/api/v1/operations/:id/complete', {
    schema: {
      params: IdParams,
      body: CompleteInput,
      response: { 200: OperationView },
      tags,
      summary: 'Record a manual operation as done by hand: an open needs upstreamId, licenseKey and expiresOn; a prolong expiresOn; a new key licenseKey',
    },
    preHandler: app.requireRight('operations.change'),
  }, async (req) => operations.complete(req.params.id, req.body, req.actor));
}
