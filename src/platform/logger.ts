import { pino, type Logger } from 'pino';

/** Paths whose values never reach a log line, wherever they appear. */
export const REDACTED_PATHS = [
  'password', '*.password', '*.*.password', 'passwordHash', '*.passwordHash',
  'authinfo', '*.authinfo', '*.*.authinfo', 'token', '*.token',
  'req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]', 'headers.cookie', 'headers.authorization',
  'connection.password', '*.connection.password',
  // Mailed links (reset-password?token=…) are opened as pages: their token is cut out of the logged URL.
  'req.url',
];

/** A logged URL keeps its path and everything but a token; any other redacted value is hidden whole. */
function censor(value: unknown, path: string[]): unknown {
  if (path.at(-1) === 'url' && typeof value === 'string') return value.replace(/([?&]token=)[^&#]*/g, '$1[redacted]');
  return '[redacted]';
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor } },
    destination as pino.DestinationStream | undefined,
  );
}

export type { Logger };
