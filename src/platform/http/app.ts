import cookie from '@fastify/cookie';
import helmet from 'helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { LocaleCatalogSource } from '../i18n/localized.js';
import type { Actor } from '../actor.js';
import { requireRight, type Right } from '../auth/rights.js';
import type { AuthService, Principal } from '../auth/service.js';
import { appError } from '../errors.js';
import { translate } from '../i18n/messages.js';
import { negotiateLocale } from '../i18n/localized.js';
import { errorHandler, localeOf } from './errors.js';
import { rejectNul } from './nul.js';
import { serializerCompiler } from './serializer.js';

export const SESSION_COOKIE = 'billrelay_session';
export const CSRF_COOKIE = 'billrelay_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger, ZodTypeProvider>;
type Guard = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Infrastructure routes (/healthz, /readyz, /metrics): no session or API token is read, so they
     * answer without the database and a metrics bearer token is not taken for an API token.
     */
    bare?: boolean;
  }
  interface FastifyRequest {
    actor: Actor;
    /** Who logged in (absent for anonymous requests); the actor may speak in another locale. */
    principal?: Principal;
    impersonatorId?: number | null;
    sessionId?: string;
  }
  interface FastifyInstance {
    requireAuth: Guard;
    requireStaff: Guard;
    requireAdmin: Guard;
    /**
     * An employee holding the right (see auth/rights.ts); 403 names what is needed. The operation's
     * OpenAPI says so (x-billrelay-right and a line in its description).
     */
    requireRight(right: Right): Guard;
    /**
     * A route clients use on their own data (the service keeps them to it) and staff on anyone's: a
     * client passes, an employee needs the right. Documented like requireRight.
     */
    requireClientOrRight(right: Right): Guard;
  }
}

/** The session cookie (HttpOnly) and the CSRF cookie our own page reads and echoes in x-csrf-token. */
export function setSessionCookies(req: FastifyRequest, reply: FastifyReply, sessionId: string, csrfToken: string): void {
  const secure = req.protocol === 'https';
  reply.setCookie(SESSION_COOKIE, sessionId, { httpOnly: true, sameSite: 'lax', path: '/', secure });
  reply.setCookie(CSRF_COOKIE, csrfToken, { httpOnly: false, sameSite: 'lax', path: '/', secure });
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Headers on every answer. The CSP fits what is served: the SPA under /billmgr (Vite's build is
 * module scripts and a stylesheet from our origin, nothing inline) and Swagger UI at /api/docs (its
 * own scripts and styles, icons as data: URIs). Nothing may frame billrelay. HSTS is sent only over
 * https (the onRequest hook below), and upgrade-insecure-requests is left out: on a plain-http
 * installation it would send the SPA's own requests to an https port nobody listens on.
 */
const SECURITY_HEADERS = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'"],
    },
  },
  frameguard: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const },
  hsts: false,
};

/**
 * The headers helmet sets for SECURITY_HEADERS, worked out once: they are the same for every answer,
 * and @fastify/helmet rebuilt helmet (re-parsing the policy) on each request.
 */
function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(SECURITY_HEADERS)({} as IncomingMessage, response as unknown as ServerResponse, () => {});
  return headers;
}

export interface HttpDeps {
  logger: Logger;
  auth: AuthService;
  localizations: LocaleCatalogSource;
  /** Config.trustProxy: then req.ip and req.protocol come from X-Forwarded-For / -Proto. */
  trustProxy?: boolean | number | string[];
}

export async function createHttpApp(deps: HttpDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // A number of hops works at runtime (fastify passes it to proxy-addr) but is missing from the types.
    trustProxy: (deps.trustProxy ?? false) as boolean | string[],
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { coerceTypes: false } },
  }).withTypeProvider<ZodTypeProvider>() as unknown as App;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    const params = { method: req.method, path: req.url.split('?')[0]! };
    reply.code(404).send({ error: { code: 'not_found', message: translate(localeOf(req), 'noRoute', params)! } });
  });

  const securityHeaders = helmetHeaders();
  app.addHook('onRequest', async (req, reply) => {
    reply.headers(securityHeaders);
    // Only over https (directly or as a trusted proxy says): browsers ignore it on plain http anyway.
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'billrelay API', version: '1', description: 'Billing for ispmanager 6 license resellers' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token from POST /api/v1/auth/tokens' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    // Swagger UI adds <style> elements when an operation is opened; its pages alone allow inline styles.
    transformStaticCSP: (header: string) => header.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  });

  // After the guards and validation (so 401/403 and schema errors come first), before any handler.
  app.addHook('preHandler', async (req) => {
    rejectNul(req.params, 'params');
    rejectNul(req.query, 'query');
    rejectNul(req.body, 'body');
  });

  app.decorateRequest('actor', null as never);
  app.decorateRequest('principal', undefined);
  app.decorateRequest('errorLocale', undefined);
  app.decorateRequest('defaultLocale', undefined);
  app.addHook('onRequest', async (req) => {
    req.actor = req.routeOptions.config?.bare ? { kind: 'anonymous', id: null, label: 'anonymous', locale: 'en' } : await resolveActor(req, deps);
  });

  app.decorate('requireAuth', async (req: FastifyRequest) => {
    if (req.actor.kind === 'anonymous') throw appError('unauthorized', 'auth.required');
  });
  app.decorate('requireStaff', async (req: FastifyRequest) => {
    if (req.actor.kind === 'anonymous') throw appError('unauthorized', 'auth.required');
    if (req.actor.kind !== 'employee') throw appError('forbidden', 'auth.employeesOnly');
  });
  app.decorate('requireAdmin', async (req: FastifyRequest) => {
    if (req.actor.kind === 'anonymous') throw appError('unauthorized', 'auth.required');
    if (req.actor.kind !== 'employee' || !req.actor.isAdmin) {
      throw appError('forbidden', 'auth.adminsOnly');
    }
  });
  const guards = new Set<unknown>([app.requireAuth, app.requireStaff, app.requireAdmin]);
  // The right each right guard asks for, and whether clients pass it (for the OpenAPI).
  const rightOf = new Map<unknown, { right: Right; clients: boolean }>();
  app.decorate('requireRight', (right: Right): Guard => {
    const guard = async (req: FastifyRequest) => {
      if (req.actor.kind === 'anonymous') throw appError('unauthorized', 'auth.required');
      // The actor's rights were read with this request (resolveActor), so a revoked right is gone now.
      requireRight(req.actor, right);
    };
    guards.add(guard);
    rightOf.set(guard, { right, clients: false });
    return guard;
  });
  app.decorate('requireClientOrRight', (right: Right): Guard => {
    const guard = async (req: FastifyRequest) => {
      if (req.actor.kind === 'client') return;
      requireRight(req.actor, right);
    };
    guards.add(guard);
    rightOf.set(guard, { right, clients: true });
    return guard;
  });
  // Routes name their guard as preHandler; it runs before body validation instead, so a caller who
  // may not call a route at all learns that (401/403) rather than what is wrong with the body.
  app.addHook('onRoute', (route) => {
    if (guards.has(route.preHandler)) {
      const needs = rightOf.get(route.preHandler);
      if (needs) documentRight(route, needs.right, needs.clients);
      route.preValidation = route.preHandler;
      delete route.preHandler;
    }
  });
  return app;
}

/** The OpenAPI extension naming the right an operation needs. */
export const RIGHT_EXTENSION = 'x-billrelay-right';

function documentRight(route: { schema?: unknown }, right: Right, clients: boolean): void {
  const schema = (route.schema ??= {}) as Record<string, unknown>;
  // The HEAD route fastify adds for a GET shares its schema: document it once.
  if (schema[RIGHT_EXTENSION] === right) return;
  schema[RIGHT_EXTENSION] = right;
  const line = clients
    ? `Right: \`${right}\` for employees (clients act on their own data without it).`
    : `Right: \`${right}\` (administrators hold every right).`;
  schema.description = typeof schema.description === 'string' && schema.description ? `${schema.description}\n\n${line}` : line;
}

async function resolveActor(req: FastifyRequest, deps: HttpDeps): Promise<Actor> {
  const catalog = await deps.localizations.catalog();
  const asked = negotiateLocale(req.headers['accept-language'], catalog.enabled);
  // Errors raised before the actor is known (a bad token, a CSRF refusal) are told in this language.
  req.errorLocale = asked ?? catalog.defaultCode;
  req.defaultLocale = catalog.defaultCode;
  const anonymous: Actor = { kind: 'anonymous', id: null, label: 'anonymous', locale: asked ?? catalog.defaultCode };

  const authorization = req.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const principal = match ? await deps.auth.resolveToken(match[1]!) : undefined;
    if (!principal) throw appError('unauthorized', 'auth.badToken');
    req.principal = principal;
    return actorOf(principal, asked ?? principal.language, null);
  }

  const sessionId = req.cookies[SESSION_COOKIE];
  if (!sessionId) return anonymous;
  const session = await deps.auth.resolveSession(sessionId);
  if (!session) return anonymous;
  // Cookies ride along with cross-site requests; a state change must prove it came from our own page.
  if (UNSAFE_METHODS.has(req.method) && !isLoginOrLogout(req) && req.headers[CSRF_HEADER] !== session.csrfToken) {
    throw appError('forbidden', 'auth.csrf', { header: CSRF_HEADER }, { field: CSRF_HEADER });
  }
  req.sessionId = sessionId;
  req.principal = session.principal;
  req.impersonatorId = session.impersonatorId;
  return actorOf(session.principal, asked ?? session.principal.language, session.impersonatorId);
}

function isLoginOrLogout(req: FastifyRequest): boolean {
  const path = req.url.split('?')[0];
  return path === '/api/v1/auth/login';
}

function actorOf(p: Principal, locale: string, impersonatorId: number | null): Actor {
  const extra = impersonatorId ? { impersonatorId } : {};
  if (p.kind === 'client') {
    return { kind: 'client', id: p.id, label: p.email, providerId: p.providerId ?? 0, locale, ...extra };
  }
  return { kind: 'employee', id: p.id, label: p.email, isAdmin: p.isAdmin, locale, rights: p.rights ?? [], ...extra };
}
