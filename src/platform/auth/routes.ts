import { z } from 'zod';
import type { App } from '../http/app.js';
import { CSRF_COOKIE, SESSION_COOKIE, setSessionCookies } from '../http/app.js';
import { IdParams } from '../http/schemas.js';
import { RIGHTS_CATALOG } from './rights.js';
import { LoginInput, LoginView, MeView, RightView, TokenCreate, TokenCreated, TokenView } from './schemas.js';
import { toMe, type AuthService } from './service.js';

const tags = ['Auth'];

export function authRoutes(app: App, auth: AuthService): void {
  app.post('/api/v1/auth/login', {
    schema: { body: LoginInput, response: { 200: LoginView }, tags, security: [] },
  }, async (req, reply) => {
    const { sessionId, csrfToken, me } = await auth.login(req.body.email, req.body.password, req.ip);
    setSessionCookies(req, reply, sessionId, csrfToken);
    return { user: me, csrfToken };
  });

  app.post('/api/v1/auth/logout', {
    schema: { response: { 204: z.null() }, tags },
  }, async (req, reply) => {
    if (req.sessionId) await auth.logout(req.sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });

  app.get('/api/v1/auth/me', {
    schema: { response: { 200: MeView }, tags },
    preHandler: app.requireAuth,
  }, async (req) => ({ ...toMe(req.principal!, req.impersonatorId ?? null), locale: req.actor.locale }));

  app.get('/api/v1/rights', {
    schema: {
      response: { 200: z.object({ items: z.array(RightView) }) },
      tags: ['Provider: Employees'],
      summary: 'The access rights an employee or a department can be given (any employee may read the list)',
    },
    preHandler: app.requireStaff,
  }, async () => ({ items: RIGHTS_CATALOG.map((r) => ({ ...r })) }));

  app.post('/api/v1/auth/tokens', {
    schema: { body: TokenCreate, response: { 201: TokenCreated }, tags },
    preHandler: app.requireStaff,
  }, async (req, reply) => reply.code(201).send(await auth.createToken(req.actor, req.body.name)));

  app.get('/api/v1/auth/tokens', {
    schema: { response: { 200: z.object({ items: z.array(TokenView) }) }, tags },
    preHandler: app.requireStaff,
  }, async (req) => ({ items: await auth.listTokens(req.actor) }));

  app.delete('/api/v1/auth/tokens/:id', {
    schema: { params: IdParams, response: { 204: z.null() }, tags },
    preHandler: app.requireStaff,
  }, async (req, reply) => {
    await auth.deleteToken(req.actor, req.params.id);
    return reply.code(204).send(null);
  });
}
