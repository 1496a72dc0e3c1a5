// `npm run bench:sync`: figures for the sync engine against the test rig (prints, never fails).
//   1. First sync of N messages (default 5,000; SYNC_BENCH_N) vs a bare imapflow client fetching
//      every full source over one connection. Target: Mailyard within 1.5x.
//   2. Push latency of 200 messages sent through Postfix at a steady rate: SMTP acceptance to the
//      `message.created` event. Target: p95 <= 1 s.
//   3. Peak resident memory above idle during the first sync and while syncing a 30 MB attachment.
//      Target: under 200 MB.
// Mailyard runs in its own process for 1 and 3 (the built server, `node dist/server/main.js
// --role=worker`, built first), so its memory is measured alone; in this process for 2, to see
// the events.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { ensureTestCa } from '../server/test/rig/ca.mjs';
import { startRig, type RunningRig } from '../server/test/rig/rig.js';
import type { MailUser, RigDescription } from '../server/test/rig/types.js';
import { loadConfig, type Config } from '../server/src/config.js';
import { createContainer, type Container } from '../server/src/container.js';
import { createLogger } from '../server/src/lib/logger.js';
import { seedImapAccount } from '../server/test/support/sync.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.SYNC_BENCH_N ?? 5_000);
const PUSH_COUNT = 200;
// SYNC_BENCH_PARTS=first,big,push (default: all) runs only some parts, for profiling runs.
// SYNC_BENCH_ROUNDS=n repeats the bare fetch and the first sync n times on the same mailbox;
// SYNC_BENCH_VARIANTS="label:ENV=v ENV2=w;label2:" syncs once per variant per round, with those
// environment variables (e.g. MAILYARD_SYNC_PARSE_WORKERS=0), and SYNC_BENCH_ROOT=<path> in a
// variant runs the sync process from another checkout (same schema), for before/after figures
// taken under the same load.
const ROUNDS = Number(process.env.SYNC_BENCH_ROUNDS ?? 1);
interface Variant {
  label: string;
  env: Record<string, string>;
}
const VARIANTS: Variant[] = (process.env.SYNC_BENCH_VARIANTS ?? 'current:')
  .split(';')
  .filter((v) => v.trim())
  .map((v) => {
    const [label = 'current', assignments = ''] = v.split(':');
    const env = Object.fromEntries(
      assignments
        .split(/\s+/)
        .filter((a) => a.includes('='))
        .map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
    );
    return { label: label.trim(), env };
  });
const PARTS = new Set((process.env.SYNC_BENCH_PARTS ?? 'first,big,push').split(',').map((p) => p.trim()));
const PUSH_RATE_PER_S = 10;

async function main(): Promise<void> {
  // The bench runs the built server: build it from the current sources first.
  console.log('building the server (npm run build:server)...');
  execFileSync('npm', ['run', '--silent', 'build:server'], { cwd: repoRoot, stdio: 'inherit' });
  const rig = await startRig({ repoRoot });
  try {
    await run(rig.description);
  } finally {
    await rig.stop();
  }
}

async function run(rig: RigDescription): Promise<void> {
  console.log(`sync benchmark: N=${N}`);

  const idleRss = await idleBaseline();
  if (PARTS.has('first')) await firstSyncPart(rig, idleRss);
  if (PARTS.has('big')) await bigAttachmentPart(rig, idleRss);
  if (PARTS.has('push')) {
    const push = await pushLatency(rig);
    console.log(
      `push latency over ${PUSH_COUNT} messages at ${PUSH_RATE_PER_S}/s: p50 ${ms(push.p50)}, p95 ${ms(push.p95)}, max ${ms(push.max)} (target p95 <= 1 s)`,
    );
  }
}

// 1. first sync vs bare fetch
async function firstSyncPart(rig: RigDescription, idleRss: number): Promise<void> {
  const user = await createMailUser(rig);
  const bytes = await fillMailbox(rig, user, N);
  console.log(`mailbox filled: ${N} messages, ${mb(bytes)} MB`);

  for (let round = 1; round <= ROUNDS; round++) {
    if (ROUNDS > 1) console.log(`-- round ${round}`);
    const bare = await bareFetch(rig, user);
    console.log(
      `bare imapflow fetch of all sources: ${ms(bare.ms)} (${mb(bare.bytes)} MB, CPU ${ms(bare.cpuMs)})`,
    );
    for (const variant of VARIANTS) {
      const label = VARIANTS.length > 1 ? ` [${variant.label}]` : '';
      const first = await mailyardFirstSync(rig, user, N, variant.env);
      console.log(
        `Mailyard first sync${label} until all ${N} are listed by the API: ${ms(first.ms)} (CPU ${ms(first.cpuMs)})`,
      );
      console.log(`ratio Mailyard / bare: ${(first.ms / bare.ms).toFixed(2)}x (target <= 1.5x)`);
      console.log(
        `  and until every source is downloaded and every body parsed and searchable: ${ms(first.contentMs)} (CPU ${ms(first.contentCpuMs)}), ${(first.contentMs / bare.ms).toFixed(2)}x the bare fetch`,
      );
      // The machine is shared: CPU time shows the work done, whatever the load of the moment.
      console.log(`CPU ratio Mailyard / bare: ${(first.cpuMs / bare.cpuMs).toFixed(2)}x`);
      console.log(
        `peak RSS during the first sync: ${mb(first.peakRss - idleRss)} MB above idle (idle ${mb(idleRss)} MB, peak ${mb(first.peakRss)} MB; target < 200 MB)`,
      );
      if (first.phases) console.log(`  engine phases (busy time of each; they run in parallel): ${first.phases}`);
    }
  }
}

// 3b. one 30 MB attachment
async function bigAttachmentPart(rig: RigDescription, idleRss: number): Promise<void> {
  const bigUser = await createMailUser(rig);
  await fillWith(rig, bigUser, [bigMessage(bigUser.email)]);
  const big = await mailyardFirstSync(rig, bigUser, 1);
  console.log(
    `peak RSS syncing a 30 MB attachment: ${mb(big.peakRss - idleRss)} MB above idle (peak ${mb(big.peakRss)} MB; target < 200 MB)`,
  );
}

// ---------------------------------------------------------------------------------------------

async function createMailUser(rig: RigDescription): Promise<MailUser> {
  const response = await fetch(`${rig.control.url}/mail-users/create`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rig.control.secret}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (!response.ok) throw new Error(`creating a mail user failed: ${response.status}`);
  return (await response.json()) as MailUser;
}

async function imap(rig: RigDescription, user: MailUser): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: rig.imap.host,
    port: rig.imap.tlsPort,
    secure: true,
    auth: { user: user.email, pass: user.password },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** log-uniform between min and max */
const logUniform = (min: number, max: number) =>
  Math.round(Math.exp(Math.log(min) + Math.random() * (Math.log(max) - Math.log(min))));
const b64 = (data: Buffer) => data.toString('base64').replace(/.{76}/g, '$&\r\n');
// Text with the shape of real mail for the full-text index: a vocabulary of 3,000 words drawn
// with a Zipf distribution (a few words very often, most rarely), and one token in twenty unique
// (names, numbers, ids). Random unique tokens everywhere would make every word a new index term.
const syllables = ['ka', 'to', 're', 'mi', 'sa', 'lo', 'ne', 'vi', 'du', 'pe', 'ra', 'co', 'li', 'ta', 'mo', 'se', 'ni', 'ga', 'bu', 'fe'];
const vocabulary = Array.from({ length: 3_000 }, (_, i) => {
  let word = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / syllables.length)) word += syllables[n % syllables.length];
  return word;
});
const zipfWeights = vocabulary.map((_, rank) => 1 / (rank + 1));
const zipfTotal = zipfWeights.reduce((a, b) => a + b, 0);
const zipfCumulative = zipfWeights.reduce<number[]>((acc, w) => [...acc, (acc.at(-1) ?? 0) + w / zipfTotal], []);
const zipfWord = () => {
  const r = Math.random();
  let lo = 0;
  let hi = zipfCumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((zipfCumulative[mid] ?? 1) < r) lo = mid + 1;
    else hi = mid;
  }
  return vocabulary[lo] ?? 'word';
};
const words = (n: number) =>
  Array.from({ length: n }, () => (Math.random() < 0.05 ? randomBytes(3).toString('hex') : zipfWord())).join(' ');

function mixedMessage(i: number, to: string): Buffer {
  const head = `Message-ID: <bench-${i}-${randomBytes(6).toString('hex')}@bench.mailyard>\r\nFrom: Bench <bench@example.test>\r\nTo: ${to}\r\nSubject: Bench message ${i}\r\nDate: ${new Date(Date.now() - i * 60_000).toUTCString()}\r\nMIME-Version: 1.0\r\n`;
  const kind = i % 10;
  if (kind < 4)
    return Buffer.from(
      `${head}Content-Type: text/plain; charset=utf-8\r\n\r\n${words(logUniform(150, 800))}\r\n`,
    );
  if (kind < 7) {
    return Buffer.from(
      `${head}Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><h1>News ${i}</h1>${`<p style="color:#333">${words(40)} <a href="https://example.test/${i}">link</a></p>`.repeat(logUniform(5, 60))}<img src="https://tracker.example.test/${i}.gif"></body></html>\r\n`,
    );
  }
  if (kind < 9) {
    const text = words(logUniform(100, 500));
    return Buffer.from(
      `${head}Content-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<div>${text}</div>\r\n--alt--\r\n`,
    );
  }
  const attachment = randomBytes(logUniform(10 * 1024, 2 * 1024 * 1024));
  return Buffer.from(
    `${head}Content-Type: multipart/mixed; boundary="mix"\r\n\r\n--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${words(80)}\r\n` +
      `--mix\r\nContent-Type: application/pdf; name="report-${i}.pdf"\r\nContent-Disposition: attachment; filename="report-${i}.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(attachment)}\r\n--mix--\r\n`,
  );
}

function bigMessage(to: string): Buffer {
  return Buffer.from(
    `Message-ID: <big-${randomBytes(6).toString('hex')}@bench.mailyard>\r\nFrom: big@example.test\r\nTo: ${to}\r\nSubject: Thirty megabytes\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: multipart/mixed; boundary="big"\r\n\r\n--big\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--big\r\n` +
      `Content-Type: application/octet-stream; name="big.bin"\r\nContent-Disposition: attachment; filename="big.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(randomBytes(30 * 1024 * 1024))}\r\n--big--\r\n`,
  );
}

async function fillMailbox(rig: RigDescription, user: MailUser, n: number): Promise<number> {
  const client = await imap(rig, user);
  let bytes = 0;
  try {
    for (let i = 0; i < n; i++) {
      const message = mixedMessage(i, user.email);
      bytes += message.length;
      await client.append('INBOX', message);
    }
  } finally {
    await client.logout();
  }
  return bytes;
}

async function fillWith(rig: RigDescription, user: MailUser, messages: Buffer[]): Promise<void> {
  const client = await imap(rig, user);
  for (const message of messages) await client.append('INBOX', message);
  await client.logout();
}

async function bareFetch(
  rig: RigDescription,
  user: MailUser,
): Promise<{ ms: number; bytes: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const client = await imap(rig, user);
  await client.mailboxOpen('INBOX');
  let bytes = 0;
  for await (const m of client.fetch('1:*', { uid: true, source: true })) bytes += m.source?.length ?? 0;
  await client.logout();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, bytes, cpuMs: (used.user + used.system) / 1000 };
}

interface SyncRun {
  /** until all messages are listed by the API (from their headers, with flags; sources follow) */
  ms: number;
  /** until every source is downloaded and its body parsed (text, HTML, attachments, full-text index) */
  contentMs: number;
  /** CPU time of the sync process (all its threads) from the engine's start until listed */
  cpuMs: number;
  /** the same, until every body is parsed */
  contentCpuMs: number;
  peakRss: number;
  /** the engine's per-phase busy times, from its 'folder sync phases' log line */
  phases?: string;
}

/**
 * Mailyard as users run it: the built server (`node dist/server/main.js`), here as a `worker`
 * (the sync engine without the HTTP API) on the bench's SQLite database. `started` is when the
 * sync engine started (its log line), `ready` when the process is up.
 */
function spawnSyncProcess(
  config: Config,
  variantEnv: Record<string, string> = {},
): {
  child: ChildProcess;
  started: Promise<number>;
  ready: Promise<void>;
  phases: () => string | undefined;
} {
  const databaseUrl =
    config.database.kind === 'postgres' ? config.database.url : `sqlite:${config.database.file}`;
  const profile = process.env.SYNC_BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SYNC_BENCH_PROFILE_DIR}`]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, path.join(variantEnv.SYNC_BENCH_ROOT ?? repoRoot, 'dist/server/main.js'), '--role=worker'],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...variantEnv,
        MAILYARD_DATA_DIR: config.dataDir,
        DATABASE_URL: databaseUrl,
        HOST: '127.0.0.1',
        PORT: '0',
        // info, for the start time and the phase timings; only warnings and errors are passed on
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const phaseLines: string[] = [];
  let resolveStarted: (t: number) => void = () => undefined;
  let resolveReady: () => void = () => undefined;
  const started = new Promise<number>((r) => (resolveStarted = r));
  const ready = new Promise<void>((r) => (resolveReady = r));
  const onLine = (line: string) => {
    let entry: { level?: number; msg?: string; time?: number; phases?: Record<string, number>; messages?: number };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      if (line.trim()) process.stderr.write(`${line}\n`);
      return;
    }
    if (entry.msg === 'sync engine started') resolveStarted(entry.time ?? Date.now());
    else if (entry.msg === 'Mailyard is running') resolveReady();
    else if (entry.msg === 'folder sync phases' && entry.phases) {
      const parts = Object.entries(entry.phases).map(([k, v]) => `${k} ${ms(v)}`);
      phaseLines.push(`${entry.messages ?? '?'} messages: ${parts.join(', ')}`);
    } else if ((entry.level ?? 0) >= 40) process.stderr.write(`${line}\n`);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      lines.forEach(onLine);
    });
  }
  return { child, started, ready, phases: () => (phaseLines.length > 0 ? phaseLines.join('; ') : undefined) };
}

/** user + system CPU time of a process, all threads (Linux clock ticks are 1/100 s) */
const cpuOf = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
};

const rssOf = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
};

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

function benchConfig(): Config {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mailyard-bench-'));
  return loadConfig({
    MAILYARD_DATA_DIR: dataDir,
    MAILYARD_ADMIN_EMAIL: 'bench@mailyard.test',
    MAILYARD_ADMIN_PASSWORD: 'bench-password-1',
  });
}

/** RSS of a sync process with nothing to sync, once it settled. */
async function idleBaseline(): Promise<number> {
  const config = benchConfig();
  const setup = await createContainer(config, createLogger('warn'));
  await setup.close();
  const { child, ready } = spawnSyncProcess(config);
  await ready;
  await new Promise((r) => setTimeout(r, 2_000));
  const rss = rssOf(child.pid ?? 0, 'VmRSS');
  await stopChild(child);
  rmSync(config.dataDir, { recursive: true, force: true });
  return rss;
}

async function mailyardFirstSync(
  rig: RigDescription,
  user: MailUser,
  expected: number,
  variantEnv: Record<string, string> = {},
): Promise<SyncRun> {
  const config = benchConfig();
  const setup: Container = await createContainer(config, createLogger('warn'));
  const admin = await setup.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
  const accountId = await seedImapAccount(setup.db, setup.secrets, {
    userId: admin.id,
    mailUser: user,
    rig,
    syncPeriod: 'all',
    folders: ['INBOX'],
  });
  const { child, started, phases } = spawnSyncProcess(config, variantEnv);
  const t0 = await started;
  // CPU from the sync engine's start: process start-up is not sync work.
  const cpu0 = cpuOf(child.pid ?? 0);
  let peakRss = 0;
  try {
    /** Polls until `done(count)` holds for the account's messages (or those whose body waits). */
    const waitFor = async (bodyWaiting: boolean, done: (n: number) => boolean) => {
      for (;;) {
        peakRss = Math.max(peakRss, rssOf(child.pid ?? 0, 'VmHWM'));
        const row = await setup.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('account_id', '=', accountId)
          .$if(bodyWaiting, (q) => q.where('content_pending', '=', 1))
          .executeTakeFirstOrThrow();
        if (done(Number(row.n))) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(false, (n) => n >= expected);
    const elapsed = Date.now() - t0;
    const cpuMs = cpuOf(child.pid ?? 0) - cpu0;
    await waitFor(true, (n) => n === 0);
    const contentMs = Date.now() - t0;
    const contentCpuMs = cpuOf(child.pid ?? 0) - cpu0;
    peakRss = Math.max(peakRss, rssOf(child.pid ?? 0, 'VmHWM'));
    // The engine logs its phase timings once the folder is done, just after the last commit.
    for (let i = 0; i < 40 && !phases(); i++) await new Promise((r) => setTimeout(r, 50));
    return { ms: elapsed, contentMs, cpuMs, contentCpuMs, peakRss, phases: phases() };
  } finally {
    await stopChild(child);
    await setup.close();
    rmSync(config.dataDir, { recursive: true, force: true });
  }
}

async function pushLatency(rig: RigDescription): Promise<{ p50: number; p95: number; max: number }> {
  const user = await createMailUser(rig);
  const config = benchConfig();
  const container = await createContainer(config, createLogger('warn'));
  const admin = await container.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
  const accountId = await seedImapAccount(container.db, container.secrets, {
    userId: admin.id,
    mailUser: user,
    rig,
  });
  const arrived = new Map<string, number>();
  container.events.subscribe((e) => {
    if (e.type === 'message.created' && e.accountId === accountId)
      arrived.set(String(e.data.subject), performance.now());
  });
  const idle = new Promise<void>((resolve) => {
    const off = container.events.subscribe((e) => {
      if (
        e.type === 'account.status' &&
        e.accountId === accountId &&
        (e.data as { state?: string }).state === 'idle'
      ) {
        off();
        resolve();
      }
    });
  });
  await container.startBackground();
  await idle;

  const transport = nodemailer.createTransport({
    host: rig.smtp.host,
    port: rig.smtp.inboundPort,
    secure: false,
    pool: true,
    maxConnections: 2,
    tls: { servername: 'localhost' },
  });
  const accepted = new Map<string, number>();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < PUSH_COUNT; i++) {
    const subject = `Push ${i}`;
    sends.push(
      transport
        .sendMail({ from: 'outside@example.test', to: user.email, subject, text: `push message ${i}` })
        .then(() => {
          accepted.set(subject, performance.now());
        }),
    );
    await new Promise((r) => setTimeout(r, 1_000 / PUSH_RATE_PER_S));
  }
  await Promise.all(sends);
  const deadline = Date.now() + 30_000;
  while (arrived.size < PUSH_COUNT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  transport.close();
  await container.close();
  rmSync(config.dataDir, { recursive: true, force: true });

  const latencies = [...accepted.entries()]
    .map(([subject, at]) => (arrived.get(subject) ?? Number.POSITIVE_INFINITY) - at)
    .sort((a, b) => a - b);
  const pick = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? Number.NaN;
  if (arrived.size < PUSH_COUNT)
    console.log(`  (${PUSH_COUNT - arrived.size} messages never arrived within 30 s)`);
  return { p50: pick(0.5), p95: pick(0.95), max: latencies.at(-1) ?? Number.NaN };
}

const ms = (value: number) => (Number.isFinite(value) ? `${(value / 1000).toFixed(2)} s` : 'n/a');
const mb = (value: number) => (value / 1024 / 1024).toFixed(1);

export type { RunningRig };

// TLS to the rig needs its CA trusted from process start: re-run ourselves with it.
const ca = await ensureTestCa(repoRoot);
if (process.env.NODE_EXTRA_CA_CERTS !== ca.caFile) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.caFile },
  });
  child.once('exit', (code) => process.exit(code ?? 1));
} else {
  await main();
}
