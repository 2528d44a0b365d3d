// A license's status and what goes with it, in one place: when it was suspended and why, when it was
// deleted. Every transition writes its status through statusPatch.
import type { Selectable } from 'kysely';
import type { LicenseTable } from '../../platform/db/schema.js';

export type LicenseRow = Selectable<LicenseTable>;

/** Why a license is suspended: staff keep it so until they resume it; a paid renewal lifts the others. */
export type SuspensionCause = 'staff' | 'expiry' | 'upstream';

/** The columns a move from the license's current status to `to` sets (status, its dates and cause). */
export function statusPatch(from: Pick<LicenseRow, 'status'>, to: string, now: string, cause: SuspensionCause = 'staff'): Partial<LicenseRow> {
  const patch: Partial<LicenseRow> = { status: to, updatedAt: now };
  if (to === 'suspended' && from.status !== 'suspended') Object.assign(patch, { suspendedAt: now, suspendedBy: cause });
  if (to === 'active') Object.assign(patch, { suspendedAt: null, suspendedBy: null });
  if (to === 'deleted') patch.deletedAt = now;
  return patch;
}
