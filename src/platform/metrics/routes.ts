// GET /metrics (Prometheus, behind BILLRELAY_METRICS_TOKEN) and GET /readyz (can this process serve and
// work: database, schema, worker). Outside /api/v1 and the OpenAPI: they are for the operator's
// monitoring, not for integrators, and neither reads a session (see `bare` in platform/http/app.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../http/app.js';
import type { Metrics } from './metrics.js';

export interface Readiness {
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** Migrations the code has and the database has not run. */
  pendingMigrations(): Promise<string[]>;
  /** null: this process runs no worker (BILLRELAY_WORKER=off). */
  workerRunning(): boolean | null;
}

export type Check = 'ok' | 'off' | 'unreachable' | 'behind' | 'stopped' | 'unknown';

/** Each check by name, and the names of those that failed. */
export async function readiness(r: Readiness): Promise<{ ready: boolean; checks: Record<string, Check>; notReady: string[]; pending?: string[] }> {
  const checks: Record<string, Check> = {};
  let pending: string[] | undefined;
  try {
    await r.ping();
    checks.database = 'ok';
  } catch {
    checks.database = 'unreachable';
  }
  if (checks.database === 'ok') {
    try {
      pending = await r.pendingMigrations();
      checks.migrations = pending.length ? 'behind' : 'ok';
    } catch {
      checks.migrations = 'unknown';
    }
  } else {
    checks.migrations = 'unknown';
  }
  const worker = r.workerRunning();
  checks.worker = worker === null ? 'off' : worker ? 'ok' : 'stopped';
  const notReady = Object.entries(checks).filter(([, v]) => v !== 'ok' && v !== 'off').map(([k]) => k);
  return { ready: notReady.length === 0, checks, notReady, ...(pending?.length ? { pending } : {}) };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
function bearerMatches(req: FastifyRequest, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return !!match && timingSafeEqual(digest(match[1]!), digest(token));
}

export function metricsRoutes(app: App, deps: { metrics: Metrics; token: string | undefined; readiness: Readiness }): void {
  const bare = { bare: true };

  app.get('/readyz', { schema: { hide: true }, config: bare }, async (_req, reply) => {
    const { ready, checks, notReady, pending } = await readiness(deps.readiness);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks, ...(notReady.length ? { notReady } : {}), ...(pending ? { pending } : {}) });
  });

  app.get('/metrics', { schema: { hide: true }, config: bare }, async (req: FastifyRequest, reply: FastifyReply) => {
    // Without a token there is no /metrics at all: nothing to guess at.
    if (!deps.token) return reply.code(404).send({ error: { code: 'not_found', message: 'Metrics are off: set BILLRELAY_METRICS_TOKEN to turn them on' } });
    if (!bearerMatches(req, deps.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: { code: 'unauthorized', message: 'Send the metrics token as Authorization: Bearer <BILLRELAY_METRICS_TOKEN>' } });
    }
    try {
      const text = await deps.metrics.scrape();
      return reply.type(deps.metrics.contentType).send(text);
    } catch (error) {
      req.log.warn({ err: error }, 'metrics scrape failed');
      return reply.code(503).send({ error: { code: 'unavailable', message: 'The metrics could not be read (is the database reachable? see /readyz)' } });
    }
  });
}
