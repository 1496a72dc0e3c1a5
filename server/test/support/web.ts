import { existsSync } from 'node:fs';
import path from 'node:path';

/** The built web UI (`npm run build:web`); `npm test` builds it before the tests run. */
export function builtWebDir(): string {
  const dir = path.resolve('dist/web');
  if (!existsSync(path.join(dir, 'index.html'))) {
    throw new Error('dist/web is missing: run `npm run build:web` (npm test does it for you)');
  }
  return dir;
}
