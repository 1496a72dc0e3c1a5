// The only module that reads process.env. Everything else receives a typed Config, or the slice
// of it a module declares (DatabaseConfig, OutboxConfig, DetectionConfig, ScaleConfig).
import { isIP } from 'node:net';
import path from 'node:path';
import type { DatabaseConfig } from './db/database.js';
import type { ScaleConfig } from './scale/scale-out.js';
import type { DetectionConfig } from './services/detection/types.js';
import type { OutboxConfig } from './services/outbox/outbox-worker.js';

export type { DatabaseConfig, DetectionConfig, OutboxConfig, ScaleConfig };

export const processRoles = ['all', 'api', 'worker'] as const;
export type ProcessRole = (typeof processRoles)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: DatabaseConfig;
  secretKey: string | undefined;
  baseUrl: string;
  allowPrivateNetworks: boolean;
  /**
   * Which proxies in front of the app to believe about the client address (X-Forwarded-For),
   * as Fastify's `trustProxy` takes it: true (any), a hop count, or addresses/CIDRs. Off by
   * default: a directly reachable app would otherwise let a client pick its own IP and dodge the
   * per-IP sign-in limit.
   */
  trustProxy: boolean | number | string[];
  role: ProcessRole;
  admin: { email: string; password: string } | undefined;
  logLevel: string;
  /** Sessions expire after this long without use. */
  sessionTtlMs: number;
  /** outbox timings (tests shorten them through `configure`) */
  outbox: OutboxConfig;
  detection: DetectionConfig;
  /** several processes on PostgreSQL */
  scale: ScaleConfig;
  /**
   * Worker threads parsing fetched messages (MAILYARD_SYNC_PARSE_WORKERS, default 0: on the
   * sync engine's thread; mail/mime/parse-pool.ts says why)
   */
  syncParseWorkers: number;
  /**
   * How often each account's copy is checked against the server (sync/verification.ts): the cheap
   * STATUS check (MAILYARD_VERIFY_CHECK_INTERVAL_MS, 5 minutes) and the full comparison
   * (MAILYARD_VERIFY_FULL_INTERVAL_MS, at most and by default a day)
   */
  verification: { checkIntervalMs: number; fullIntervalMs: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer between 0 and 65535, got "${value}"`);
  }
  return port;
}

function parseBoolean(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${value}"`);
}

/** `1.2.3.4`, `1.2.3.4:5353`, `::1` or `[::1]:5353`, comma-separated (what Resolver.setServers takes). */
function parseDnsServers(value: string | undefined): string[] | undefined {
  const items = (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const item of items) {
    const host = /^\[(.+)\](:\d+)?$/.exec(item)?.[1] ?? (isIP(item) ? item : item.replace(/:\d+$/, ''));
    if (!isIP(host)) throw new ConfigError(`MAILYARD_DNS_SERVERS must list IP addresses (optionally with :port), got "${item}"`);
  }
  return items.length > 0 ? items : undefined;
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  const text = (value ?? '').trim();
  if (text === '' || ['0', 'false', 'no', 'off'].includes(text.toLowerCase())) return false;
  if (['true', 'yes', 'on'].includes(text.toLowerCase())) return true;
  if (/^\d+$/.test(text)) return Number(text);
  const items = text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const item of items) {
    const [address, bits, ...rest] = item.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    if (!family || rest.length > 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))) {
      throw new ConfigError(
        `MAILYARD_TRUST_PROXY must be true/false, a number of hops, or IP addresses/CIDRs separated by commas, got "${item}"`,
      );
    }
  }
  return items;
}

function parsePositiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${name} must be a positive integer, got "${value}"`);
  return n;
}

function parseCount(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be 0 or a positive integer, got "${value}"`);
  return n;
}

function parseRole(value: string | undefined): ProcessRole {
  if (value === undefined || value === '') return 'all';
  const role = processRoles.find((r) => r === value);
  if (!role) throw new ConfigError(`MAILYARD_ROLE must be one of ${processRoles.join(', ')}, got "${value}"`);
  return role;
}

export function loadConfig(env: Env = process.env, argv: readonly string[] = []): Config {
  const dataDir = path.resolve(env.MAILYARD_DATA_DIR || './data');
  const port = parsePort(env.PORT, 8080);
  const databaseUrl = env.DATABASE_URL;
  let database: Config['database'];
  if (!databaseUrl) {
    database = { kind: 'sqlite', file: path.join(dataDir, 'mailyard.db') };
  } else if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    database = { kind: 'postgres', url: databaseUrl };
  } else if (databaseUrl.startsWith('sqlite:')) {
    database = { kind: 'sqlite', file: path.resolve(databaseUrl.slice('sqlite:'.length)) };
  } else {
    throw new ConfigError('DATABASE_URL must start with postgres:// or sqlite:');
  }

  const adminEmail = env.MAILYARD_ADMIN_EMAIL;
  const adminPassword = env.MAILYARD_ADMIN_PASSWORD;
  if (Boolean(adminEmail) !== Boolean(adminPassword)) {
    throw new ConfigError('MAILYARD_ADMIN_EMAIL and MAILYARD_ADMIN_PASSWORD must be set together');
  }

  // `--role=worker` on the command line wins over MAILYARD_ROLE.
  const roleArg = argv.find((a) => a.startsWith('--role='))?.slice('--role='.length);

  return {
    port,
    host: env.HOST || '0.0.0.0',
    dataDir,
    database,
    secretKey: env.MAILYARD_SECRET_KEY || undefined,
    baseUrl: (env.MAILYARD_BASE_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    allowPrivateNetworks: parseBoolean('MAILYARD_ALLOW_PRIVATE_NETWORKS', env.MAILYARD_ALLOW_PRIVATE_NETWORKS),
    trustProxy: parseTrustProxy(env.MAILYARD_TRUST_PROXY),
    role: parseRole(roleArg ?? env.MAILYARD_ROLE),
    admin: adminEmail && adminPassword ? { email: adminEmail, password: adminPassword } : undefined,
    logLevel: env.LOG_LEVEL || 'info',
    sessionTtlMs: 14 * 24 * 60 * 60 * 1000,
    outbox: { retryBaseMs: 30_000, retryMaxMs: 60 * 60_000, maxAttempts: 8, pollIntervalMs: 5_000, sendingLeaseMs: 15 * 60_000 },
    scale: scaleConfig(env),
    syncParseWorkers: parseCount('MAILYARD_SYNC_PARSE_WORKERS', env.MAILYARD_SYNC_PARSE_WORKERS, 0),
    verification: verificationConfig(env),
    detection: {
      dnsServers: parseDnsServers(env.MAILYARD_DNS_SERVERS),
      stepTimeoutMs: 3000,
      budgetMs: 12_000,
      cacheTtlMs: 10 * 60 * 1000,
      autoconfig: { scheme: 'https', port: undefined },
      imapPorts: [993, 143],
      smtpPorts: [465, 587],
    },
  };
}

const DAY_MS = 24 * 60 * 60_000;

function verificationConfig(env: Env): Config['verification'] {
  const checkIntervalMs = parsePositiveInt('MAILYARD_VERIFY_CHECK_INTERVAL_MS', env.MAILYARD_VERIFY_CHECK_INTERVAL_MS, 5 * 60_000);
  const fullIntervalMs = parsePositiveInt('MAILYARD_VERIFY_FULL_INTERVAL_MS', env.MAILYARD_VERIFY_FULL_INTERVAL_MS, DAY_MS);
  // The promise is a full comparison at least daily.
  if (fullIntervalMs > DAY_MS) throw new ConfigError('MAILYARD_VERIFY_FULL_INTERVAL_MS must be at most 86400000 (a day)');
  if (checkIntervalMs > fullIntervalMs)
    throw new ConfigError('MAILYARD_VERIFY_CHECK_INTERVAL_MS must not be longer than MAILYARD_VERIFY_FULL_INTERVAL_MS');
  return { checkIntervalMs, fullIntervalMs };
}

function scaleConfig(env: Env): ScaleConfig {
  const leaseTtlMs = parsePositiveInt('MAILYARD_LEASE_TTL_MS', env.MAILYARD_LEASE_TTL_MS, 20_000);
  const heartbeatMs = parsePositiveInt('MAILYARD_HEARTBEAT_MS', env.MAILYARD_HEARTBEAT_MS, Math.min(5_000, Math.floor(leaseTtlMs / 4)));
  // Three missed heartbeats must fit in one TTL, or a slow tick would drop healthy leases.
  if (heartbeatMs * 3 > leaseTtlMs)
    throw new ConfigError('MAILYARD_HEARTBEAT_MS must be at most a third of MAILYARD_LEASE_TTL_MS');
  return {
    leaseTtlMs,
    heartbeatMs,
    imapConnectsPerServer: parsePositiveInt('MAILYARD_IMAP_CONNECTS_PER_SERVER', env.MAILYARD_IMAP_CONNECTS_PER_SERVER, 50),
  };
}
