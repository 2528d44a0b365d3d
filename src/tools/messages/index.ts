// Tools → Messages, assembled: the outbox's repository, the SMTP sender and the staff service.
import type { Logger } from 'pino';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { MailConfig } from '../../platform/config.js';
import type { Db } from '../../platform/db/db.js';
import { MESSAGES_TOPIC } from './outbox.js';
import { MessageRepository } from './repository.js';
import { MessageSender } from './sender.js';
import { MessageService } from './service.js';

export { MESSAGES_TOPIC, MessageSender, MessageService };
export { enqueueMessage, enqueueClientMessage, enqueueEmployeeMessage } from './outbox.js';

export function createMessages(deps: { db: Db; clock: Clock; logger: Logger; audit: AuditService; config: MailConfig }) {
  const repo = new MessageRepository(deps.db);
  const sender = new MessageSender(repo, deps.clock, deps.logger, deps.config);
  const service = new MessageService(deps.db, repo, deps.audit, deps.clock, sender.configured);
  service.onRetry(() => sender.kick());
  return { service, sender };
}
