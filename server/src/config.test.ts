import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to SQLite in ./data on port 8080 with role all', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.database).toEqual({ kind: 'sqlite', file: path.resolve('data/mailyard.db') });
    expect(config.role).toBe('all');
    expect(config.baseUrl).toBe('http://localhost:8080');
    expect(config.allowPrivateNetworks).toBe(false);
  });

  it('reads PostgreSQL, role, base URL and private networks', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
      MAILYARD_ROLE: 'worker',
      MAILYARD_BASE_URL: 'https://mail.example.com/',
      MAILYARD_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u:p@127.0.0.1:5432/db' });
    expect(config.role).toBe('worker');
    expect(config.baseUrl).toBe('https://mail.example.com');
    expect(config.allowPrivateNetworks).toBe(true);
  });

  it('reads MAILYARD_TRUST_PROXY as Fastify trustProxy takes it (off by default)', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ MAILYARD_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ MAILYARD_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ MAILYARD_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ MAILYARD_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1']);
    expect(() => loadConfig({ MAILYARD_TRUST_PROXY: 'proxy.example.com' })).toThrow(/MAILYARD_TRUST_PROXY/);
    expect(() => loadConfig({ MAILYARD_TRUST_PROXY: '10.0.0.0/99' })).toThrow(ConfigError);
  });

  it('parses messages on the sync thread unless told to use worker threads', () => {
    expect(loadConfig({}).syncParseWorkers).toBe(0);
    expect(loadConfig({ MAILYARD_SYNC_PARSE_WORKERS: '2' }).syncParseWorkers).toBe(2);
    expect(() => loadConfig({ MAILYARD_SYNC_PARSE_WORKERS: 'many' })).toThrow(/MAILYARD_SYNC_PARSE_WORKERS/);
  });

  it('checks every 5 minutes and verifies in full at least daily, configurably', () => {
    expect(loadConfig({}).verification).toEqual({ checkIntervalMs: 300_000, fullIntervalMs: 86_400_000 });
    expect(
      loadConfig({ MAILYARD_VERIFY_CHECK_INTERVAL_MS: '60000', MAILYARD_VERIFY_FULL_INTERVAL_MS: '3600000' }).verification,
    ).toEqual({ checkIntervalMs: 60_000, fullIntervalMs: 3_600_000 });
    expect(() => loadConfig({ MAILYARD_VERIFY_FULL_INTERVAL_MS: '172800000' })).toThrow(/at most 86400000/);
  });

  it('has no test hooks: nothing in the environment makes the server crash itself', () => {
    const config = loadConfig({ NODE_ENV: 'test', MAILYARD_TEST_CRASH_POINT: 'after-smtp-accept' });
    expect(JSON.stringify(config)).not.toContain('after-smtp-accept');
  });

  it('lets --role on the command line win', () => {
    expect(loadConfig({ MAILYARD_ROLE: 'worker' }, ['--role=api']).role).toBe('api');
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ MAILYARD_ROLE: 'boss' }, /MAILYARD_ROLE/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ MAILYARD_ALLOW_PRIVATE_NETWORKS: 'maybe' }, /MAILYARD_ALLOW_PRIVATE_NETWORKS/],
    [{ MAILYARD_ADMIN_EMAIL: 'a@b.c' }, /set together/],
  ])('rejects bad configuration %j with a clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
