// A small HTTP client that behaves like a browser or an integrator: cookies, CSRF header, bearer token.
// Every request and answer is shown to the secret watch (secrets.ts): the secrets it carries are noted,
// and an error answer is kept to be searched for them.
import { noteAnswer, noteRequest, noteSecret } from './secrets.js';

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiClient {
  private cookies = new Map<string, string>();
  private csrf?: string;
  bearer?: string;
  language?: string;
  /** False for the harness's own look-ups (the metrics), which are not the test's traffic. */
  private watched = true;

  constructor(readonly baseUrl: string) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] ??= 'application/json';
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrf && method !== 'GET') h['x-csrf-token'] ??= this.csrf;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    if (this.language) h['accept-language'] ??= this.language;
    if (this.watched) {
      noteRequest(method, path, body);
      if (this.bearer) noteSecret(this.bearer, 'a bearer token');
    }
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim()];
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    // Login, registration and "log in as" hand out the CSRF token the page then sends with writes.
    if (this.watched) noteAnswer(this.baseUrl, method, path, res.status, text, parsed, res.headers.getSetCookie());
    const csrf = (parsed as { csrfToken?: unknown } | null)?.csrfToken;
    if (res.ok && typeof csrf === 'string') this.csrf = csrf;
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
  patch<T = any>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body, headers);
  }
  put<T = any>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', path, body, headers);
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, undefined, headers);
  }

  /** Logs in with a cookie session; later writes carry the CSRF header, as the web UI does. */
  async login(email: string, password: string): Promise<Answer> {
    const answer = await this.post('/api/v1/auth/login', { email, password });
    if (answer.status === 200) this.csrf = answer.body.csrfToken;
    return answer;
  }

  hasSession(): boolean {
    return this.cookies.has('billrelay_session');
  }

  /** Another client carrying the same cookies: what a stolen session cookie looks like. */
  copySession(): ApiClient {
    const copy = new ApiClient(this.baseUrl);
    copy.cookies = new Map(this.cookies);
    copy.csrf = this.csrf;
    return copy;
  }

  /** The same session, for the harness's own requests: not noted by the secret watch. */
  unwatched(): ApiClient {
    const copy = this.copySession();
    copy.watched = false;
    return copy;
  }

  /** Forgets the CSRF token but keeps the cookie: what a cross-site form post looks like. */
  forgetCsrf(): void {
    this.csrf = undefined;
  }
}
