// Mailyard as a separate process, for scale-out tests and the scale benchmark: several `api` and
// `worker` processes on one database. By default `server/src/main.ts` through tsx (as `npm run dev`
// runs it: no build needed); `entry: 'built'` runs `dist/server/main.js` as `npm start` does, which
// the caller must have built (`npm run build:server`).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface MailyardProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** the worker id it registered with (workers only, PostgreSQL only) */
  workerId: Promise<string>;
  /** resolves once it is serving */
  ready: Promise<void>;
  /** the log so far (pino JSON lines) */
  log(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface StartMailyardOptions {
  /** 'source' (default): the TypeScript sources through tsx; 'built': dist/server/main.js */
  entry?: 'source' | 'built';
}

export async function startMailyard(
  role: 'api' | 'worker' | 'all',
  env: Record<string, string>,
  options: StartMailyardOptions = {},
): Promise<MailyardProcess> {
  const port = await freePort();
  const entry =
    options.entry === 'built'
      ? [path.join(repoRoot, 'dist/server/main.js')]
      : ['--import', 'tsx', path.join(repoRoot, 'server/src/main.ts')];
  const child = spawn(process.execPath, [...entry, `--role=${role}`], {
    cwd: repoRoot,
    env: { ...(process.env as Record<string, string>), LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-400_000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = <T>(match: (log: string) => T | undefined, what: string) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = match(out);
        if (found !== undefined) {
          child.stdout?.off('data', check);
          resolve(found);
        }
      };
      child.stdout?.on('data', check);
      check();
      void exited.then(({ code, signal }) => reject(new Error(`mailyard ${role} exited (${signal ?? code}) before ${what}: ${err}`)));
    });
  const ready = waitFor((log) => (log.includes('Mailyard is running') ? true : undefined), 'it was running').then(() => undefined);
  const workerId = waitFor((log) => /"workerId":"([^"]+)"[^\n]*worker registered/.exec(log)?.[1], 'it registered');
  ready.catch(() => undefined);
  workerId.catch(() => undefined);
  return { child, port, baseUrl: `http://127.0.0.1:${port}`, workerId, ready, log: () => out, stderr: () => err, exited };
}

export async function stopMailyard(p: MailyardProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGCONT');
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(timer);
}
