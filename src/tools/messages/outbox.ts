// Writing e-mails: always inside the transaction of the event that causes them, so an event that
// commits has its message and one that rolls back has none. The idempotency key names the event and
// the recipient; a second write of the same key is ignored, so an event handled twice mails once.
import type { Executor } from '../../platform/db/db.js';
import { raiseOnCommit } from '../../platform/db/db.js';
import { Money } from '../../platform/money.js';
import { render, type MessageEvent } from './templates/index.js';

/** Announced when a transaction wrote a message: the sender looks at once. */
export const MESSAGES_TOPIC = 'messages';

export interface NewMessage {
  /** Names the event (e.g. "license_active:42"); the recipient's address is added to it. */
  eventKey: string;
  event: MessageEvent;
  recipientAddress: string;
  recipientName: string | null;
  locale: string;
  subject: string;
  text: string;
  html: string;
  providerId?: number | null;
  clientId?: number | null;
  employeeId?: number | null;
  entityType?: string | null;
  entityId?: number | null;
}

/** Writes a pending message in the caller's transaction; false when this event already wrote it. */
export async function enqueueMessage(trx: Executor, now: Date, m: NewMessage): Promise<boolean> {
  const at = now.toISOString();
  const result = await trx
    .insertInto('messages')
    .values({
      idempotencyKey: `${m.eventKey}:${m.recipientAddress.toLowerCase()}`,
      event: m.event,
      recipientAddress: m.recipientAddress,
      recipientName: m.recipientName,
      locale: m.locale,
      subject: m.subject,
      textBody: m.text,
      htmlBody: m.html,
      providerId: m.providerId ?? null,
      clientId: m.clientId ?? null,
      employeeId: m.employeeId ?? null,
      entityType: m.entityType ?? null,
      entityId: m.entityId ?? null,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: at,
      leaseOwner: null,
      leaseExpiresAt: null,
      lastError: null,
      sentAt: null,
      createdAt: at,
      updatedAt: at,
    })
    .onConflict((oc) => oc.column('idempotencyKey').doNothing())
    .executeTakeFirst();
  const created = Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  if (created) raiseOnCommit(trx, MESSAGES_TOPIC);
  return created;
}

/** A message to a client in their language, from their provider. Nothing when the client is gone. */
export async function enqueueClientMessage(
  trx: Executor,
  now: Date,
  input: { clientId: number; event: MessageEvent; eventKey: string; values: Record<string, string>; entityType?: string; entityId?: number },
): Promise<boolean> {
  const client = await trx
    .selectFrom('clients')
    .innerJoin('providers', 'providers.id', 'clients.providerId')
    .select(['clients.email', 'clients.name', 'clients.language', 'clients.providerId', 'providers.name as providerName'])
    .where('clients.id', '=', input.clientId)
    .executeTakeFirst();
  if (!client) return false;
  const rendered = render(input.event, client.language, { name: client.name, provider: client.providerName, ...input.values });
  return enqueueMessage(trx, now, {
    eventKey: input.eventKey,
    event: input.event,
    recipientAddress: client.email,
    recipientName: client.name,
    locale: rendered.locale,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    providerId: client.providerId,
    clientId: input.clientId,
    entityType: input.entityType ?? null,
    entityId: input.entityId ?? null,
  });
}

/**
 * A message to an employee, in `locale` (a department's task language; English when there is no
 * template in it), signed by the default provider like their own account e-mails. Nothing when the
 * employee is gone or disabled.
 */
export async function enqueueEmployeeMessage(
  trx: Executor,
  now: Date,
  input: { employeeId: number; locale: string | null; event: MessageEvent; eventKey: string; values: Record<string, string>; entityType?: string; entityId?: number },
): Promise<boolean> {
  const employee = await trx.selectFrom('employees').select(['email', 'name', 'enabled']).where('id', '=', input.employeeId).executeTakeFirst();
  if (!employee || !employee.enabled) return false;
  const provider = await trx.selectFrom('providers').select('name').orderBy('isDefault', 'desc').orderBy('id').limit(1).executeTakeFirst();
  const rendered = render(input.event, input.locale, { name: employee.name, provider: provider?.name ?? 'billrelay', ...input.values });
  return enqueueMessage(trx, now, {
    eventKey: input.eventKey,
    event: input.event,
    recipientAddress: employee.email,
    recipientName: employee.name,
    locale: rendered.locale,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    employeeId: input.employeeId,
    entityType: input.entityType ?? null,
    entityId: input.entityId ?? null,
  });
}

/** "12.50 EUR" from minor units. */
export function moneyWords(minor: bigint, currency: string): string {
  return `${Money.of(minor, currency).toString()} ${currency}`;
}
