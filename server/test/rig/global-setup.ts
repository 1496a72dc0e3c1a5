import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startRig, type RunningRig } from './rig.js';
import './types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// Both integration projects list this file and vitest loads it once per project (in separate
// module instances): the rig is kept on globalThis so one run starts one rig.
interface SharedRig {
  rig: Promise<RunningRig>;
  users: number;
}
const KEY = Symbol.for('mailyard.test-rig');
const shared = globalThis as typeof globalThis & { [KEY]?: SharedRig };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let entry = shared[KEY];
  if (entry === undefined) {
    const started = performance.now();
    const rig = startRig({ repoRoot });
    entry = { rig, users: 0 };
    shared[KEY] = entry;
    void rig.then(
      (r) => {
        const parts = Object.entries(r.timings).map(([name, ms]) => `${name} ${ms} ms`);
        console.log(
          `[rig] up in ${Math.round(performance.now() - started)} ms (${parts.join(', ')}) in ${r.description.dir}`,
        );
      },
      () => {
        shared[KEY] = undefined;
      },
    );
  }
  entry.users++;
  const current = entry;
  const rig = await current.rig;
  project.provide('rig', rig.description);

  return async () => {
    if (--current.users > 0) return;
    shared[KEY] = undefined;
    const started = performance.now();
    await rig.stop();
    console.log(`[rig] stopped in ${Math.round(performance.now() - started)} ms`);
  };
}
