// The test certificate authority, shared by scripts/test.mjs (which must know the CA file before it
// spawns vitest, because Node reads NODE_EXTRA_CA_CERTS only at process start) and by the rig's
// global setup (which falls back to creating it when vitest is started directly).
// Plain JS on purpose: scripts/test.mjs runs before anything is compiled.
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Renew well before expiry so a long-lived checkout never fails mid-run. */
const MIN_REMAINING_MS = 30 * 24 * 3600 * 1000;

/**
 * Returns the test CA and the server certificate for localhost / 127.0.0.1 / ::1 kept in
 * `<repoRoot>/.rig/ca`, creating (or replacing) them when missing, expiring or inconsistent.
 * @param {string} repoRoot
 */
export async function ensureTestCa(repoRoot) {
  const dir = path.join(repoRoot, '.rig', 'ca');
  const files = caFiles(dir);
  if (await isValid(files)) return files;

  // Built in a private folder and moved into place, so two runs starting at once never see a
  // half-written CA; the loser of the race simply uses the winner's files.
  const staging = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(staging, { recursive: true, mode: 0o755 });
  try {
    await generate(staging);
    // Another run may have finished first: keep its CA, its servers may already use it.
    if (await isValid(files)) return files;
    await rm(dir, { recursive: true, force: true });
    try {
      await rename(staging, dir);
    } catch (error) {
      if (!(await isValid(files))) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!(await isValid(files))) throw new Error(`test CA in ${dir} is still invalid after regenerating it`);
  return files;
}

/**
 * The file to put in NODE_EXTRA_CA_CERTS so test processes trust the rig CA without losing
 * certificates the environment already added that way (e.g. a proxy's CA for the registry):
 * the CA itself, the current file when it already contains it, or a bundle of both.
 * @param {TestCaFilesJs} files
 * @param {string | undefined} current the present value of NODE_EXTRA_CA_CERTS
 */
export async function nodeExtraCaCerts(files, current) {
  if (current === undefined || current === '' || path.resolve(current) === files.caFile) return files.caFile;
  const caPem = (await readFile(files.caFile, 'utf8')).trim();
  let currentPem;
  try {
    currentPem = await readFile(current, 'utf8');
  } catch {
    return files.caFile; // Node would ignore an unreadable file too (with a warning).
  }
  if (currentPem.includes(caPem)) return current;
  const bundle = path.join(files.dir, 'node-extra-ca-certs.pem');
  const staging = `${bundle}.tmp-${process.pid}`;
  await writeFile(staging, `${currentPem.trimEnd()}\n${caPem}\n`);
  await rename(staging, bundle);
  return bundle;
}

/** @typedef {ReturnType<typeof caFiles>} TestCaFilesJs */

/** @param {string} dir */
function caFiles(dir) {
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    certFile: path.join(dir, 'server.pem'),
    keyFile: path.join(dir, 'server.key'),
  };
}

/** @param {ReturnType<typeof caFiles>} files */
async function isValid(files) {
  try {
    const ca = new X509Certificate(await readFile(files.caFile));
    const server = new X509Certificate(await readFile(files.certFile));
    const key = createPrivateKey(await readFile(files.keyFile));
    const deadline = Date.now() + MIN_REMAINING_MS;
    return (
      ca.ca &&
      new Date(ca.validTo).getTime() > deadline &&
      new Date(server.validTo).getTime() > deadline &&
      server.checkIssued(ca) &&
      server.verify(ca.publicKey) &&
      server.checkPrivateKey(key) &&
      server.checkHost('localhost') !== undefined &&
      server.checkIP('127.0.0.1') !== undefined &&
      server.checkIP('::1') !== undefined
    );
  } catch {
    return false;
  }
}

/** @param {string} dir */
async function generate(dir) {
  const f = caFiles(dir);
  const caKey = path.join(dir, 'ca.key');
  const csr = path.join(dir, 'server.csr');
  const ext = path.join(dir, 'server.ext');
  // P-256 keys: generated in milliseconds, accepted by Node, Dovecot, Postfix and Chromium.
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    'req',
    '-x509',
    '-new',
    ...ecKey,
    '-keyout',
    caKey,
    '-out',
    f.caFile,
    '-days',
    '3650',
    '-subj',
    '/O=Mailyard tests/CN=Mailyard test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await openssl([
    'req',
    '-new',
    ...ecKey,
    '-keyout',
    f.keyFile,
    '-out',
    csr,
    '-subj',
    '/O=Mailyard tests/CN=localhost',
  ]);
  await writeFile(
    ext,
    [
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature',
      'extendedKeyUsage = serverAuth',
      'subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1',
      '',
    ].join('\n'),
  );
  // 825 days: the longest validity Apple/Chromium clients still accept for a server certificate.
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    f.caFile,
    '-CAkey',
    caKey,
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-days',
    '825',
    '-extfile',
    ext,
    '-out',
    f.certFile,
  ]);
  await rm(csr);
  await rm(ext);
  // openssl honours the umask; the keys are only for the services, which start as root.
  await chmod(caKey, 0o600);
  await chmod(f.keyFile, 0o600);
}

/** @param {string[]} args */
async function openssl(args) {
  try {
    await execFileAsync('openssl', args);
  } catch (error) {
    const stderr = /** @type {{stderr?: string}} */ (error).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed while creating the test CA:\n${stderr}`, { cause: error });
  }
}
