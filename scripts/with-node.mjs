#!/usr/bin/env node
// Run a command under another Node.js major version:
//
//   node scripts/with-node.mjs 24 npm test -- server/test/integration/start-up.test.ts
//
// Node N comes from the npm registry's `node` package, installed into .rig/node-N when missing
// (the runtime and its headers are in node_modules/node/node_modules/node-<platform>-<arch>).
// Native modules built for one Node ABI (a `build/Release/*.node` in node_modules) that do not
// load under N are rebuilt against its headers (`npm_config_nodedir`), once per ABI (kept in
// .rig/native). Then the command runs with N first on PATH, so `node`, `npm` and `npx` inside it
// are N. Asking for the running Node's own major uses it as it is: that is how a caller puts the
// native builds back afterwards.
// Plain JS: it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [major, command, ...args] = process.argv.slice(2);
if (!/^\d+$/.test(major ?? '') || !command) {
  console.error('usage: node scripts/with-node.mjs <major version> <command> [args…]');
  process.exit(2);
}

const own = process.versions.node.split('.')[0] === major;
const nodeDir = own ? path.dirname(path.dirname(process.execPath)) : installed(major);
const nodeBin = path.join(nodeDir, 'bin', 'node');
const env = {
  ...process.env,
  PATH: `${path.join(nodeDir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  // node-gyp finds the running Node's headers itself; another Node's are in its package.
  ...(own ? {} : { npm_config_nodedir: nodeDir }),
};
const version = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`with-node: ${version} (${nodeBin})`);

const abi = spawnSync(nodeBin, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).stdout.trim();
const stale = nativeBuilds().flatMap((build) => {
  const builtFor = otherAbi(build.file);
  return builtFor ? [{ ...build, builtFor }] : [];
});
// Builds are kept per ABI in .rig/native, so switching back and forth costs a copy, not a compile.
for (const build of stale) copy(build.file, cached(build, build.builtFor));
const toBuild = [...new Set(stale.filter((build) => !existsSync(cached(build, abi))).map((build) => build.pkg))];
if (toBuild.length > 0) {
  console.log(`with-node: rebuilding ${toBuild.join(', ')} for ${version}`);
  if (run('npm', ['rebuild', ...toBuild]) !== 0) process.exit(1);
}
for (const build of stale) {
  if (toBuild.includes(build.pkg)) copy(build.file, cached(build, abi));
  else copy(cached(build, abi), build.file);
}
process.exit(run(command, args));

/** The folder of Node `major` under .rig, installing it first when it is not there. */
function installed(major) {
  const prefix = path.join(repoRoot, '.rig', `node-${major}`);
  const dir = path.join(prefix, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
  if (!existsSync(path.join(dir, 'bin', 'node'))) {
    console.log(`with-node: installing node@${major} into ${path.relative(repoRoot, prefix)}`);
    const code = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `node@${major}`], {
      stdio: 'inherit',
    }).status;
    if (code !== 0 || !existsSync(path.join(dir, 'bin', 'node'))) {
      console.error(`with-node: could not install node@${major}`);
      process.exit(code || 1);
    }
  }
  return dir;
}

/** Every ABI-specific addon in node_modules, with the package it belongs to. */
function nativeBuilds() {
  const root = path.join(repoRoot, 'node_modules');
  const names = readdirSync(root).flatMap((name) =>
    name.startsWith('@') ? readdirSync(path.join(root, name)).map((sub) => `${name}/${sub}`) : [name],
  );
  return names.flatMap((pkg) => {
    const release = path.join(root, pkg, 'build', 'Release');
    if (!existsSync(release)) return [];
    return readdirSync(release)
      .filter((file) => file.endsWith('.node'))
      .map((file) => ({ pkg, file: path.join(release, file) }));
  });
}

/**
 * The ABI an addon was built for when Node refuses it for that reason, else undefined (other
 * `.node` files, e.g. SQLite extensions, never load as addons and do not count).
 */
function otherAbi(file) {
  const probe = `try { process.dlopen({ exports: {} }, ${JSON.stringify(file)}) } catch (e) { console.log(e.message) }`;
  const message = spawnSync(nodeBin, ['-e', probe], { encoding: 'utf8' }).stdout;
  return /compiled against a different Node\.js version using\s+NODE_MODULE_VERSION (\d+)/.exec(message)?.[1];
}

function cached(build, forAbi) {
  return path.join(repoRoot, '.rig', 'native', forAbi, build.pkg, path.basename(build.file));
}

function copy(from, to) {
  mkdirSync(path.dirname(to), { recursive: true });
  copyFileSync(from, to);
}

function run(cmd, cmdArgs) {
  const result = spawnSync(cmd, cmdArgs, { cwd: process.cwd(), env, stdio: 'inherit' });
  if (result.error) {
    console.error(`with-node: ${cmd}: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}
