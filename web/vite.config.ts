import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The API server listens on 8080 by default; the dev server forwards /api there so the browser
// sees one origin, exactly as in production where Fastify serves both.
const apiProxy = { '/api': { target: 'http://localhost:8080', changeOrigin: false } };
const outDir = resolve(import.meta.dirname, '../dist/web');

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
/** Files this small gain nothing worth a second request path. */
const minCompressBytes = 1024;

/**
 * Writes `.br` and `.gz` beside every hashed asset, once at build time with the strongest
 * settings, so the server (`server/src/http/web-ui.ts`) sends them without compressing per request.
 */
function precompressAssets(): Plugin {
  return {
    name: 'mailyard-precompress-assets',
    apply: 'build',
    async writeBundle() {
      const assets = join(outDir, 'assets');
      for (const name of await readdir(assets)) {
        if (!/\.(js|css|svg|json|html)$/.test(name)) continue;
        const file = join(assets, name);
        const content = await readFile(file);
        if (content.length < minCompressBytes) continue;
        const [br, gz] = await Promise.all([
          brotli(content, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }),
          gzipAsync(content, { level: constants.Z_BEST_COMPRESSION }),
        ]);
        await Promise.all([writeFile(`${file}.br`, br), writeFile(`${file}.gz`, gz)]);
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react(), precompressAssets()],
  build: {
    outDir,
    emptyOutDir: true,
    // Mantine and the icon set make one large, rarely-changing chunk; that is expected.
    chunkSizeWarningLimit: 1500,
  },
  server: { port: 5173, proxy: apiProxy },
  preview: { port: 4173, proxy: apiProxy },
});
