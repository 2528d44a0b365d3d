import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode } from '../errors.js';

/** The HTTP status of every error code. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  validation: 400,
  bad_request: 400,
  unauthorized: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  password_required: 422,
  currency_mismatch: 422,
  ip_refused: 422,
  // Not answered over HTTP today: the auto-renewal catches it.
  renewal_unpriced: 400,
  // The upstream refused: something here (credentials, a value, the balance, the currency) must change.
  upstream_auth: 422,
  upstream_access: 422,
  upstream_value: 422,
  upstream_insufficient_funds: 422,
  upstream_not_found: 422,
  upstream_rejected: 422,
  upstream_currency_unknown: 422,
  // The upstream could not be reached or answered badly: a gateway's failure.
  upstream_unreachable: 502,
  upstream_tls: 502,
  upstream_protocol: 502,
  upstream_timeout: 504,
};

export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: Record<string, unknown> };
}

export function statusOf(error: AppError): number {
  return ERROR_STATUS[error.code];
}

function body(code: ErrorCode, message: string, field?: string, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, ...(field ? { field } : {}), ...(details ? { details } : {}) } };
}

/** The one place where errors become HTTP answers. Anything unexpected is a 500 and is logged. */
export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof AppError) {
    const retryAfter = error.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(Math.ceil(retryAfter)));
    reply.code(statusOf(error)).send(body(error.code, error.message, error.field, error.details));
    return;
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0]!;
    const context = error.validationContext ?? 'body';
    const pathParts = String(first.instancePath ?? '').split('/').filter(Boolean);
    const field = pathParts.length ? pathParts.join('.') : context === 'body' ? undefined : context;
    const message = `${field ?? context}: ${first.message ?? 'is invalid'}`;
    reply.code(400).send(body('validation', message, field));
    return;
  }
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error }, 'response did not match its schema');
    reply.code(500).send(body('internal', 'Internal error'));
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // Fastify's own refusals (a body too large, an unsupported media type…) keep their status; the
    // code is the nearest of ours.
    const code = fastifyError.statusCode === 429 ? 'rate_limited' : fastifyError.statusCode === 404 ? 'not_found' : 'bad_request';
    reply.code(fastifyError.statusCode).send(body(code, fastifyError.message));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  reply.code(500).send(body('internal', 'Internal error'));
}
