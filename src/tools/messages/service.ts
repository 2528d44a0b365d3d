// Tools → Messages: staff read the outbox and send a failed message again.
import type { Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/db.js';
import { appError, notFound } from '../../platform/errors.js';
import type { MessageRepository, MessageRow } from './repository.js';
import type { MessageListQuery, MessageSummary, MessageView } from './schemas.js';
import type { MessageEvent } from './templates/index.js';

export class MessageService {
  private readonly retryListeners: Array<() => void> = [];

  constructor(
    private readonly db: Db,
    private readonly repo: MessageRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly smtpConfigured: boolean,
  ) {}

  onRetry(listener: () => void): void {
    this.retryListeners.push(listener);
  }

  async list(query: MessageListQuery) {
    const { rows, total } = await this.repo.list({ status: query.status, recipient: query.recipient, clientId: query.clientId }, query);
    return { items: rows.map(toSummary), total, page: query.page, perPage: query.perPage, smtpConfigured: this.smtpConfigured };
  }

  async get(id: number): Promise<MessageView> {
    const row = await this.repo.find(this.db.kysely, id);
    if (!row) throw notFound('Message', id);
    return toView(row);
  }

  /** A failed message is pending again now, with a fresh retry budget. */
  async retry(id: number, actor: Actor): Promise<MessageView> {
    const view = await this.db.transaction(async (trx) => {
      const before = await trx.selectFrom('messages').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!before) throw notFound('Message', id);
      if (before.status !== 'failed') throw appError('conflict', 'message.retry', { id, status: before.status }, { field: 'status' });
      const now = this.clock.now().toISOString();
      await trx.updateTable('messages').set({ status: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now }).where('id', '=', id).execute();
      const after = (await this.repo.find(trx, id))!;
      await this.audit.record(trx, actor, 'message.retry', 'message', id, { status: before.status, lastError: before.lastError }, { status: after.status });
      return toView(after);
    });
    for (const listener of this.retryListeners) listener();
    return view;
  }
}

function toSummary(row: MessageRow): MessageSummary {
  return {
    id: Number(row.id),
    event: row.event as MessageEvent,
    recipientAddress: row.recipientAddress,
    recipientName: row.recipientName,
    locale: row.locale,
    subject: row.subject,
    status: row.status as MessageSummary['status'],
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
    sentAt: row.sentAt,
    clientId: row.clientId,
    employeeId: row.employeeId,
    providerId: row.providerId,
    entityType: row.entityType,
    entityId: row.entityId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * A password-reset or confirmation link is the recipient's alone: staff reading the outbox see the
 * e-mail with its token cut out (otherwise whoever reads Tools → Messages could reset a password).
 */
export function withoutTokens(body: string): string {
  return body.replace(/([?&]token=)[A-Za-z0-9_-]+/g, '$1…');
}

function toView(row: MessageRow): MessageView {
  return { ...toSummary(row), text: withoutTokens(row.textBody), html: withoutTokens(row.htmlBody) };
}
