import { english, type MessageKey, type MessageParams } from './i18n/messages.js';

// One error type for the whole application, with a closed set of codes: platform/http/errors.ts gives
// each its HTTP status in one table, so a code cannot be used before it has one.
export const ERROR_CODES = [
  'validation',
  'bad_request',
  'unauthorized',
  'payment_required',
  'forbidden',
  'not_found',
  'conflict',
  'unprocessable',
  'rate_limited',
  'payload_too_large',
  'unsupported_media_type',
  'internal',
  // Area-specific.
  'password_required',
  'currency_mismatch',
  'ip_refused',
  'renewal_unpriced',
  // What the upstream's failures become (integration/processing-modules/upstream-errors.ts).
  'upstream_auth',
  'upstream_access',
  'upstream_value',
  'upstream_insufficient_funds',
  'upstream_not_found',
  'upstream_rejected',
  'upstream_currency_unknown',
  'upstream_unreachable',
  'upstream_tls',
  'upstream_protocol',
  'upstream_timeout',
  // A payment gateway (Stripe…) could not be reached or refused the call.
  'gateway_unavailable',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorOptions {
  field?: string;
  details?: Record<string, unknown>;
  /** The message in the server's catalog (i18n/messages.ts): the HTTP answer speaks the caller's language. */
  key?: string;
  params?: MessageParams;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly field?: string;
  readonly details?: Record<string, unknown>;
  readonly key?: string;
  readonly params?: MessageParams;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message);
    this.field = options.field;
    this.details = options.details;
    this.key = options.key;
    this.params = options.params;
  }
}

/** An AppError whose message comes from the catalog: English here, the caller's language over HTTP. */
export function appError(
  code: ErrorCode,
  key: MessageKey,
  params: MessageParams = {},
  options: Omit<AppErrorOptions, 'key' | 'params'> = {},
): AppError {
  return new AppError(code, english(key, params), { ...options, key, params });
}

export const notFound = (what: string, id: unknown) =>
  new AppError('not_found', `${what} ${String(id)} does not exist`, {
    field: 'id',
    key: 'notFound',
    params: { what: { key: `entity.${what}` }, id: String(id) },
  });
export const invalid = (field: string, message: string) => new AppError('validation', message, { field });
export const conflict = (message: string, field?: string) => new AppError('conflict', message, { field });
