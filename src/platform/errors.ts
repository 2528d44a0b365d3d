// One error type for the whole application; platform/http/errors.ts maps its codes to HTTP.
export type ErrorCode =
  | 'validation'
  | 'unauthorized'
  | 'payment_required'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'rate_limited'
  | (string & {}); // area-specific codes (e.g. upstream_auth) carry their own status

export class AppError extends Error {
  override name = 'AppError';
  readonly field?: string;
  readonly status?: number;
  readonly details?: Record<string, unknown>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { field?: string; status?: number; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.field = options.field;
    this.status = options.status;
    this.details = options.details;
  }
}

export const notFound = (what: string, id: unknown) => new AppError('not_found', `${what} ${String(id)} does not exist`, { field: 'id' });
export const invalid = (field: string, message: string) => new AppError('validation', message, { field });
export const conflict = (message: string, field?: string) => new AppError('conflict', message, { field });
