import type { FastifyError, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { errorHandler } from '../../platform/http/errors.js';
import { IdParams } from '../../platform/http/schemas.js';
import { ATTACHMENT_TYPES, baseType, contentDisposition } from './attachments.js';
import {
  AttachmentView,
  MessageInput,
  MoveInput,
  SupportDepartments,
  SupportDepartmentsQuery,
  TicketInput,
  TicketListQuery,
  TicketSummary,
  TicketView,
  UploadQuery,
} from './schemas.js';
import type { TicketService } from './service.js';

const tags = ['Tools: Support tickets'];

/**
 * Clients act on their own tickets (others are 404 to them); staff need tickets.read / tickets.change
 * and see the tickets of their departments (administrators all).
 */
export function ticketRoutes(app: App, tickets: TicketService): void {
  app.get('/api/v1/tickets/departments', {
    schema: { querystring: SupportDepartmentsQuery, response: { 200: SupportDepartments }, tags, summary: "Departments a client may write to (staff: name the client), in order" },
    preHandler: app.requireClientOrRight('tickets.read'),
  }, async (req) => tickets.supportDepartments(req.query, req.actor));

  app.get('/api/v1/tickets', {
    schema: { querystring: TicketListQuery, response: { 200: pageOf(TicketSummary) }, tags, summary: 'Tickets, newest activity first: a client\'s own, or those of my departments (all for administrators)' },
    preHandler: app.requireClientOrRight('tickets.read'),
  }, async (req) => tickets.list(req.query, req.actor));

  app.post('/api/v1/tickets', {
    schema: { body: TicketInput, response: { 201: TicketView }, tags, summary: 'Open a ticket to a department offered to the client (staff: on a client\'s behalf)' },
    preHandler: app.requireClientOrRight('tickets.change'),
  }, async (req, reply) => reply.code(201).send(await tickets.create(req.body, req.actor)));

  app.get('/api/v1/tickets/:id', {
    schema: { params: IdParams, response: { 200: TicketView }, tags, summary: 'A ticket and its messages (clients never see internal notes)' },
    preHandler: app.requireClientOrRight('tickets.read'),
  }, async (req) => tickets.get(req.params.id, req.actor));

  app.post('/api/v1/tickets/:id/messages', {
    schema: { params: IdParams, body: MessageInput, response: { 201: TicketView }, tags, summary: 'Reply (or, staff, write an internal note); the status follows who wrote' },
    preHandler: app.requireClientOrRight('tickets.change'),
  }, async (req, reply) => reply.code(201).send(await tickets.addMessage(req.params.id, req.body, req.actor)));

  app.post('/api/v1/tickets/:id/take', {
    schema: { params: IdParams, response: { 200: TicketView }, tags, summary: 'Work the ticket: I become its performer' },
    preHandler: app.requireRight('tickets.change'),
  }, async (req) => tickets.take(req.params.id, req.actor));

  app.post('/api/v1/tickets/:id/move', {
    schema: { params: IdParams, body: MoveInput, response: { 200: TicketView }, tags, summary: 'Hand the ticket to another department (its performer is cleared)' },
    preHandler: app.requireRight('tickets.change'),
  }, async (req) => tickets.move(req.params.id, req.body.departmentId, req.actor));

  app.post('/api/v1/tickets/:id/close', {
    schema: { params: IdParams, response: { 200: TicketView }, tags, summary: 'Close the ticket (its client, or staff)' },
    preHandler: app.requireClientOrRight('tickets.change'),
  }, async (req) => tickets.close(req.params.id, req.actor));

  app.get('/api/v1/attachments/:id', {
    schema: {
      params: IdParams,
      response: { 200: z.any().meta({ description: 'The file, as an attachment' }) },
      tags,
      summary: 'Download a file: its uploader, or whoever may read its message',
    },
    preHandler: app.requireClientOrRight('tickets.read'),
  }, async (req, reply) => {
    const { attachment, stream } = await tickets.download(req.params.id, req.actor);
    return reply
      .header('content-type', attachment.contentType)
      .header('content-length', String(attachment.size))
      .header('content-disposition', contentDisposition(attachment.fileName))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(stream);
  });

  // The upload takes the file itself as the body, whatever its type: its own context reads the raw
  // bytes (up to the limit, then 413 naming it) instead of parsing JSON.
  void app.register(async (upload) => {
    upload.removeAllContentTypeParsers();
    // Without a Content-Type fastify refuses before any parser: say which types are accepted.
    upload.setErrorHandler((error: FastifyError, req, reply) =>
      errorHandler(error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? tickets.unsupportedType(baseType(req.headers['content-type'])) : error, req, reply));
    upload.addContentTypeParser('*', (req: FastifyRequest, payload, done) => {
      const limit = tickets.files.maxBytes;
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) {
        payload.resume();
        return done(tickets.tooLarge(), undefined);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      payload.on('data', (chunk: Buffer) => {
        if (failed) return;
        size += chunk.length;
        if (size > limit) {
          failed = true;
          done(tickets.tooLarge(), undefined);
          return;
        }
        chunks.push(chunk);
      });
      payload.on('end', () => {
        if (!failed) done(null, Buffer.concat(chunks));
      });
      payload.on('error', (error) => {
        if (!failed) {
          failed = true;
          done(error, undefined);
        }
      });
    });

    (upload as unknown as App).post('/api/v1/attachments', {
      schema: {
        querystring: UploadQuery,
        response: { 201: AttachmentView },
        tags,
        summary: 'Upload a file (the raw body, Content-Type its type) to attach to a ticket message',
        description: `Allowed types: ${ATTACHMENT_TYPES.join(', ')}. Larger than the limit (BILLRELAY_ATTACHMENT_MAX_BYTES, 10 MB by default): 413; another type: 415. The upload is the uploader's until a message of theirs attaches it (attachmentIds); unattached uploads are deleted after a day.`,
      },
      preHandler: app.requireClientOrRight('tickets.change'),
    }, async (req, reply) => {
      const body = Buffer.isBuffer(req.body) ? req.body : undefined;
      const view = await tickets.upload(body, req.headers['content-type'], req.query.name, req.actor);
      return reply.code(201).send(view);
    });
  });
}
