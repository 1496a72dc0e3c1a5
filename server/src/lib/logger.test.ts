import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

describe('logger', () => {
  it('logs request paths without their query strings, keeping method, request id and client', async () => {
    const { lines, logger } = capture();
    const app = Fastify({ loggerInstance: logger });
    app.get('/api/v1/oauth/callback', () => ({ ok: true }));
    app.get('/api/v1/detect', () => ({ ok: true }));
    await app.inject({ method: 'GET', url: '/api/v1/oauth/callback?code=secret-code-123&state=secret-state-456' });
    await app.inject({ method: 'GET', url: '/api/v1/detect?email=private.person@example.com' });
    await app.close();

    const text = lines.join('\n');
    expect(text).not.toMatch(/secret-code-123|secret-state-456|private\.person/);
    const incoming = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'incoming request');
    expect(incoming).toMatchObject({
      reqId: expect.anything() as unknown,
      req: { method: 'GET', path: '/api/v1/oauth/callback', remoteAddress: '127.0.0.1' },
    });
  });

  it('redacts secrets nested one and two levels deep and in error configs', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        password: 'top-secret-1',
        account: { password: 'nested-secret-2', auth: { pass: 'deep-secret-3', user: 'alice' } },
        provider: { oauth: { clientSecret: 'deep-secret-4' } },
        err: { message: 'request failed', config: { auth: { username: 'u', password: 'axios-secret-5' } } },
      },
      'something happened',
    );
    const text = lines.join('\n');
    expect(text).not.toMatch(/top-secret-1|nested-secret-2|deep-secret-3|deep-secret-4|axios-secret-5/);
    expect(text).toContain('alice');
    expect(text).toContain('request failed');
  });
});
