// Upstream errors become AppErrors here, at the edge of the processing-modules area.
import { AppError, type ErrorCode } from '../../platform/errors.js';
import type { MessageParams } from '../../platform/i18n/messages.js';
import { UpstreamCurrencyUnknown, UpstreamError, UpstreamValueError, type UpstreamErrorKind } from './drivers/driver.js';

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
  return new AppError(CODES[error.kind], error.message, { field: at, details, ...messageOf(error) });
}

/** The catalog message for the failures a person can act on; the others get their code's message. */
function messageOf(error: UpstreamError): { key?: string; params?: MessageParams } {
  let base: MessageParams[string] | undefined;
  if (error instanceof UpstreamValueError) base = error.field ? { key: 'upstream.valueOf', params: { field: error.field } } : { key: 'upstream.value' };
  else if (['auth', 'access', 'insufficient-funds', 'not-found'].includes(error.kind)) base = { key: `upstream.${error.kind}` };
  if (!base) return {};
  if (!error.upstreamMessage) return { key: (base as { key: string }).key, params: (base as { params?: MessageParams }).params ?? {} };
  return { key: 'upstream.says', params: { message: base, upstream: error.upstreamMessage } };
}

export async function callUpstream<T>(work: () => Promise<T>, field?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UpstreamError) throw upstreamToAppError(error, field);
    throw error;
  }
}
