// What a license's client hears, read from the license's history as it is written: every change of a
// license (by the worker, by staff, by the scheduler, by the sync) records its history in its own
// transaction, so a message written here commits or rolls back with the change itself.
import { createHash } from 'node:crypto';
import type { Executor } from '../../platform/db/db.js';
import type { HistoryEvent } from '../../licenses/history.js';
import { enqueueClientMessage } from './outbox.js';
import type { MessageEvent } from './templates/index.js';

/** The history note the auto-renewal writes (once a day) when the balance does not cover a renewal (UNPAID_NOTE of tools/scheduler/renewals.ts). */
const UNPAID_NOTE = 'renewal_unpaid';

/** The event an entry of the history means for the client, and the key naming it once. */
async function noticeOf(db: Executor, e: HistoryEvent, license: { id: number; suspendedAt: string | null; expiresOn: string | null; licenseKey: string | null }, today: string): Promise<{ event: MessageEvent; key: string } | null> {
  if (e.event === 'status' && e.to === 'active' && e.from === 'processing') return { event: 'license_active', key: `license_active:${e.licenseId}` };
  if (e.event === 'status' && e.to === 'suspended') return { event: 'license_suspended', key: `license_suspended:${e.licenseId}:${license.suspendedAt ?? today}` };
  if (e.event === 'status' && e.to === 'deleted') return { event: 'license_deleted', key: `license_deleted:${e.licenseId}` };
  // At most once a day per license, whatever runs the renewal that day.
  if (e.event === 'note' && e.to === UNPAID_NOTE) return { event: 'renewal_unpaid', key: `renewal_unpaid:${e.licenseId}:${today}` };
  // A renewal (by the worker or recorded by hand), not an expiry corrected by the sync.
  if (e.event === 'expiry' && e.to && e.operationId) {
    const op = await db.selectFrom('operations').select('kind').where('id', '=', e.operationId).executeTakeFirst();
    if (op?.kind === 'prolong') return { event: 'license_renewed', key: `license_renewed:${e.licenseId}:${e.to}` };
  }
  // A new key (the new-key action, by the worker or by hand, or a key corrected from the upstream); the
  // key of a new license comes with "license active". Once per key: its hash names it, not the key.
  if (e.event === 'key' && license.licenseKey) {
    if (e.operationId) {
      const op = await db.selectFrom('operations').select('kind').where('id', '=', e.operationId).executeTakeFirst();
      if (op?.kind === 'open') return null;
    }
    return { event: 'license_new_key', key: `license_new_key:${e.licenseId}:${createHash('sha256').update(license.licenseKey).digest('hex').slice(0, 16)}` };
  }
  return null;
}

/** Cheap first look (no query) so that most history entries cost nothing here. */
function mayNotify(e: HistoryEvent): boolean {
  if (e.event === 'status') return (e.to === 'active' && e.from === 'processing') || e.to === 'suspended' || e.to === 'deleted';
  if (e.event === 'note') return e.to === UNPAID_NOTE;
  if (e.event === 'key') return true;
  return e.event === 'expiry' && !!e.to && !!e.operationId;
}

/** Writes the messages these history entries mean, in the caller's transaction (called by LicenseHistory). */
export async function licenseNotices(db: Executor, now: Date, events: readonly HistoryEvent[]): Promise<void> {
  if (!db.isTransaction) return;
  const today = now.toISOString().slice(0, 10);
  for (const e of events) {
    if (!mayNotify(e)) continue;
    const license = await db
      .selectFrom('licenses')
      .select(['id', 'clientId', 'licenseName', 'ip', 'licenseKey', 'expiresOn', 'suspendedAt'])
      .where('id', '=', e.licenseId)
      .executeTakeFirst();
    if (!license) continue;
    const notice = await noticeOf(db, e, license, today);
    if (!notice) continue;
    await enqueueClientMessage(db, now, {
      clientId: license.clientId,
      event: notice.event,
      eventKey: notice.key,
      values: { licenseName: license.licenseName, ip: license.ip, licenseKey: license.licenseKey ?? '', expiresOn: license.expiresOn ?? '—' },
      entityType: 'license',
      entityId: license.id,
    });
  }
}
