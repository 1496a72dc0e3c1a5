import { pino, type Logger } from 'pino';

export type { Logger };

const secretKeys = ['password', 'pass', 'secret', 'clientSecret', 'accessToken', 'refreshToken', 'token', 'apiToken', 'csrfToken'];

// Paths that may carry secrets anywhere in a log object. pino removes them before
// serialising, so a careless `log.info({ account })` cannot leak a password. Wildcards match
// one level each: secrets are covered at the top, one and two levels down (e.g. `{ account:
// { auth: { pass } } }`, `{ err: { options: { password } } }`), plus the known deeper shapes.
export const redactPaths = [
  ...secretKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  'err.config.auth',
  'err.config.headers.authorization',
  'err.config.headers.Authorization',
  'err.config.data',
  'err.response.config.auth',
  'err.response.config.headers.authorization',
  'err.cause.config.auth',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
  socket?: { remoteAddress?: string; remotePort?: number } | null;
}

/**
 * The request as the access log records it: the path without its query string, which can carry
 * an OAuth `code`/`state` or an address being looked up. (The request id is the `reqId` binding.)
 */
export function requestForLog(req: LoggedRequest) {
  return {
    method: req.method,
    path: (req.url ?? '').split('?')[0],
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  };
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { service: 'mailyard' },
      serializers: { req: requestForLog },
    },
    destination ?? process.stdout,
  );
}
