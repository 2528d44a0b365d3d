import { z } from 'zod';
import { PageQuery, pageOf } from '../platform/db/paging.js';
import type { App } from '../platform/http/app.js';
import type { IdempotencyStore } from '../platform/http/idempotency.js';
import { IdParams } from '../platform/http/schemas.js';
import { ChangeTariffInput, ChangeTariffPreview, ChangeTariffPreviewQuery, HistoryView, LicenseListQuery, LicenseOrder, LicenseOrderCheck, LicenseOrderChecked, LicensePatch, LicenseView, RefundInput, RenewInput } from './schemas.js';
import type { LicenseService } from './service.js';

const tags = ['Services: Licenses'];
const base = '/api/v1/licenses';
const idempotencyHeader = z.object({ 'idempotency-key': z.string().optional() });

export function licenseRoutes(app: App, licenses: LicenseService, idempotency: IdempotencyStore): void {
  app.post(base, {
    schema: {
      headers: idempotencyHeader,
      body: LicenseOrder,
      response: { 201: LicenseView },
      tags,
      summary: 'Order a license: pre-checks the IP upstream, charges the balance and queues the purchase (Idempotency-Key honoured)',
    },
    preHandler: app.requireClientOrRight('licenses.change'),
  }, async (req, reply) => idempotency.run(req, reply, async () => ({ status: 201, body: await licenses.order(req.body, req.actor) })));

  app.post(`${base}/check`, {
    schema: {
      body: LicenseOrderCheck,
      response: { 200: LicenseOrderChecked },
      tags,
      summary: 'Check an order before paying, changing nothing: the IP (format, public range, the upstream pre-check), the tariff and period on sale, one trial per client and IP',
      description: 'Answers as POST /licenses would refuse (e.g. 400 or 422 ip_refused on `ip`), or 200 when the order would pass these checks; the balance is not checked.',
    },
    preHandler: app.requireClientOrRight('licenses.change'),
  }, async (req) => {
    await licenses.checkOrder(req.body, req.actor);
    return { ip: req.body.ip, status: 'ok' as const };
  });

  app.get(base, {
    schema: {
      querystring: PageQuery.extend(LicenseListQuery.shape),
      response: { 200: pageOf(LicenseView) },
      tags,
      summary: 'Clients see their own licenses; staff see all. Search (q) and filters by status, tariff, module, expiry',
    },
    preHandler: app.requireClientOrRight('licenses.read'),
  }, async (req) => {
    const { page, perPage, ...filter } = req.query;
    return licenses.list(filter, { page, perPage }, req.actor);
  });

  app.get(`${base}/:id`, {
    schema: { params: IdParams, response: { 200: LicenseView }, tags },
    preHandler: app.requireClientOrRight('licenses.read'),
  }, async (req) => licenses.get(req.params.id, req.actor));

  app.get(`${base}/:id/history`, {
    schema: { params: IdParams, response: { 200: z.object({ items: z.array(HistoryView) }) }, tags },
    preHandler: app.requireClientOrRight('licenses.read'),
  }, async (req) => ({ items: await licenses.historyOf(req.params.id, req.actor) }));

  app.patch(`${base}/:id`, {
    schema: { params: IdParams, body: LicensePatch, response: { 200: LicenseView }, tags, summary: 'Change the IP or name (done upstream) or toggle auto-renewal' },
    preHandler: app.requireClientOrRight('licenses.change'),
  }, async (req) => licenses.update(req.params.id, req.body, req.actor));

  app.post(`${base}/:id/new-key`, {
    schema: { params: IdParams, response: { 200: LicenseView }, tags },
    preHandler: app.requireClientOrRight('licenses.change'),
  }, async (req) => licenses.newKey(req.params.id, req.actor));

  app.post(`${base}/:id/renew`, {
    schema: { params: IdParams, headers: idempotencyHeader, body: RenewInput, response: { 200: LicenseView }, tags, summary: 'Renew now for a period (charged; the same period is never charged twice)' },
    preHandler: app.requireClientOrRight('licenses.change'),
  }, async (req, reply) => idempotency.run(req, reply, async () => ({ status: 200, body: await licenses.renew(req.params.id, req.body.period, req.actor) })));

  app.post(`${base}/:id/change-tariff`, {
    schema: {
      params: IdParams,
      headers: idempotencyHeader,
      body: ChangeTariffInput,
      response: { 200: LicenseView },
      tags,
      summary: 'Another tariff of the same provider; the price difference for the time left is charged (never refunded)',
    },
    preHandler: app.requireClientOrRight('licenses.change'),
  }, async (req, reply) => idempotency.run(req, reply, async () => ({ status: 200, body: await licenses.changeTariff(req.params.id, req.body.tariffId, req.actor) })));

  app.get(`${base}/:id/change-tariff`, {
    schema: {
      params: IdParams,
      querystring: ChangeTariffPreviewQuery,
      response: { 200: ChangeTariffPreview },
      tags,
      summary: 'What changing to this tariff would charge now (the price difference for the time left), changing nothing',
    },
    preHandler: app.requireClientOrRight('licenses.read'),
  }, async (req) => licenses.previewTariffChange(req.params.id, req.query.tariffId, req.actor));

  for (const [action, run] of [
    ['suspend', (id: number, actor: Parameters<LicenseService['suspend']>[1]) => licenses.suspend(id, actor)],
    ['resume', (id: number, actor: Parameters<LicenseService['resume']>[1]) => licenses.resume(id, actor)],
    ['delete', (id: number, actor: Parameters<LicenseService['remove']>[1]) => licenses.remove(id, actor)],
  ] as const) {
    app.post(`${base}/:id/${action}`, {
      schema: { params: IdParams, response: { 200: LicenseView }, tags, summary: `${action[0]!.toUpperCase()}${action.slice(1)} the license upstream (staff)` },
      preHandler: app.requireRight('licenses.change'),
    }, async (req) => run(req.params.id, req.actor));
  }

  app.post(`${base}/:id/refund`, {
    schema: { params: IdParams, headers: idempotencyHeader, body: RefundInput, response: { 200: z.object({ license: LicenseView, balance: z.string() }) }, tags, summary: 'Refund to the client balance, at most what was charged (staff)' },
    preHandler: app.requireRight('license.refund'),
  }, async (req, reply) => idempotency.run(req, reply, async () => ({ status: 200, body: await licenses.refund(req.params.id, req.body.amount, req.body.comment, req.actor) })));
}
