import { z } from 'zod';
import type { App } from '../../platform/http/app.js';
import { IdParams } from '../../platform/http/schemas.js';
import { Amount, LedgerEntryView } from '../ledger/schemas.js';
import type { PaymentService } from './service.js';

const tags = ['Clients: Payments'];

export function paymentRoutes(app: App, payments: PaymentService): void {
  app.post('/api/v1/clients/:id/payments/start', {
    schema: {
      params: IdParams,
      body: z.strictObject({ gateway: z.string().min(1).max(50).default('manual'), amount: Amount }),
      response: {
        200: z.object({
          gateway: z.string(),
          gatewayPaymentId: z.string(),
          amount: z.string(),
          currency: z.string(),
          redirectUrl: z.string().optional(),
          instructions: z.string().optional(),
        }),
      },
      tags,
      summary: 'Start a top-up through a payment gateway (the client itself, or staff)',
    },
    preHandler: app.requireClientOrRight('client.payment'),
  }, async (req) => payments.start(req.body.gateway, req.params.id, req.body.amount, req.actor));

  // The gateway signs the exact bytes it sends, so this route reads the body unparsed.
  app.register(async (plain) => {
    const scope = plain as unknown as App;
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
    scope.post('/api/v1/payments/webhooks/:gateway', {
      schema: {
        params: z.object({ gateway: z.string().min(1).max(50) }),
        response: { 200: z.object({ booked: z.boolean(), created: z.boolean(), entry: LedgerEntryView.nullable() }) },
        tags,
        security: [],
        summary: 'Payment notifications from a gateway; idempotent on the gateway transaction id',
      },
    }, async (req) => {
      const posted = await payments.handleWebhook(req.params.gateway, req.headers, String(req.body ?? ''));
      return posted ? { booked: true, created: posted.created, entry: posted.entry } : { booked: false, created: false, entry: null };
    });
  });
}
