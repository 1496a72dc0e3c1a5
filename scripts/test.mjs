#!/usr/bin/env node
// `npm test`: provision the system packages the test rig needs, make the test CA, run the static
// checks and the build, then vitest (unit, integration and browser tests against real servers).
//
//   npm test                                   everything
//   npm test -- server/test/integration/x.test.ts   extra arguments go to `vitest run`
//   MAILYARD_TEST_SKIP_CHECKS=1 npm test -- …  skip tsc, eslint and the build (quick iteration)
//
// Always ends with a line `N passed, M failed[, K skipped]` and vitest's exit code; when a step
// before vitest fails (packages, tsc, eslint, build) that step counts as the one failure. vitest's
// JSON report is left in .rig/vitest-report.json. Plain JS: it must run before anything is
// compiled and on a machine where the checks do not pass yet.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestCa, nodeExtraCaCerts } from '../server/test/rig/ca.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reportFile = path.join(repoRoot, '.rig', 'vitest-report.json');
// Several people (or agents) may run tests in one checkout at once: each run writes its own report
// and moves it to reportFile when done, so nobody parses or deletes another run's report.
const runReportFile = path.join(repoRoot, '.rig', `vitest-report.${process.pid}.json`);

/** What the rig runs, and the Debian package that provides it. */
const REQUIRED = [
  { pkg: 'dovecot-core', present: () => existsSync('/usr/sbin/dovecot') },
  { pkg: 'dovecot-imapd', present: () => existsSync('/usr/lib/dovecot/imap') },
  { pkg: 'dovecot-lmtpd', present: () => existsSync('/usr/lib/dovecot/lmtp') },
  { pkg: 'postfix', present: () => existsSync('/usr/sbin/postfix') },
  { pkg: 'postgresql', present: hasPostgresServer },
  { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { pkg: 'openssl', present: () => existsSync('/usr/bin/openssl') },
];

let child; // the step running now, to pass signals on

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  // A Ctrl-C reaches vitest directly (same process group) and vitest stops the rig; this process
  // only passes on signals sent to it alone, and waits for the step to end.
  process.on(signal, () => child?.kill(signal));
}

process.exitCode = await main();

async function main() {
  const provisioned = await ensurePackages();
  if (provisioned !== 0) return stepFailed(provisioned);

  const ca = await ensureTestCa(repoRoot);
  const env = {
    ...process.env,
    // Read by Node only at process start, so it must be in vitest's environment from the beginning.
    NODE_EXTRA_CA_CERTS: await nodeExtraCaCerts(ca, process.env.NODE_EXTRA_CA_CERTS),
  };

  if (process.env.MAILYARD_TEST_SKIP_CHECKS === '1') {
    console.log('MAILYARD_TEST_SKIP_CHECKS=1: skipping tsc, eslint and the build');
  } else {
    for (const [command, ...args] of [
      ['npx', '--no-install', 'tsc', '--noEmit', '-p', 'tsconfig.json'],
      ['npx', '--no-install', 'eslint', '--max-warnings', '0', '.'],
      ['npm', 'run', 'build'],
    ]) {
      const code = await run(command, args, env);
      if (code !== 0) {
        console.error(`\ntest run stopped: \`${[command, ...args].join(' ')}\` failed (exit code ${code})`);
        return stepFailed(code);
      }
    }
  }

  rmSync(runReportFile, { force: true });
  const vitestCode = await run(
    'npx',
    [
      '--no-install',
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${path.relative(repoRoot, runReportFile)}`,
      ...process.argv.slice(2),
    ],
    env,
  );
  console.log(summary(vitestCode));
  return vitestCode;
}

/** Ends a run that stopped before vitest, keeping the summary line a parser relies on. */
function stepFailed(code) {
  console.log('0 passed, 1 failed');
  return code;
}

/** 0 when everything is installed (installing it when we may), else the exit code to end with. */
async function ensurePackages() {
  const missing = REQUIRED.filter((r) => !r.present()).map((r) => r.pkg);
  if (missing.length === 0) return 0;
  const install = ['install', '-y', '--no-install-recommends', ...missing];
  if (process.getuid?.() !== 0) {
    console.error(
      [
        `The test rig needs these Debian packages: ${missing.join(' ')}`,
        'Install them as root, then run npm test again:',
        '  echo "postfix postfix/main_mailer_type select No configuration" | sudo debconf-set-selections',
        `  sudo DEBIAN_FRONTEND=noninteractive apt-get ${install.join(' ')}`,
      ].join('\n'),
    );
    return 1;
  }
  console.log(`Installing the test rig's packages: ${missing.join(' ')}`);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // "No configuration": the package must not write /etc/postfix/main.cf or ask questions; the rig
  // runs its own Postfix instance from a private config directory.
  const steps = [
    [
      'sh',
      ['-c', 'echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections'],
    ],
    ['apt-get', ['update']],
    // Waits for another apt run (e.g. a second `npm test`) instead of failing on its lock.
    ['apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...install]],
  ];
  for (const [command, args] of steps) {
    const code = await run(command, args, aptEnv);
    if (code !== 0) {
      console.error(
        `\ninstalling the test rig's packages failed: \`${command} ${args.join(' ')}\` (exit ${code})`,
      );
      return code;
    }
  }
  const stillMissing = REQUIRED.filter((r) => !r.present()).map((r) => r.pkg);
  if (stillMissing.length > 0) {
    console.error(`still missing after apt-get install: ${stillMissing.join(' ')}`);
    return 1;
  }
  return 0;
}

function hasPostgresServer() {
  try {
    return readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
  } catch {
    return false;
  }
}

/** Runs a command with the terminal's output and no stdin (CI has none); resolves to its exit code. */
function run(command, args, env) {
  return new Promise((resolve) => {
    child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', (error) => {
      console.error(`cannot run ${command}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      child = undefined;
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}

/**
 * The closing `N passed, M failed[, K skipped]` line from vitest's JSON report. A file that fails
 * before any test runs (import error, failing hook) counts as one failure, so a broken file never
 * reads as "0 failed".
 */
function summary(vitestCode) {
  let report;
  try {
    report = JSON.parse(readFileSync(runReportFile, 'utf8'));
    renameSync(runReportFile, reportFile);
  } catch {
    console.error(
      `vitest exited with code ${vitestCode} without writing ${path.relative(repoRoot, runReportFile)}`,
    );
    return '0 passed, 1 failed';
  }
  const brokenFiles = (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed'),
  ).length;
  const passed = report.numPassedTests ?? 0;
  let failed = (report.numFailedTests ?? 0) + brokenFiles;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  if (vitestCode !== 0 && failed === 0) {
    console.error(
      `vitest exited with code ${vitestCode}: see the errors above (e.g. unhandled errors or no test files)`,
    );
    failed = 1; // the run failed: the summary must not say otherwise
  }
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}
