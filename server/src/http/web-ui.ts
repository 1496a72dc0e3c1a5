// The built web UI (`npm run build:web`): hashed assets compressed at build time and cached for a
// year, index.html revalidated on every load so a new release is picked up at once.
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import type { App } from './app.js';

/** Vite names every file under assets/ by its content hash: a new content is a new URL. */
export const hashedAssetCacheControl = 'public, max-age=31536000, immutable';
/** The page itself: the browser may keep it but asks every time whether it changed. */
export const pageCacheControl = 'no-cache';

const isHashedAsset = (file: string) => file.includes(`${sep}assets${sep}`);

export function webUiExists(webDir: string | undefined): webDir is string {
  return webDir !== undefined && existsSync(webDir);
}

export async function registerWebUi(app: App, webDir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: webDir,
    wildcard: false,
    index: 'index.html',
    // The .br and .gz files written beside each asset by web/vite.config.ts, by Accept-Encoding.
    preCompressed: true,
    cacheControl: false,
    // Also called for index.html sent by the not-found handler (`reply.sendFile`).
    setHeaders: (reply, file) => {
      void reply.header('cache-control', isHashedAsset(file) ? hashedAssetCacheControl : pageCacheControl);
    },
  });
}
