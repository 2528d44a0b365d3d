// What the upstream reports of a license and billrelay has differently: one rule for the hourly sync
// and for a sync operation staff run on one license.
import type { UpstreamLicense } from '../../integration/processing-modules/drivers/driver.js';
import { statusPatch, type LicenseRow } from './status.js';

export type UpstreamReport = Partial<Pick<UpstreamLicense, 'status' | 'expiresOn' | 'licenseKey'>>;

export interface DriftEvent {
  event: 'expiry' | 'status' | 'key';
  from: string | null;
  to: string | null;
  message: string;
}

export interface Drift {
  /** The columns to write (with updatedAt); empty when nothing differs. */
  patch: Partial<LicenseRow>;
  events: DriftEvent[];
  /** Deleted upstream while active here: a person looks (it is not deleted here behind the client's back). */
  goneWhileActive: boolean;
}

/**
 * Only a license that is active or suspended here follows the upstream: one being ordered is the
 * worker's, a deleted one is done. `deleteActive`: a deletion upstream deletes an active license here
 * too (a sync staff asked for) instead of being reported.
 */
export function driftFrom(local: Pick<LicenseRow, 'status' | 'expiresOn' | 'licenseKey'>, upstream: UpstreamReport, now: string, options: { deleteActive: boolean }): Drift {
  const drift: Drift = { patch: {}, events: [], goneWhileActive: false };
  if (local.status !== 'active' && local.status !== 'suspended') return drift;
  if (upstream.expiresOn && upstream.expiresOn !== local.expiresOn) {
    drift.patch.expiresOn = upstream.expiresOn;
    drift.events.push({ event: 'expiry', from: local.expiresOn, to: upstream.expiresOn, message: 'Expiry corrected from the upstream' });
  }
  if ((upstream.status === 'active' || upstream.status === 'suspended') && upstream.status !== local.status) {
    Object.assign(drift.patch, statusPatch(local, upstream.status, now, 'upstream'));
    drift.events.push({ event: 'status', from: local.status, to: upstream.status, message: `Status corrected from the upstream (${upstream.status} there)` });
  } else if (upstream.status === 'deleted') {
    if (local.status === 'suspended' || options.deleteActive) {
      Object.assign(drift.patch, statusPatch(local, 'deleted', now));
      drift.events.push({ event: 'status', from: local.status, to: 'deleted', message: 'Deleted upstream' });
    } else {
      drift.goneWhileActive = true;
    }
  }
  if (upstream.licenseKey && upstream.licenseKey !== local.licenseKey) {
    drift.patch.licenseKey = upstream.licenseKey;
    // The key itself is the client's secret: the history says that it changed, not what it is.
    drift.events.push({ event: 'key', from: null, to: null, message: 'License key corrected from the upstream' });
  }
  return drift;
}
