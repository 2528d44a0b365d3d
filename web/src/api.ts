// The one way the UI talks to billrelay: the public REST API under /api/v1, nothing else.
// Cookie session + CSRF: the login answer carries a csrfToken that every write echoes in x-csrf-token.

const CSRF_KEY = 'billrelay.csrf';
const CSRF_COOKIE = 'billrelay_csrf';

export interface Me {
  kind: 'employee' | 'client';
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  locale: string;
  impersonatedBy: number | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  perPage: number;
}

export interface Datacenter {
  id: number;
  name: Record<string, string>;
  displayName: string;
  externalId: string | null;
  sort: number;
  createdAt: string;
  updatedAt: string;
}

export interface Localization {
  code: string;
  name: string;
  enabled: boolean;
  isDefault: boolean;
}

export interface Ref {
  id: number;
  displayName: string;
}

export interface ProcessingModule {
  id: number;
  productType: string;
  moduleType: string;
  name: Record<string, string>;
  displayName: string;
  status: 'enabled' | 'disabled' | 'error';
  enabled: boolean;
  datacenter: Ref | null;
  department: Ref | null;
  sort: number;
  connection: { url: string; username: string; currency?: string | null } | null;
  currency: string | null;
  minimalBalance: string | null;
  balance: string | null;
  balanceCheckedAt: string | null;
  balanceBelowMinimal: boolean;
  lastError: { code: string; message: string; at: string } | null;
}

export interface Field {
  name: string;
  type: 'url' | 'text' | 'password';
  required: boolean;
  default?: string;
  description: string;
}

export interface ModuleTypes {
  productTypes: { id: string; name: string; moduleTypes: { id: string; name: string; description: string; connectionFields: Field[] }[] }[];
  parameterFields: Field[];
}

export interface ConnectionCheck {
  balance: string;
  currency: string;
  account: string;
  /** The URL that answered (with the path found when none was given). */
  url: string;
}

export interface Department {
  id: number;
  displayName: string;
}

export interface Task {
  id: number;
  type: string;
  status: 'new' | 'in_progress' | 'done';
  departmentId: number | null;
  department: Ref | null;
  performerId: number | null;
  performer: Ref | null;
  /** Who made the performer: the performer themself when they took it. */
  assignedBy: Ref | null;
  assignedAt: string | null;
  operationId: number | null;
  /** The task's operation as it stands now. */
  operation: Pick<Operation, 'id' | 'kind' | 'status'> | null;
  dueAt: string | null;
  overdue: boolean;
  title: string;
  text: string;
  createdAt: string;
}

export interface Operation {
  id: number;
  licenseId: number;
  kind: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'manual';
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  lastErrorCode: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DepartmentMember {
  id: number;
  name: string;
  email: string;
  enabled: boolean;
}

export interface License {
  id: number;
  clientId: number;
  status: 'processing' | 'active' | 'suspended' | 'deleted';
  ip: string;
  licenseName: string;
  licenseKey: string | null;
  expiresAt: string | null;
  autoRenew: boolean;
  price: string;
  currency: string;
  pendingOperations: { id: number; kind: string; status: string; lastError: string | null }[];
}

/** What the API said went wrong: `{error:{code,message,field}}`, or a network/HTTP failure in the same shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
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

function setCsrf(token: string | null): void {
  csrfToken = token;
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

let onUnauthorized: () => void = () => {};
/** Called when a request other than login answers 401 (the session ended): the app shows the login page. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    // After a reload the in-memory token is gone; the readable CSRF cookie holds the same value.
    const token = csrfToken ?? readCookie(CSRF_COOKIE);
    if (token) headers['x-csrf-token'] = token;
  }
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server; check the connection and try again');
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; field?: string; details?: Record<string, unknown> } } | null)?.error;
    if (res.status === 401 && path !== '/auth/login') onUnauthorized();
    throw new ApiError(res.status, error?.code ?? 'http', error?.message ?? `${res.status} ${res.statusText}`, error?.field, error?.details);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: (path: string) => request<null>('DELETE', path),

  async login(email: string, password: string): Promise<Me> {
    const answer = await request<{ user: Me; csrfToken: string }>('POST', '/auth/login', { email, password });
    setCsrf(answer.csrfToken);
    return answer.user;
  },
  async logout(): Promise<void> {
    try {
      await request('POST', '/auth/logout', {});
    } finally {
      setCsrf(null);
    }
  },
  me: () => request<Me>('GET', '/auth/me'),
};

/** The text to show for any failure. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
