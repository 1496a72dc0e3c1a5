import { defineConfig } from 'vitest/config';

const RIG_SETUP = 'server/test/rig/global-setup.ts';

export default defineConfig({
  test: {
    // Two cores here: more workers only make the real servers and each other slower.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['server/src/**/*.test.ts', 'web/src/**/*.test.ts', 'web/src/**/*.test.tsx', 'scripts/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['server/test/**/*.test.ts'],
          exclude: ['server/test/**/*.serial.test.ts'],
          globalSetup: RIG_SETUP,
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Real servers and a browser on a loaded 2-core CI machine: the 1 s default for
          // expect.poll is a timing assertion in disguise. What is polled for still has to happen.
          expect: { poll: { timeout: 15_000 } },
        },
      },
      {
        // Tests that disturb the shared rig (stopDovecot/startDovecot): one file at a time, after
        // every other file has finished (vitest runs single-worker projects in a final group).
        extends: true,
        test: {
          name: 'integration-serial',
          include: ['server/test/**/*.serial.test.ts'],
          globalSetup: RIG_SETUP,
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Real servers and a browser on a loaded 2-core CI machine: the 1 s default for
          // expect.poll is a timing assertion in disguise. What is polled for still has to happen.
          expect: { poll: { timeout: 15_000 } },
          maxWorkers: 1,
        },
      },
    ],
  },
});
