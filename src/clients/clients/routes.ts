import type { AuthService, Principal } from '../../platform/auth/service.js';
import { toMe } from '../../platform/auth/service.js';
import { ConfirmationResent, LoginView } from '../../platform/auth/schemas.js';
import { z } from 'zod';
import { requestOrigin } from '../../platform/auth/routes.js';
import { PageQuery, pageOf } from '../../platform/db/paging.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setSessionCookies, type App } from '../../platform/http/app.js';
import { IdParams } from '../../platform/http/schemas.js';
import { ClientCreate, ClientListQuery, ClientPatch, ClientView, REGISTER_ACCEPTED, RegisterAccepted, RegisterInput, SiteView } from './schemas.js';
import type { ClientService } from './service.js';

const tags = ['Clients'];

export function clientRoutes(app: App, clients: ClientService, auth: AuthService): void {
  const startSession = async (req: FastifyRequest, reply: FastifyReply, principal: Principal, impersonatorId: number | null) => {
    const { sessionId, csrfToken } = await auth.openSession(principal, impersonatorId);
    setSessionCookies(req, reply, sessionId, csrfToken);
    return { user: toMe(principal, impersonatorId), csrfToken };
  };

  app.post('/api/v1/auth/register', {
    schema: {
      body: RegisterInput,
      response: { 202: RegisterAccepted },
      tags: ['Auth'],
      security: [],
      summary: 'A client registers, then logs in; the answer is the same whether or not the e-mail was taken',
    },
  }, async (req, reply) => {
    await clients.register(req.body, requestOrigin(req));
    return reply.code(202).send(REGISTER_ACCEPTED);
  });

  app.get('/api/v1/auth/site', {
    schema: {
      response: { 200: SiteView },
      tags: ['Auth'],
      security: [],
      summary: "Whose site this is: the name of the provider whose website has the request's host (the default provider otherwise), shown on the login and registration pages; clients registering here become its clients",
    },
  }, async (req) => clients.site(requestOrigin(req)));

  app.get('/api/v1/clients', {
    schema: { querystring: PageQuery.extend(ClientListQuery.shape), response: { 200: pageOf(ClientView) }, tags },
    preHandler: app.requireRight('clients.read'),
  }, async (req) => clients.list({ providerId: req.query.providerId, search: req.query.search }, req.query));

  app.post('/api/v1/clients', {
    schema: { body: ClientCreate, response: { 201: ClientView }, tags },
    preHandler: app.requireRight('clients.change'),
  }, async (req, reply) => reply.code(201).send(await clients.create(req.body, req.actor)));

  app.get('/api/v1/clients/:id', {
    schema: { params: IdParams, response: { 200: ClientView }, tags, summary: 'Staff see every client; a client sees only itself (others are 404)' },
    preHandler: app.requireClientOrRight('clients.read'),
  }, async (req) => clients.get(req.params.id, req.actor));

  app.patch('/api/v1/clients/:id', {
    schema: { params: IdParams, body: ClientPatch, response: { 200: ClientView }, tags, summary: 'A client may change its name, e-mail address, password, language, country and phone (a new address or password needs currentPassword; a new address is unconfirmed until the link mailed to it is followed); staff need a right for password (client.password) and creditLimit (client.credit_limit)' },
    preHandler: app.requireClientOrRight('clients.change'),
  }, async (req) => clients.update(req.params.id, req.body, req.actor, requestOrigin(req)));

  app.post('/api/v1/clients/:id/confirm-email/resend', {
    schema: {
      params: IdParams, body: z.object({}).optional(), response: { 202: ConfirmationResent }, tags,
      summary: "Mails the client a new link to confirm its e-mail address (audited); at most once per 5 minutes per client (429), 409 when already confirmed",
    },
    preHandler: app.requireRight('clients.change'),
  }, async (req, reply) => {
    const { email } = await auth.resendEmailConfirmation(req.params.id, req.actor, requestOrigin(req));
    return reply.code(202).send({ status: 'confirmation_sent' as const, email });
  });

  app.post('/api/v1/clients/:id/impersonate', {
    schema: { params: IdParams, response: { 200: LoginView }, tags, summary: 'Log in as the client (audited)' },
    preHandler: app.requireRight('client.impersonate'),
  }, async (req, reply) => {
    const principal = await clients.impersonate(req.params.id, req.actor);
    return startSession(req, reply, principal, req.actor.id);
  });

  app.post('/api/v1/auth/impersonation/end', {
    schema: {
      response: { 200: LoginView },
      tags: ['Auth'],
      summary: 'Back from "log in as client": the session as the client ends and the employee who opened it is logged in again (audited)',
      description: '409 on a session that is not logged in as someone else; 401 when that employee may no longer log in.',
    },
    preHandler: app.requireAuth,
  }, async (req, reply) => {
    const { sessionId, csrfToken, me } = await auth.endImpersonation(req.sessionId ?? '');
    setSessionCookies(req, reply, sessionId, csrfToken);
    return { user: me, csrfToken };
  });
}
