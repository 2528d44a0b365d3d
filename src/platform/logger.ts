import { pino, type Logger } from 'pino';

/** Paths whose values never reach a log line, wherever they appear. */
export const REDACTED_PATHS = [
  'password', '*.password', '*.*.password', 'passwordHash', '*.passwordHash',
  'authinfo', '*.authinfo', '*.*.authinfo', 'token', '*.token',
  'req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]', 'headers.cookie', 'headers.authorization',
  'connection.password', '*.connection.password',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    destination as pino.DestinationStream | undefined,
  );
}

export type { Logger };
