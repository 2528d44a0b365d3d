import { z } from 'zod';
import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import type { Db, Executor } from '../db/db.js';
import { offsetOf, type Page, type PageQuery } from '../db/paging.js';

const SECRET_KEY = /pass(word)?|secret|token|authinfo|hash|cookie|key$/i;

/**
 * What an audit entry says about a secret that was set: `{"password":"changed"}`. The one value a
 * secret-looking key may keep, so the log shows that a password changed without holding it.
 */
export const SECRET_CHANGED = 'changed';

/** Removes secret-looking keys at any depth; an audit entry never holds a password or token. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([key, v]) => !SECRET_KEY.test(key) || v === SECRET_CHANGED)
        .map(([key, v]) => [key, redactSecrets(v)]),
    );
  }
  return typeof value === 'bigint' ? value.toString() : value;
}

export const AuditEntryView = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.object({ kind: z.string(), id: z.number().int().nullable(), label: z.string() }),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const AuditQuery = z.object({
  entity: z.string().max(64).optional(),
  entityId: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  /** Who did it: employee, client, system, … */
  actorKind: z.string().max(32).optional(),
  actorId: z.coerce.number().int().positive().optional(),
});

export class AuditService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async record(
    trx: Executor,
    actor: Actor,
    action: string,
    entity: string,
    entityId: string | number | null,
    before: unknown,
    after: unknown,
  ): Promise<void> {
    const label = actor.kind === 'employee' && actor.impersonatorId ? `${actor.label} (impersonated)` : actor.label;
    await trx
      .insertInto('auditLog')
      .values({
        actorKind: actor.kind,
        actorId: actor.id,
        actorLabel: label,
        action,
        entity,
        entityId: entityId === null ? null : String(entityId),
        before: before == null ? null : JSON.stringify(redactSecrets(before)),
        after: after == null ? null : JSON.stringify(redactSecrets(after)),
        createdAt: this.clock.now().toISOString(),
      })
      .execute();
  }

  async list(query: PageQuery & z.infer<typeof AuditQuery>): Promise<Page<AuditEntryView>> {
    let q = this.db.kysely.selectFrom('auditLog');
    if (query.entity) q = q.where('entity', '=', query.entity);
    if (query.entityId) q = q.where('entityId', '=', query.entityId);
    if (query.action) q = q.where('action', '=', query.action);
    if (query.actorKind) q = q.where('actorKind', '=', query.actorKind);
    if (query.actorId) q = q.where('actorId', '=', query.actorId);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('id', 'desc').limit(query.perPage).offset(offsetOf(query)).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map((r) => ({
        id: r.id,
        at: r.createdAt,
        actor: { kind: r.actorKind, id: r.actorId, label: r.actorLabel },
        action: r.action,
        entity: r.entity,
        entityId: r.entityId,
        before: r.before === null ? null : JSON.parse(r.before),
        after: r.after === null ? null : JSON.parse(r.after),
      })),
      total: Number(count.n),
      page: query.page,
      perPage: query.perPage,
    };
  }
}
