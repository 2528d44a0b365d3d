// The one way the UI talks to billrelay: the public REST API under /api/v1, typed from the server's
// OpenAPI document (schema.d.ts, `npm run api-types`). Cookie session + CSRF: the login answer carries a
// csrfToken that every write echoes in x-csrf-token. Every request asks for the UI's language, so
// displayName and the like come back in it.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

const CSRF_KEY = 'billrelay.csrf';
const CSRF_COOKIE = 'billrelay_csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * What the API said went wrong: `{error:{code,message,field,detail}}` (the message in the language the
 * request asked for; `detail` the English specific text when that language has none), or a network/HTTP
 * failure in the same shape.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
    readonly detail?: string,
    /** False when the answer carried no message of the server's (a proxy's error page, a network failure). */
    readonly fromServer = true,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function readCookie(name: string): string | null {
  const found = document.cookie.split('; ').find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

let csrfToken: string | null = sessionStorage.getItem(CSRF_KEY);
export function setCsrf(token: string | null): void {
  csrfToken = token;
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

let language = 'en';
/** The language the UI shows: sent as Accept-Language unless a request names its own. */
export function setApiLanguage(code: string): void {
  language = code;
}

let onUnauthorized: () => void = () => {};
/** Called when a request other than login answers 401 (the session ended): the app shows the login page. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

const session: Middleware = {
  onRequest({ request }) {
    if (!request.headers.has('accept-language')) request.headers.set('accept-language', language);
    if (UNSAFE.has(request.method)) {
      // After a reload the in-memory token is gone; the readable CSRF cookie holds the same value.
      const token = csrfToken ?? readCookie(CSRF_COOKIE);
      if (token) request.headers.set('x-csrf-token', token);
    }
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.endsWith('/auth/login')) onUnauthorized();
    return response;
  },
};

export const client = createClient<paths>({ credentials: 'same-origin', headers: { accept: 'application/json' } });
client.use(session);

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's body, or an ApiError carrying the server's code, message and field. */
export async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await pending;
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server; check the connection and try again', undefined, undefined, undefined, false);
  }
  const { data, error, response } = answer;
  if (!response.ok) {
    const body = (error as { error?: { code?: string; message?: string; field?: string; details?: Record<string, unknown>; detail?: string } } | undefined)?.error;
    throw new ApiError(
      response.status,
      body?.code ?? 'http',
      body?.message ?? `${response.status} ${response.statusText}`,
      body?.field,
      body?.details,
      body?.detail,
      typeof body?.message === 'string',
    );
  }
  return data as T;
}
