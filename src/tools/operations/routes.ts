import { z } from 'zod';
import { pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { IdParams } from '../../platform/http/schemas.js';
import { OperationListQuery, OperationView } from './schemas.js';
import type { OperationService } from './service.js';

const tags = ['Tools: Running operations'];

export function operationRoutes(app: App, operations: OperationService): void {
  app.get('/api/v1/operations', {
    schema: { querystring: OperationListQuery, response: { 200: pageOf(OperationView) }, tags, summary: 'Running operations, newest first (filters: status, kind, licenseId)' },
    preHandler: app.requireStaff,
  }, async (req) => operations.list(req.query));

  app.get('/api/v1/operations/:id', {
    schema: { params: IdParams, response: { 200: OperationView }, tags, summary: 'One running operation' },
    preHandler: app.requireStaff,
  }, async (req) => operations.get(req.params.id));

  app.post('/api/v1/operations/:id/restart', {
    schema: {
      params: IdParams,
      body: z.object({}).optional(),
      response: { 200: OperationView },
      tags,
      summary: 'Run a manual or failed operation again now (its retry budget starts over)',
    },
    preHandler: app.requireStaff,
  }, async (req) => operations.restart(req.params.id, req.actor));
}
