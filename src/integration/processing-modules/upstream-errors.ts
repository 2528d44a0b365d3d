// Upstream errors become AppErrors here, at the edge of the processing-modules area.
import { AppError } from '../../platform/errors.js';
import { UpstreamCurrencyUnknown, UpstreamError } from './drivers/driver.js';

const CODES: Record<string, { code: string; status: number }> = {
  auth: { code: 'upstream_auth', status: 422 },
  access: { code: 'upstream_access', status: 422 },
  value: { code: 'upstream_value', status: 422 },
  'insufficient-funds': { code: 'upstream_insufficient_funds', status: 422 },
  'not-found': { code: 'upstream_not_found', status: 422 },
  rejected: { code: 'upstream_rejected', status: 422 },
  network: { code: 'upstream_unreachable', status: 502 },
  reset: { code: 'upstream_unreachable', status: 502 },
  http: { code: 'upstream_unreachable', status: 502 },
  tls: { code: 'upstream_tls', status: 502 },
  timeout: { code: 'upstream_timeout', status: 504 },
  protocol: { code: 'upstream_protocol', status: 502 },
  currency: { code: 'upstream_currency_unknown', status: 422 },
};

/** The AppError an upstream failure becomes; its message was built secret-free by the driver. */
export function upstreamToAppError(error: UpstreamError, field?: string): AppError {
  const mapped = CODES[error.kind] ?? { code: 'upstream_protocol', status: 502 };
  // The currency is the one thing the administrator can answer for the upstream: point at that field.
  const at = error.kind === 'currency' && field ? `${field}.currency` : field;
  // The currencies the account holds, for a form to offer (none when the upstream named none).
  const details = error instanceof UpstreamCurrencyUnknown ? { candidates: error.candidates } : undefined;
  return new AppError(mapped.code, error.message, { status: mapped.status, field: at, details });
}

export async function callUpstream<T>(work: () => Promise<T>, field?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UpstreamError) throw upstreamToAppError(error, field);
    throw error;
  }
}
