import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** The built web UI (`npm run build:web`); `npm test` builds it before the tests run. */
export function builtWebDir(): string {
  const dir = path.resolve('dist/web');
  if (!existsSync(path.join(dir, 'index.html'))) {
    throw new Error('dist/web is missing: run `npm run build:web` (npm test does it for you)');
  }
  return dir;
}

/**
 * Where a browser test saves a screenshot: the README's docs/screenshots when
 * UPDATE_SCREENSHOTS=1, else .rig/screenshots, so an ordinary test run leaves the
 * tracked pictures alone.
 */
export function screenshotPath(name: string): string {
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : '.rig/screenshots';
  mkdirSync(dir, { recursive: true });
  return path.resolve(dir, name);
}
