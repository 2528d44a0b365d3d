// Idempotency-Key for every POST that moves money: the same key with the same body answers the first
// answer again; the same key with another body is a 409. Only successful answers are kept, so a
// request refused for a reason the client can fix (say, not enough balance) can be retried.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock.js';
import { sha256 } from '../crypto/tokens.js';
import type { Db } from '../db/db.js';
import { isUniqueViolation } from '../db/dialect.js';
import { appError } from '../errors.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

export class IdempotencyStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async run(req: FastifyRequest, reply: FastifyReply, work: () => Promise<{ status: number; body: unknown }>): Promise<FastifyReply> {
    const header = req.headers[IDEMPOTENCY_HEADER];
    if (header === undefined) {
      const { status, body } = await work();
      return reply.code(status).send(body);
    }
    const key = Array.isArray(header) ? header[0]! : header;
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw appError('validation', 'idempotency.key', {}, { field: 'Idempotency-Key' });
    }
    const scope = `${req.actor.kind}:${req.actor.id ?? '-'}:${req.method} ${req.routeOptions.url}`;
    const requestHash = sha256(`${req.url}\n${JSON.stringify(req.body ?? null)}`);
    const replay = await this.claim(scope, key, requestHash);
    if (replay) return reply.code(replay.status).header('idempotent-replayed', 'true').send(replay.body);
    try {
      const { status, body } = await work();
      await this.db.kysely
        .updateTable('idempotencyKeys')
        .set({ statusCode: status, responseBody: JSON.stringify(body) })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .execute();
      return reply.code(status).send(body);
    } catch (error) {
      await this.db.kysely.deleteFrom('idempotencyKeys').where('scope', '=', scope).where('key', '=', key).execute();
      throw error;
    }
  }

  /** Reserves the key, or returns the stored answer of the request that reserved it first. */
  private async claim(scope: string, key: string, requestHash: string): Promise<{ status: number; body: unknown } | undefined> {
    try {
      await this.db.kysely
        .insertInto('idempotencyKeys')
        .values({ scope, key, requestHash, statusCode: null, responseBody: null, createdAt: this.clock.now().toISOString() })
        .execute();
      return undefined;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const row = await this.db.kysely.selectFrom('idempotencyKeys').selectAll().where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
    if (!row) throw appError('conflict', 'idempotency.failed', {}, { field: 'Idempotency-Key' });
    if (row.requestHash !== requestHash) {
      throw appError('conflict', 'idempotency.different', {}, { field: 'Idempotency-Key' });
    }
    if (row.statusCode === null || row.responseBody === null) {
      throw appError('conflict', 'idempotency.running', {}, { field: 'Idempotency-Key' });
    }
    return { status: row.statusCode, body: JSON.parse(row.responseBody) };
  }
}
