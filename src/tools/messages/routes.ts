import { z } from 'zod';
import type { App } from '../../platform/http/app.js';
import { IdParams } from '../../platform/http/schemas.js';
import { MessageList, MessageListQuery, MessageView } from './schemas.js';
import type { MessageService } from './service.js';

const tags = ['Tools: Messages'];

/** The e-mail outbox, for staff holding messages.read (retry: messages.change). */
export function messageRoutes(app: App, messages: MessageService): void {
  app.get('/api/v1/messages', {
    schema: { querystring: MessageListQuery, response: { 200: MessageList }, tags, summary: 'E-mails written for clients and staff, newest first (filters: status, recipient, clientId)' },
    preHandler: app.requireRight('messages.read'),
  }, async (req) => messages.list(req.query));

  app.get('/api/v1/messages/:id', {
    schema: { params: IdParams, response: { 200: MessageView }, tags, summary: 'One e-mail with its text and HTML' },
    preHandler: app.requireRight('messages.read'),
  }, async (req) => messages.get(req.params.id));

  app.post('/api/v1/messages/:id/retry', {
    schema: { params: IdParams, body: z.object({}).optional(), response: { 200: MessageView }, tags, summary: 'Send a failed e-mail again (it is pending again now, with a fresh retry budget)' },
    preHandler: app.requireRight('messages.change'),
  }, async (req) => messages.retry(req.params.id, req.actor));
}
