// Upstream errors become AppErrors here, at the edge of the processing-modules area.
import { AppError, type ErrorCode } from '../../platform/errors.js';
import { UpstreamCurrencyUnknown, UpstreamError, type UpstreamErrorKind } from './drivers/driver.js';

/** Every kind of upstream failure has its code (and so its HTTP status): a new kind must be given one here. */
const CODES: Record<UpstreamErrorKind, ErrorCode> = {
  auth: 'upstream_auth',
  access: 'upstream_access',
  value: 'upstream_value',
  'insufficient-funds': 'upstream_insufficient_funds',
  'not-found': 'upstream_not_found',
  rejected: 'upstream_rejected',
  network: 'upstream_unreachable',
  reset: 'upstream_unreachable',
  http: 'upstream_unreachable',
  tls: 'upstream_tls',
  timeout: 'upstream_timeout',
  protocol: 'upstream_protocol',
  currency: 'upstream_currency_unknown',
};

/** The AppError an upstream failure becomes; its message was built secret-free by the driver. */
export function upstreamToAppError(error: UpstreamError, field?: string): AppError {
  // The currency is the one thing the administrator can answer for the upstream: point at that field.
  const at = error.kind === 'currency' && field ? `${field}.currency` : field;
  // The currencies the account holds, for a form to offer (none when the upstream named none).
  const details = error instanceof UpstreamCurrencyUnknown ? { candidates: error.candidates } : undefined;
  return new AppError(CODES[error.kind], error.message, { field: at, details });
}

export async function callUpstream<T>(work: () => Promise<T>, field?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UpstreamError) throw upstreamToAppError(error, field);
    throw error;
  }
}
