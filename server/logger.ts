// The server's one pino logger: JSON to stdout, with secrets redacted wherever they could appear
// (request headers, bodies logged by mistake, error details).
import pino, { type Logger, type LoggerOptions } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'password',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  'token',
  '*.token',
  '*.credential',
  '*.enrollmentToken',
  '*.jwtSecret',
  '*.adminPassword',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
