import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../errors.js';
import { codeMessage, SERVER_LOCALES, serverLocale, translate } from '../i18n/messages.js';

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
  payload_too_large: 413,
  unsupported_media_type: 415,
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
  gateway_unavailable: 502,
};

export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: Record<string, unknown>; detail?: string };
}

export function statusOf(error: AppError): number {
  return ERROR_STATUS[error.code];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The language errors are told in before the actor is known (Accept-Language, else the default localization). */
    errorLocale?: string;
    /** The default localization: the language of errors for a language the server does not speak. */
    defaultLocale?: string;
  }
}

/**
 * The language of this request's error messages: the actor's, or what Accept-Language asked for; for
 * one the server does not speak, the default localization's (else English).
 */
export function localeOf(request: FastifyRequest): string {
  const asked = request.actor?.locale ?? request.errorLocale;
  return asked && SERVER_LOCALES.includes(asked) ? asked : serverLocale(request.defaultLocale);
}

function body(code: ErrorCode, message: string, field?: string, details?: Record<string, unknown>, detail?: string): ErrorBody {
  return { error: { code, message, ...(field ? { field } : {}), ...(details ? { details } : {}), ...(detail ? { detail } : {}) } };
}

/**
 * An AppError in the caller's language: its own message when it is in the catalog there; otherwise the
 * message for its code, with the English specific text kept in `detail`.
 */
export function localizedMessage(error: AppError, locale: string): { message: string; detail?: string } {
  if (locale === 'en') return { message: error.message };
  if (error.key) {
    const text = translate(locale, error.key, error.params);
    if (text !== undefined) return { message: text };
  }
  return { message: codeMessage(locale, error.code), detail: error.message };
}

type ZodIssue = Parameters<ReturnType<typeof z.locales.en>['localeError'] & {}>[0];
const ZOD_LOCALES: Record<string, ReturnType<typeof z.locales.en>> = { en: z.locales.en(), ru: z.locales.ru() };

/** The value a failed check looked at, for the locale's wording ("expected string, received number"). */
function inputAt(request: FastifyRequest, context: string, path: readonly string[]): unknown {
  let value: unknown = (request as unknown as Record<string, unknown>)[context];
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Why a schema check failed, in the caller's language; a schema's own English wording goes to `detail`. */
function zodReason(request: FastifyRequest, locale: string, context: string, path: string[], issue: {
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}): { reason: string; detail?: string } {
  const english = issue.message ?? 'is invalid';
  if (locale === 'en' || !ZOD_LOCALES[locale]) return { reason: english };
  const raw = { ...issue.params, code: issue.keyword, path, input: inputAt(request, context, path) } as unknown as ZodIssue;
  const localized = ZOD_LOCALES[locale]!.localeError(raw);
  const text = typeof localized === 'string' ? localized : localized?.message;
  if (!text) return { reason: codeMessage(locale, 'validation'), detail: english };
  const stock = ZOD_LOCALES.en!.localeError(raw);
  const stockText = typeof stock === 'string' ? stock : stock?.message;
  // A schema that words its own reason ('locale codes look like "en"') keeps it beside the translation.
  return stockText === english ? { reason: text } : { reason: text, detail: english };
}

/** The one place where errors become HTTP answers. Anything unexpected is a 500 and is logged. */
export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const locale = localeOf(request);
  if (error instanceof AppError) {
    const retryAfter = error.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(Math.ceil(retryAfter)));
    const { message, detail } = localizedMessage(error, locale);
    reply.code(statusOf(error)).send(body(error.code, message, error.field, error.details, detail));
    return;
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0]!;
    const context = error.validationContext ?? 'body';
    const pathParts = String(first.instancePath ?? '').split('/').filter(Boolean);
    // A key the schema does not know is reported on the object that holds it: the field is the key.
    const unknownKey = first.keyword === 'unrecognized_keys' ? (first.params as { keys?: unknown[] } | undefined)?.keys?.[0] : undefined;
    const fieldParts = typeof unknownKey === 'string' ? [...pathParts, unknownKey] : pathParts;
    const field = fieldParts.length ? fieldParts.join('.') : context === 'body' ? undefined : context;
    const { reason, detail } = zodReason(request, locale, context, pathParts, first);
    const message = `${field ?? context}: ${reason}`;
    reply.code(400).send(body('validation', message, field, undefined, detail));
    return;
  }
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error }, 'response did not match its schema');
    reply.code(500).send(body('internal', codeMessage(locale, 'internal')));
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // Fastify's own refusals (a body too large, an unsupported media type…) keep their status; the
    // code is the nearest of ours.
    const code = fastifyError.statusCode === 429 ? 'rate_limited' : fastifyError.statusCode === 404 ? 'not_found' : 'bad_request';
    const english = fastifyError.message;
    reply.code(fastifyError.statusCode).send(locale === 'en' ? body(code, english) : body(code, codeMessage(locale, code), undefined, undefined, english));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  reply.code(500).send(body('internal', codeMessage(locale, 'internal')));
}
