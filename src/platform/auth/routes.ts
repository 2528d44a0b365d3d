import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../http/app.js';
import { CSRF_COOKIE, SESSION_COOKIE, setSessionCookies } from '../http/app.js';
import { IdParams } from '../http/schemas.js';
import { appError } from '../errors.js';
import { RIGHTS_CATALOG } from './rights.js';
import { ConfirmationResent, EMAIL_CONFIRMED, EmailConfirmInput, EmailConfirmed, LoginInput, LoginView, MeView, PASSWORD_RESET_ACCEPTED, PASSWORD_RESET_DONE, PasswordResetAccepted, PasswordResetConfirmInput, PasswordResetDone, PasswordResetInput, RightView, TokenCreate, TokenCreated, TokenView } from './schemas.js';
import { toMe, type AuthService } from './service.js';

const tags = ['Auth'];

/** The origin the request came to (behind trusted proxies, as the browser saw it): the start of mailed links without BILLRELAY_PUBLIC_URL. */
export function requestOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

export function authRoutes(app: App, auth: AuthService): void {
  app.post('/api/v1/auth/login', {
    schema: { body: LoginInput, response: { 200: LoginView }, tags, security: [] },
  }, async (req, reply) => {
    const { sessionId, csrfToken, me } = await auth.login(req.body.email, req.body.password, req.ip);
    setSessionCookies(req, reply, sessionId, csrfToken);
    return { user: me, csrfToken };
  });

  app.post('/api/v1/auth/password-reset', {
    schema: {
      body: PasswordResetInput, response: { 202: PasswordResetAccepted }, tags, security: [],
      summary: 'Mails a password-reset link (valid 1 hour) to the employee or client with this address; the answer is the same whether or not the address is known',
    },
  }, async (req, reply) => {
    await auth.requestPasswordReset(req.body.email, req.ip, requestOrigin(req));
    return reply.code(202).send(PASSWORD_RESET_ACCEPTED);
  });

  app.post('/api/v1/auth/password-reset/confirm', {
    schema: {
      body: PasswordResetConfirmInput, response: { 200: PasswordResetDone }, tags, security: [],
      summary: 'Sets a new password with the mailed token (single use); the account\'s sessions end. An unknown, used or expired token is a 400 on `token`',
    },
  }, async (req) => {
    await auth.confirmPasswordReset(req.body.token, req.body.password, req.ip);
    return PASSWORD_RESET_DONE;
  });

  app.post('/api/v1/auth/confirm-email', {
    schema: {
      body: EmailConfirmInput, response: { 200: EmailConfirmed }, tags, security: [],
      summary: 'Confirms a client\'s or an employee\'s e-mail address with the mailed token (single use, valid 7 days): clients get it at registration, employees when created or when their address changes',
    },
  }, async (req) => {
    await auth.confirmEmail(req.body.token, req.ip);
    return EMAIL_CONFIRMED;
  });

  app.post('/api/v1/auth/confirm-email/resend', {
    schema: {
      body: z.object({}).optional(), response: { 202: ConfirmationResent }, tags,
      summary: 'The logged-in client whose e-mail address is not confirmed gets a new confirmation link (valid 7 days); at most once per 5 minutes (429 with Retry-After), 409 when already confirmed',
    },
    preHandler: app.requireAuth,
  }, async (req, reply) => {
    if (req.actor.kind !== 'client') throw appError('forbidden', 'auth.clientsOnly');
    const { email } = await auth.resendEmailConfirmation(req.actor.id, req.actor, requestOrigin(req));
    return reply.code(202).send({ status: 'confirmation_sent' as const, email });
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
