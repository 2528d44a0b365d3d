import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../errors.js';

const STATUS: Record<string, number> = {
  validation: 400,
  unauthorized: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
};

export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: Record<string, unknown> };
}

export function statusOf(error: AppError): number {
  return error.status ?? STATUS[error.code] ?? 400;
}

function body(code: string, message: string, field?: string, details?: Record<string, unknown>): ErrorBody {
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
    const code = fastifyError.statusCode === 429 ? 'rate_limited' : fastifyError.statusCode === 404 ? 'not_found' : 'bad_request';
    reply.code(fastifyError.statusCode).send(body(code, fastifyError.message));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  reply.code(500).send(body('internal', 'Internal error'));
}
