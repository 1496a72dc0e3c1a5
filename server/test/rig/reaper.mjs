// Usage: node reaper.mjs <rig folder>
//
// Stops every process still running from a rig folder, then deletes the folder. Started detached
// when a test run exits without its global teardown (Ctrl-C, a crash), and by the next run for
// folders whose owner died without even that (SIGKILL).
//
// Processes are found by their command line or environment naming the folder (Dovecot's and
// PostgreSQL's command lines, Postfix's MAIL_CONFIG), never by pid files alone, so a recycled pid
// is never touched, and a server that was still starting when its owner died is caught too.
// Plain JS: it runs after (or without) the process that knew the rig.
import { readFileSync, readdirSync, rmSync } from 'node:fs';

const dir = process.argv[2];
if (dir === undefined || !dir.includes('mailyard-rig-')) {
  console.error('usage: node reaper.mjs /tmp/mailyard-rig-XXXXXX');
  process.exit(2);
}

const KILL_AFTER_MS = 3_000;
const GIVE_UP_AFTER_MS = 10_000;
const started = Date.now();
let quietScans = 0;

// A server still being started (pg_ctl launches postgres a moment later) appears after the first
// scan: keep scanning until nothing has shown up for a while.
while (quietScans < 4 && Date.now() - started < GIVE_UP_AFTER_MS) {
  const found = scan();
  if (found.length === 0) quietScans++;
  else quietScans = 0;
  const kill = Date.now() - started >= KILL_AFTER_MS;
  // SIGQUIT is PostgreSQL's immediate shutdown, which also ends its backends.
  for (const proc of found) signal(proc, kill ? 'SIGKILL' : proc.isPostgres ? 'SIGQUIT' : 'SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 250));
}
rmSync(dir, { recursive: true, force: true });

function scan() {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cmdline;
    let environ;
    let stat;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1');
      environ = readFileSync(`/proc/${name}/environ`, 'latin1');
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // Gone meanwhile.
    }
    if (!cmdline.includes(dir) && !environ.includes(dir)) continue;
    // Fields after the parenthesised command name: state ppid pgrp ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') continue;
    const pid = Number(name);
    found.push({ pid, leadsGroup: Number(pgrp) === pid, isPostgres: /\/postgres\0/.test(cmdline) });
  }
  return found;
}

/**
 * Group leaders (Dovecot and Postfix masters) are signalled with their whole group, so their
 * workers go too; anything else only by itself, as its group may be a test runner's.
 */
function signal(proc, name) {
  try {
    process.kill(proc.leadsGroup ? -proc.pid : proc.pid, name);
  } catch {
    // Already gone.
  }
}
