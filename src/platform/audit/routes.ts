import { PageQuery, pageOf } from '../db/paging.js';
import type { App } from '../http/app.js';
import { AuditEntryView, AuditQuery, type AuditService } from './service.js';

export function auditRoutes(app: App, audit: AuditService): void {
  app.get('/api/v1/audit', {
    schema: { querystring: PageQuery.extend(AuditQuery.shape), response: { 200: pageOf(AuditEntryView) }, tags: ['Audit'] },
    preHandler: app.requireRight('audit.read'),
  }, async (req) => audit.list(req.query));
}
