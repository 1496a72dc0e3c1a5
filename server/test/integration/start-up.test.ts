// `npm start` as a user runs it: the built server on its embedded SQLite database, started afresh
// several times. A native addon that the runtime tears down wrongly (better-sqlite3 12 built
// against Node 24.19+ aborts when the garbage collector finalises a statement) shows up as a
// process that dies during or soon after start, or that does not exit cleanly when stopped.
// SQLite only: the native driver is what is under test; PostgreSQL has no addon.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { repoRoot, startMailyard, stopMailyard } from '../support/mailyard-process.js';

const STARTS = 5;
const ADMIN = { email: 'admin@mailyard.test', password: 'admin-password-1', name: 'Admin' };

describe(`the built server on ${process.version}`, () => {
  it(`starts ${STARTS} times from an empty data directory, serves, and stops cleanly`, async () => {
    expect(existsSync(path.join(repoRoot, 'dist/server/main.js')), 'build the server first (npm run build:server)').toBe(true);
    for (let start = 1; start <= STARTS; start++) {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'mailyard-start-'));
      const server = await startMailyard('all', { MAILYARD_DATA_DIR: dataDir }, { entry: 'built' });
      try {
        await server.ready;
        const api = new ApiClient(server.baseUrl);
        await api.post('/api/v1/setup', ADMIN).expect(201);
        await api.login(ADMIN.email, ADMIN.password);
        // Enough queries for the garbage collector to finalise many statements while it serves.
        for (let i = 0; i < 50; i++) {
          await api.get('/api/v1/accounts').expect(200);
          await api.get('/api/v1/auth/session').expect(200);
        }
        expect(await fetch(`${server.baseUrl}/readyz`).then((r) => r.status), `start ${start}`).toBe(200);
      } finally {
        await stopMailyard(server);
        rmSync(dataDir, { recursive: true, force: true });
      }
      const exit = await server.exited;
      expect({ start, ...exit, aborted: server.stderr().includes('Assertion failed') }).toEqual({
        start,
        code: 0,
        signal: null,
        aborted: false,
      });
    }
  });
});
