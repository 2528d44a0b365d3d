import { z } from 'zod';
import type { App } from '../../platform/http/app.js';
import { IdParams } from '../../platform/http/schemas.js';
import { requestOrigin } from '../../platform/auth/routes.js';
import { Amount, LedgerEntryView } from '../ledger/schemas.js';
import { ClientGatewayView, GatewayPaymentView, ProviderGatewayInput, ProviderGatewayView } from './schemas.js';
import type { PaymentService } from './service.js';

const tags = ['Clients: Payments'];
const GatewayId = z.string().min(1).max(50);

export function paymentRoutes(app: App, payments: PaymentService, options: { publicUrl?: string } = {}): void {
  app.get('/api/v1/clients/:id/payments/gateways', {
    schema: {
      params: IdParams,
      response: { 200: z.object({ items: z.array(ClientGatewayView) }) },
      tags,
      summary: "The ways the client can top up: the bank transfer and the card gateways its provider enabled",
    },
    preHandler: app.requireClientOrRight('clients.read'),
  }, async (req) => ({ items: await payments.gatewaysFor(req.params.id, req.actor) }));

  app.post('/api/v1/clients/:id/payments/start', {
    schema: {
      params: IdParams,
      body: z.strictObject({ gateway: GatewayId.default('manual'), amount: Amount }),
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
      summary: 'Start a top-up through a payment gateway (the client itself, or staff); a card gateway answers the address of its payment page',
    },
    preHandler: app.requireClientOrRight('client.payment'),
  }, async (req) => payments.start(req.body.gateway, req.params.id, req.body.amount, req.actor, options.publicUrl ?? requestOrigin(req)));

  app.get('/api/v1/clients/:id/payments/started/:reference', {
    schema: {
      params: IdParams.extend({ reference: z.string().min(1).max(100) }),
      response: { 200: GatewayPaymentView },
      tags,
      summary: 'Where a payment started through a card gateway stands (pending until the gateway confirms it)',
    },
    preHandler: app.requireClientOrRight('clients.read'),
  }, async (req) => payments.payment(req.params.id, req.params.reference, req.actor));

  app.get('/api/v1/providers/:id/payment-gateways', {
    schema: { params: IdParams, response: { 200: z.object({ items: z.array(ProviderGatewayView) }) }, tags: ['Provider: Providers'], summary: "The provider's card gateway accounts (secrets never shown)" },
    preHandler: app.requireRight('providers.read'),
  }, async (req) => ({ items: await payments.providerGateways(req.params.id) }));

  app.put('/api/v1/providers/:id/payment-gateways/:gateway', {
    schema: {
      params: IdParams.extend({ gateway: GatewayId }),
      body: ProviderGatewayInput,
      response: { 200: ProviderGatewayView },
      tags: ['Provider: Providers'],
      summary: "Set the provider's account at a card gateway: keys (write-only, stored encrypted) and whether clients may pay through it",
    },
    preHandler: app.requireRight('providers.change'),
  }, async (req) => payments.setProviderGateway(req.params.id, req.params.gateway, req.body, req.actor));

  // The gateway signs the exact bytes it sends, so these routes read the body unparsed.
  app.register(async (plain) => {
    const scope = plain as unknown as App;
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
    const Booked = z.object({ booked: z.boolean(), created: z.boolean(), entry: LedgerEntryView.nullable() });
    scope.post('/api/v1/payments/webhooks/:gateway', {
      schema: {
        params: z.object({ gateway: GatewayId }),
        response: { 200: Booked },
        tags,
        security: [],
        summary: 'Payment notifications from a gateway; idempotent on the gateway transaction id',
      },
    }, async (req) => {
      const posted = await payments.handleWebhook(req.params.gateway, null, req.headers, String(req.body ?? ''));
      return posted ? { booked: true, created: posted.created, entry: posted.entry } : { booked: false, created: false, entry: null };
    });
    scope.post('/api/v1/payments/webhooks/:gateway/:providerId', {
      schema: {
        params: z.object({ gateway: GatewayId, providerId: z.coerce.number().int().positive().max(2 ** 53 - 1) }),
        response: { 200: Booked },
        tags,
        security: [],
        summary: "Notifications from a provider's card gateway account (e.g. Stripe webhooks), verified with its webhook secret; each is booked once",
      },
    }, async (req) => {
      const posted = await payments.handleWebhook(req.params.gateway, req.params.providerId, req.headers, String(req.body ?? ''));
      return posted ? { booked: true, created: posted.created, entry: posted.entry } : { booked: false, created: false, entry: null };
    });
  });
}
