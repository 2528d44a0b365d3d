import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { PageQuery, pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import type { IdempotencyStore } from '../../platform/http/idempotency.js';
import { IdParams, PathId } from '../../platform/http/schemas.js';
import type { ClientService } from '../clients/service.js';
import { parseAmount } from '../../platform/money.js';
import { CorrectionInput, LedgerEntryView, PaymentInput } from './schemas.js';
import type { LedgerService } from './service.js';

const tags = ['Clients: Payments'];
const Posted = z.object({ entry: LedgerEntryView, created: z.boolean(), balance: z.string() });
const idempotencyHeader = z.object({ 'idempotency-key': z.string().optional() });

export function ledgerRoutes(app: App, ledger: LedgerService, clients: ClientService, idempotency: IdempotencyStore): void {
  app.get('/api/v1/clients/:id/ledger', {
    schema: {
      params: IdParams,
      querystring: PageQuery.extend({ kind: LedgerEntryView.shape.kind.optional().meta({ description: 'Only entries of this kind (e.g. payment)' }) }),
      response: { 200: pageOf(LedgerEntryView).extend({ balance: z.string(), currency: z.string() }) },
      tags,
      summary: 'The balance ledger, newest first, with the balance after each entry',
    },
    preHandler: app.requireClientOrRight('clients.read'),
  }, async (req) => {
    await clients.get(req.params.id, req.actor); // a client sees only its own ledger
    const { kind, ...page } = req.query;
    return ledger.list(req.params.id, page, kind);
  });

  app.get('/api/v1/clients/:id/payments/:entryId/receipt', {
    schema: {
      params: IdParams.extend({ entryId: PathId }),
      response: { 200: z.string().meta({ description: 'A printable HTML document (text/html)' }) },
      tags,
      summary: "A payment's receipt as a printable HTML page (the ledger entry id of the payment); a client gets only its own, anything else is 404",
    },
    preHandler: app.requireClientOrRight('clients.read'),
  }, async (req, reply) => {
    await clients.get(req.params.id, req.actor); // a client sees only its own receipts
    const { html, filename } = await ledger.receipt(req.params.id, req.params.entryId);
    // A string with a non-JSON type is sent as it is: the JSON serializer stays out of it.
    return reply.type('text/html; charset=utf-8').header('content-disposition', `inline; filename="${filename}"`).send(html);
  });

  app.post('/api/v1/clients/:id/payments', {
    schema: {
      params: IdParams,
      headers: idempotencyHeader,
      body: PaymentInput,
      response: { 201: Posted, 200: Posted },
      tags,
      summary: 'Record a payment by hand (Idempotency-Key honoured; a repeated reference is applied once)',
    },
    preHandler: app.requireRight('client.payment'),
  }, async (req, reply) =>
    idempotency.run(req, reply, async () => {
      const client = await clients.get(req.params.id, req.actor);
      const posted = await ledger.post(
        {
          clientId: client.id,
          kind: 'payment',
          amount: parseAmount(req.body.amount, client.currency),
          reference: req.body.reference ? `payment:${req.body.reference}` : `payment:${randomUUID()}`,
          method: req.body.method,
          comment: req.body.comment,
        },
        req.actor,
      );
      const balance = await ledger.balance(client.id);
      return { status: posted.created ? 201 : 200, body: { ...posted, balance: balance.toString() } };
    }));

  app.post('/api/v1/clients/:id/corrections', {
    schema: { params: IdParams, headers: idempotencyHeader, body: CorrectionInput, response: { 201: Posted, 200: Posted }, tags, summary: 'A signed correction of the balance' },
    preHandler: app.requireRight('client.correction'),
  }, async (req, reply) =>
    idempotency.run(req, reply, async () => {
      const client = await clients.get(req.params.id, req.actor);
      const posted = await ledger.post(
        {
          clientId: client.id,
          kind: 'correction',
          amount: parseAmount(req.body.amount, client.currency),
          reference: req.body.reference ? `correction:${req.body.reference}` : `correction:${randomUUID()}`,
          comment: req.body.comment,
        },
        req.actor,
      );
      const balance = await ledger.balance(client.id);
      return { status: posted.created ? 201 : 200, body: { ...posted, balance: balance.toString() } };
    }));
}
